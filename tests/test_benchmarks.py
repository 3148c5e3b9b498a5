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
    writes = next(f for f in report["figures"] if "write calls ÷ publications" in f["name"])
    assert writes["met"] is True and writes["value"] <= 1.0
    assert all(f["value"] > 0 for f in report["figures"])
    assert report["machine"]["database"] in ("sqlite", "postgresql")
