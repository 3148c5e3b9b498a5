"""Small helpers that turn the environment into settings (DESIGN.md §5)."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured


def ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(value: str | None, *, debug: bool, var_dir: Path) -> str:
    """Return the configured secret key, or one generated once into ``var/`` in debug mode.

    With DEBUG off a missing key is a start-up error: a generated key would silently
    invalidate every session and status link on the next deploy.
    """
    if value:
        return value
    if not debug:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. It is required when DEBUG is off: set the SECRET_KEY "
            "environment variable (for example in .env) to a long random string."
        )
    key_file = ensure_dir(var_dir) / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def broker_settings(redis_url: str | None, var_dir: Path) -> tuple[str, dict]:
    """Redis when REDIS_URL is set, otherwise the file-system transport under ``var/``
    (kombu's, writing each message whole: ``portal/broker.py``)."""
    if redis_url:
        # Longer than any task time limit or countdown, so Redis never redelivers a message
        # that a worker is still running.
        return redis_url, {"visibility_timeout": 2 * 60 * 60}
    from portal.broker import SCHEME  # registers the transport under its URL scheme

    broker_dir = ensure_dir(var_dir / "broker")
    queue_dir = ensure_dir(broker_dir / "queue")
    return f"{SCHEME}://", {
        "data_folder_in": str(queue_dir),
        "data_folder_out": str(queue_dir),
        "control_folder": str(ensure_dir(broker_dir / "control")),
        "store_processed": False,
        "polling_interval": 0.2,
    }


def oauth_host_for(base_url: str, sandbox: bool) -> str:
    """Canto's OAuth host: ``https://oauth.<domain>`` for ``https://<tenant>.<domain>``."""
    if sandbox:
        return base_url
    parsed = urlsplit(base_url)
    host = parsed.hostname or ""
    domain = host.split(".", 1)[1] if host.count(".") >= 2 else host
    return f"{parsed.scheme or 'https'}://oauth.{domain}"
