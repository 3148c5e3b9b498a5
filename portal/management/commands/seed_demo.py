from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import DEMO_USERS, seed_demo_users


class Command(BaseCommand):
    help = "Seed demo data (users of every role, password 'demo'). Idempotent; DEBUG only."

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
