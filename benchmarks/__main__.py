"""``make bench``: every benchmark in one run, one table, and ``var/bench.json``.

python -m benchmarks            full size (100,000 assets)
python -m benchmarks --quick    a small run that proves the benchmark code works
"""

import argparse
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    parser.add_argument("--assets", type=int, default=100_000)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings

    from benchmarks import canto_sync
    from benchmarks.harness import report

    large = 2_000 if args.quick else args.assets
    small = 500 if args.quick else max(1_000, large // 10)
    figures = canto_sync.run(large=large, small=small)
    report(figures, settings.VAR_DIR / ("bench-quick.json" if args.quick else "bench.json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
