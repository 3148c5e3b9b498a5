"""Start the whole embedded portal: web server, one Celery worker and one beat.

Every process gets its own session so that Ctrl-C reaches only this supervisor, which then
stops them all in order and waits for them.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Run web, worker, beat and the sandboxes on the embedded defaults; Ctrl-C stops all."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args, host: str, port: int, **options):
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "portal"]
        pidfile = settings.VAR_DIR / "celerybeat.pid"
        pidfile.unlink(missing_ok=True)
        commands = {
            "web": [python, "manage.py", "runserver", f"{host}:{port}", "--noreload"],
            "worker": [
                *celery,
                "worker",
                "--loglevel=INFO",
                "--concurrency=2",
                "--without-gossip",
                "--without-mingle",
                "--hostname=worker@%h",
            ],
            "beat": [*celery, "beat", "--loglevel=INFO", f"--pidfile={pidfile}"],
        }
        if settings.CANTO_SANDBOX:
            commands["canto-sandbox"] = [
                python,
                "manage.py",
                "run_sandbox",
                "canto",
                "--port",
                str(settings.CANTO_SANDBOX_PORT),
                "--webhook-url",
                f"http://{host}:{port}/webhooks/canto/",
            ]
        if settings.TRADINGGRID_SANDBOX:
            commands["tradinggrid-sandbox"] = [
                python,
                "manage.py",
                "run_sandbox",
                "tradinggrid",
                "--port",
                str(settings.TRADINGGRID_SANDBOX_PORT),
                "--webhook-url",
                f"http://{host}:{port}/webhooks/tradinggrid/",
            ]
        processes: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            for name, command in commands.items():
                processes[name] = subprocess.Popen(
                    command, cwd=settings.BASE_DIR, start_new_session=True
                )
            url = f"http://{host}:{port}/"
            if self._wait_for(url + "healthz", processes["web"]):
                self._first_sync()
                if "tradinggrid-sandbox" in processes:
                    self._republish(processes["tradinggrid-sandbox"])
                self._banner(url)
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"{name} exited with status {process.returncode}.")
                        stopping = True
                time.sleep(0.5)
        finally:
            self.stdout.write("Stopping web, worker and beat…")
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
            self.stdout.write("Stopped.")

    def _wait_for(self, url: str, web: subprocess.Popen, seconds: float = 60) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and web.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=2):  # noqa: S310  (our own server)
                    return True
            except OSError:
                time.sleep(0.3)
        return False

    def _first_sync(self) -> None:
        """A new installation gets its catalog right away instead of at the next schedule."""
        from integrations.canto.tasks import sync_catalog
        from integrations.tradinggrid.tasks import sync_partners
        from portal.models import Asset, Community

        if not Asset.objects.exists():
            sync_catalog.delay(full=True)
            self.stdout.write("The catalog is empty: a full Canto sync was queued.")
        if not Community.objects.exists():
            sync_partners.delay(full=True)
            self.stdout.write("No communities yet: a full Trading Grid sync was queued.")

    def _republish(self, sandbox: subprocess.Popen) -> None:
        """The embedded Trading Grid sandbox starts empty on every run: what the portal holds
        live is published to it again by a reconciliation, once the sandbox answers."""
        from integrations.tradinggrid.tasks import reconcile_publications
        from portal.models import Publication

        live = Publication.objects.filter(state=Publication.State.LIVE).exclude(tg_id="")
        if not live.exists():
            return
        if self._wait_for(f"{settings.TRADINGGRID_BASE_URL}/_sandbox/api/info", sandbox):
            reconcile_publications.delay()
            self.stdout.write(
                "The Trading Grid sandbox starts empty: live publications are being published "
                "to it again."
            )

    def _banner(self, url: str) -> None:
        logins = "\n".join(
            f"    {name:<9} / {DEMO_PASSWORD}   ({role})" for name, role, *_ in DEMO_USERS
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  The partner content portal is running at {url}\n"
                f"  Demo logins:\n{logins}\n"
                f"  API docs: {url}api/docs/\n"
                + (
                    f"  Canto sandbox (play the content team): "
                    f"{settings.CANTO_BASE_URL}/_sandbox/\n"
                    if settings.CANTO_SANDBOX
                    else ""
                )
                + (
                    f"  Trading Grid sandbox (play a partner): "
                    f"{settings.TRADINGGRID_BASE_URL}/_sandbox/\n"
                    if settings.TRADINGGRID_SANDBOX
                    else ""
                )
                + "  Ctrl-C stops everything.\n"
            )
        )
