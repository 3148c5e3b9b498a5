import sys

from django.core.management.base import BaseCommand, CommandError

from integrations.canto.runs import run_catalog_sync
from integrations.http import ApiError
from integrations.syncruns import SyncAlreadyRunning
from portal.context import SYSTEM, Actor, acting_as


class Command(BaseCommand):
    help = "Sync the catalog from Canto now (incremental unless --full), with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Read the whole catalog.")

    def handle(self, *args, full: bool, **options):
        def progress(run):
            if run.expected:
                done = min(1.0, run.seen / run.expected)
                bar = "#" * int(done * 40)
                self.stdout.write(f"\r[{bar:<40}] {run.seen}/{run.expected}", ending="")
            else:
                self.stdout.write(f"\r{run.seen} assets read", ending="")
            sys.stdout.flush()

        try:
            with acting_as(Actor(SYSTEM, "sync_canto command"), via="cli"):
                run = run_catalog_sync(full=full, progress=progress)
        except SyncAlreadyRunning as exc:
            raise CommandError(str(exc)) from exc
        except ApiError as exc:
            raise CommandError(f"Canto sync failed: {exc}") from exc
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"{run.get_kind_display()} #{run.pk}: {run.seen} read, {run.created} created, "
                f"{run.updated} updated, {run.unchanged} unchanged, {run.deleted} deleted, "
                f"{run.failed} failed in {run.duration:.1f}s."
            )
        )
