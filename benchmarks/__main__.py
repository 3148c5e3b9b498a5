"""``make bench``: every benchmark in one run, one table, and ``var/bench.json``.

python -m benchmarks                        full size (100,000 assets; 1,000,000 audit events,
                                            10,000 requests and 5,000 releases for the pages)
python -m benchmarks --quick                a small run that proves the benchmark code works
python -m benchmarks --only release_latency one benchmark (repeat --only for several)
"""

import argparse
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

BENCHMARKS = ("canto_sync", "release_latency", "webhooks", "relay", "pages", "audit_verify")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument(
        "--only", action="append", choices=BENCHMARKS, help="run only this benchmark"
    )
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings

    from benchmarks import audit_verify, canto_sync, pages, relay, release_latency, webhooks
    from benchmarks.harness import report

    chosen = args.only or BENCHMARKS
    figures = []
    if "canto_sync" in chosen:
        large = 2_000 if args.quick else args.assets
        small = 500 if args.quick else max(1_000, large // 10)
        figures += canto_sync.run(large=large, small=small)
    if "release_latency" in chosen:
        if args.quick:
            figures += release_latency.run(changes=5, assets=3, communities=10)
        else:
            figures += release_latency.run(changes=50, assets=50, communities=20)
    if "webhooks" in chosen:
        figures += webhooks.run(quick=args.quick)
    if "relay" in chosen:
        figures += relay.run(quick=args.quick)
    if "pages" in chosen:
        figures += pages.run(quick=args.quick)
    if "audit_verify" in chosen:
        figures += audit_verify.run(quick=args.quick)
    report(figures, settings.VAR_DIR / ("bench-quick.json" if args.quick else "bench.json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
