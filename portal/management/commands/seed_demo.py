from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import (
    DEMO_USERS,
    DemoDataMissing,
    mirror_from_sandboxes,
    mirrored,
    missing_demo_releases,
    seed_demo_releases,
    seed_demo_users,
)

STAGES = {"draft": "a draft", "in_review": "waiting for the reviewer", "published": "approved"}


class Command(BaseCommand):
    help = (
        "Seed demo data (users of every role, password 'demo', and releases at each step). "
        "Idempotent; DEBUG only."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo data is for trying the portal and is never seeded with DEBUG off."
            )
        created = seed_demo_users()
        names = ", ".join(u[0] for u in DEMO_USERS)
        self.stdout.write(
            f"Demo users ready ({names}); created now: {', '.join(created) or 'none'}."
        )
        if not missing_demo_releases():
            self.stdout.write("Demo releases ready; created now: none.")
            self._kit()
            self._program()
            self._requests()
            return
        try:
            if not mirrored():
                self.stdout.write("Mirroring the Canto catalog and the Trading Grid communities…")
                mirror_from_sandboxes()
            seeded = seed_demo_releases()
        except DemoDataMissing as exc:
            self.stderr.write(f"Demo releases not seeded: {exc}")
            return
        made = "; ".join(f"{r.name} ({STAGES[r.stage]})" for r in seeded)
        self.stdout.write(f"Demo releases ready; created now: {made}.")
        if any(r.stage == "published" for r in seeded):
            self.stdout.write(
                "The approved one is published to Trading Grid by the worker (at once when the "
                "stack is running, else as soon as `make run` starts it)."
            )
        self._kit()
        self._program()
        self._requests()

    def _program(self) -> None:
        from portal.onboarding.demo import seed_demo_program

        try:
            program = seed_demo_program()
        except DemoDataMissing as exc:
            self.stderr.write(f"Demo onboarding program not seeded: {exc}")
            return
        self.stdout.write(
            f"Demo onboarding program ready; created now: {program or 'none'}"
            + (f" ({program.enrollments.count()} partners enrolled)." if program else ".")
        )

    def _kit(self) -> None:
        from portal.kits.demo import seed_demo_kit

        try:
            kit = seed_demo_kit()
        except DemoDataMissing as exc:
            self.stderr.write(f"Demo kit not seeded: {exc}")
            return
        self.stdout.write(
            f"Demo kit ready; created now: {kit.release.name if kit else 'none'} "
            + ("(approved; the worker publishes it)." if kit else "")
        )

    def _requests(self) -> None:
        from integrations.http import ApiError, TransientError
        from requests_app.demo import seed_demo_requests

        try:
            triaged = seed_demo_requests()
        except (DemoDataMissing, ApiError, TransientError) as exc:
            self.stderr.write(f"Demo requests not seeded: {exc}")
            return
        from requests_app.models import PartnerRequest

        self.stdout.write(
            f"Partner requests ready: {PartnerRequest.objects.count()} from the Trading Grid "
            f"sandbox; triaged now: {', '.join(r.reference for r in triaged) or 'none'}."
        )
