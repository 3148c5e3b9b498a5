from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.services import record
from portal.scale.runner import Part, Sizes, seed

COUNTED = ("assets", "audit_events", "requests", "releases", "communities", "partners")


class Command(BaseCommand):
    help = (
        "Add a large, realistic installation for benchmarks (assets, releases, partner "
        "requests, a valid audit chain) with bulk inserts; running it again adds as much again. "
        "Logins: scale-manager, scale-reviewer, scale-auditor, scale-admin. Only for an "
        "installation on the sandboxes or with DEBUG on."
    )

    def add_arguments(self, parser):
        defaults = Sizes()
        parser.add_argument("--assets", type=int, default=defaults.assets)
        parser.add_argument("--audit-events", type=int, default=defaults.audit_events)
        parser.add_argument("--requests", type=int, default=defaults.requests)
        parser.add_argument("--releases", type=int, default=defaults.releases)
        parser.add_argument("--communities", type=int, default=defaults.communities)
        parser.add_argument("--partners", type=int, default=defaults.partners)
        parser.add_argument(
            "--seed", type=int, default=defaults.seed, help="random seed (repeatable data)"
        )
        parser.add_argument(
            "--password", default=defaults.password, help="password of the four scale users"
        )

    def handle(self, *args, **options):
        if not (settings.DEBUG or (settings.CANTO_SANDBOX and settings.TRADINGGRID_SANDBOX)):
            # Made-up history and a superuser with a known password have no place in production.
            raise CommandError(
                "seed_scale refuses to run against a real Canto or Trading Grid with DEBUG off."
            )
        sizes = Sizes(
            assets=max(options["assets"], 0),
            audit_events=max(options["audit_events"], 0),
            requests=max(options["requests"], 0),
            releases=max(options["releases"], 0),
            communities=max(options["communities"], 0),
            partners=max(options["partners"], 0),
            seed=options["seed"],
            password=options["password"],
        )
        loud = options["verbosity"] > 0

        def said(part: Part) -> None:
            if loud:
                counts = ", ".join(f"{n:,} {what}" for what, n in part.counts.items())
                self.stdout.write(f"{part.name:<12} {part.seconds:8.1f}s  {counts}")

        report = seed(sizes, on_part=said)
        record(
            "demo.seeded",
            object_label=f"scale run {report.prefix}",
            after={"scale_run": report.prefix, **{f: getattr(sizes, f) for f in COUNTED}},
        )
        if loud:
            self.stdout.write(
                self.style.SUCCESS(f"Seeded run {report.prefix} in {report.seconds:.1f}s.")
                + " Logins: scale-manager, scale-reviewer, scale-auditor, scale-admin."
            )
