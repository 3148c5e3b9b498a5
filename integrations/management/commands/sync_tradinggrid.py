from django.core.management.base import BaseCommand, CommandError

from integrations.http import ApiError
from integrations.syncruns import SyncAlreadyRunning
from integrations.tradinggrid.sync import run_partner_sync
from portal.context import SYSTEM, Actor, acting_as


class Command(BaseCommand):
    help = "Sync communities, partners and contacts from Trading Grid (changes only unless --full)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="Read everything and mark partners who left."
        )

    def handle(self, *args, full: bool, **options):
        try:
            with acting_as(Actor(SYSTEM, "sync_tradinggrid command"), via="cli"):
                run = run_partner_sync(full=full)
        except SyncAlreadyRunning as exc:
            raise CommandError(str(exc)) from exc
        except ApiError as exc:
            raise CommandError(f"Trading Grid sync failed: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{run.get_kind_display()} #{run.pk}: {run.seen} partners read, {run.created} new, "
                f"{run.updated} updated, {run.deleted} memberships ended, {run.failed} unreadable "
                f"in {run.duration:.1f}s."
            )
        )
