"""``make chaos``: the fault scenarios, one table, and ``var/chaos.json``.

python -m benchmarks.chaos            every scenario at full size (500 operations / events)
python -m benchmarks.chaos --quick    every scenario small (CI)
python -m benchmarks.chaos --only 3   one scenario (repeat --only for several)

Needs PostgreSQL (``DATABASE_URL``, default the local server; the run uses a database of its
own, ``CHAOS_DATABASE_NAME``, default ``portal_chaos``) and the ``redis-server`` program: the
run starts a Redis of its own on ``CHAOS_PORT_BASE`` + 3, so that scenarios can stop and
restart it. Exits 1 when any scenario duplicated, lost or dead-lettered anything, or failed to
converge.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import traceback
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

ROOT = Path(__file__).resolve().parent.parent.parent
FULL, QUICK = 500, 50
LOCAL_POSTGRES = "postgres://postgres:postgres@127.0.0.1:5432/postgres"
SCENARIOS = {
    1: ("worker SIGKILLed mid-publish", "benchmarks.chaos.kill_mid_publish"),
    2: ("every worker stopped, then started", "benchmarks.chaos.workers_stopped"),
    3: ("Redis restarted under load", "benchmarks.chaos.redis_restart"),
    4: ("Redis down during decisions", "benchmarks.chaos.redis_down"),
    5: ("PostgreSQL connections dropped", "benchmarks.chaos.pg_drop"),
    6: ("sandboxes: 5xx, 429, timeouts, truncation", "benchmarks.chaos.remote_faults"),
    7: ("two beat processes", "benchmarks.chaos.two_beats"),
    8: ("webhook floods: 3x, out of order", "benchmarks.chaos.floods"),
    9: ("drift repaired by reconciliation", "benchmarks.chaos.drift"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.chaos")
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    parser.add_argument("--only", type=int, action="append", choices=sorted(SCENARIOS))
    args = parser.parse_args(argv)

    os.environ.setdefault("DATABASE_URL", LOCAL_POSTGRES)
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        print("make chaos needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    from benchmarks.chaos.redis import PrivateRedis
    from benchmarks.chaos.stack import environment

    base = int(os.environ.get("CHAOS_PORT_BASE", "18601"))
    ports = {"canto": base, "tradinggrid": base + 1, "web": base + 2, "redis": base + 3}
    var = Path(os.environ.get("PORTAL_VAR_DIR", ROOT / "var"))
    redis = PrivateRedis(ports["redis"], var / "chaos-redis")
    redis.wipe()
    redis.start()
    environment(redis, ports)
    try:
        rows = _run(args, redis)
    finally:
        redis.wipe()

    from django.conf import settings

    from benchmarks.chaos.report import print_table, save
    from benchmarks.harness import machine

    print_table(rows)
    save(rows, settings.VAR_DIR / ("chaos-quick.json" if args.quick else "chaos.json"), machine())
    return 0 if all(row.ok for row in rows) else 1


def _run(args, redis) -> list:
    import django

    django.setup()
    from benchmarks.chaos.report import Row
    from benchmarks.chaos.stack import Stack

    size = QUICK if args.quick else FULL
    rows = []
    with Stack(redis) as stack:
        for number in args.only or sorted(SCENARIOS):
            title, module = SCENARIOS[number]
            print(f"chaos: scenario {number}, {title} ({size})…", flush=True)
            stack.reset()
            started = time.monotonic()
            try:
                row = importlib.import_module(module).run(stack, size)
            except Exception as exc:  # one broken scenario must not hide the others' figures
                traceback.print_exc()
                row = Row("", 0, 0, 0, 0, 0, time.monotonic() - started)
                row.error = f"{type(exc).__name__}: {exc}"
            row.scenario = f"{number}. {title}"
            rows.append(row)
    return rows


if __name__ == "__main__":
    sys.exit(main())
