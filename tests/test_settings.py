"""The settings contract of DESIGN.md §5, checked in fresh processes."""

import os
import subprocess
import sys

from tests.processes import ROOT

PROBE = (
    "from django.conf import settings; from django.db import connection; "
    "c = connection.cursor(); c.execute('PRAGMA journal_mode'); "
    "print(settings.DEBUG, connection.vendor, c.fetchone()[0], settings.CELERY_BROKER_URL)"
)


def _run(args, env_vars, tmp_path):
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PORTAL_VAR_DIR": str(tmp_path)}
    env.update(env_vars)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_embedded_defaults_start_with_no_variables(tmp_path):
    result = _run(["shell", "-c", PROBE], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["True", "sqlite", "wal", "portalfs://"]
    key_file = tmp_path / "secret_key"
    assert len(key_file.read_text()) >= 50
    again = _run(
        ["shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
        {},
        tmp_path,
    )
    assert again.stdout.splitlines()[-1] == key_file.read_text().strip()


def test_debug_off_without_secret_key_fails_with_clear_message(tmp_path):
    result = _run(["check"], {"DEBUG": "false"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set. It is required when DEBUG is off" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_production_settings_pass_the_deploy_check(tmp_path):
    production = {
        "DEBUG": "false",
        "SECRET_KEY": "q8v!t3-production-like-secret-key-with-enough-entropy-2f9d0c71a",
        "ALLOWED_HOSTS": "portal.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], production, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_real_trading_grid_needs_its_own_webhook_secret(tmp_path):
    real = {"TRADINGGRID_BASE_URL": "https://partners.example.com"}
    result = _run(["check"], real, tmp_path)
    assert result.returncode != 0
    assert "TRADINGGRID_WEBHOOK_SECRET must be set" in result.stderr
    ok = _run(["check"], {**real, "TRADINGGRID_WEBHOOK_SECRET": "s3cr3t-from-opentext"}, tmp_path)
    assert ok.returncode == 0, ok.stderr
