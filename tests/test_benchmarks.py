"""The benchmark suite at a small size, so that its code cannot rot."""

import json
import os
import subprocess
import sys

from django.conf import settings

from tests.processes import ROOT


def test_quick_benchmark_run_reports_every_figure():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["SECRET_KEY"] = settings.SECRET_KEY
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((settings.VAR_DIR / "bench-quick.json").read_text())
    names = [f["name"] for f in report["figures"]]
    assert any("full sync ÷ raw page fetch" in n for n in names)
    assert any("incremental 1% ÷ full" in n for n in names)
    assert any("peak memory" in n for n in names)
    assert any("Canto new version → partners see it, p95" in n for n in names)
    assert any("approval → all live" in n for n in names)
    assert any(n.startswith("webhooks: Canto receiver") and "÷ 200-only" in n for n in names)
    assert any(n.startswith("webhooks: Trading Grid receiver") and "p99" in n for n in names)
    # Every event a receiver accepted is in the inbox, and the relay sent nothing twice.
    for figure in report["figures"]:
        if "inbox rows ÷ accepted events" in figure["name"] or "write calls ÷" in figure["name"]:
            assert figure["met"] is True, figure
    assert any("outbox relay msgs/s, 4 workers" in n for n in names)
    writes = next(f for f in report["figures"] if "write calls ÷ publications" in f["name"])
    assert writes["met"] is True and writes["value"] <= 1.0
    pages = ("catalog list", "catalog search", "audit log", "request queue", "review queue")
    for page in (*pages, "asset detail"):
        assert any(n == f"page {page} p95" for n in names), page
    # Page queries do not grow with the page size (a difference of 0 at 25 and 100 rows).
    for page in pages:
        queries = next(f for f in report["figures"] if f["name"].startswith(f"page {page} queries"))
        assert queries["value"] == 0 and queries["met"] is True, queries
    assert any(n == "verify_audit seconds per million events" for n in names)
    timed = [f for f in report["figures"] if "queries" not in f["name"]]
    assert all(f["value"] > 0 for f in timed)
    assert report["machine"]["database"] in ("sqlite", "postgresql")
