import time

from django.core.management.base import BaseCommand, CommandError

from audit.services import verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit non-zero naming the first bad sequence."

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = verify()
        elapsed = time.perf_counter() - started
        if not result.intact:
            raise CommandError(
                f"Audit trail broken at sequence #{result.first_bad_seq}: {result.problem} "
                f"({result.verified} events verified before it)."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit trail intact: {result.verified} events verified")
            + f" in {elapsed:.2f}s."
        )
