"""A fixed-window rate limit per client address, counted in the shared cache.

``"30/m"`` allows 30 attempts per clock minute; the counter lives in the default cache (Redis
when the portal is scaled out), so every web process counts against the same limit. Windows
follow the portal's clock (``django.utils.timezone.now``). When the cache cannot be reached
the attempt is let through rather than taking the page down.
"""

from __future__ import annotations

import logging
import math

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from portal.context import client_ip

log = logging.getLogger(__name__)
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse(rate: str) -> tuple[int, int]:
    """``"30/m"`` → (30, 60); the unit is s, m, h or d (``min``, ``hour``… read the same)."""
    count, _, unit = rate.partition("/")
    return int(count), PERIODS[unit.strip()[:1].lower()]


def client_key(request: HttpRequest) -> str:
    """The client address as the rest of the portal resolves it (proxy-aware)."""
    return client_ip(request) or "unknown"


def hit(scope: str, ident: str, rate: str) -> int:
    """Count one attempt; 0 when it is allowed, else the seconds until the window ends."""
    limit, period = parse(rate)
    now = timezone.now().timestamp()
    window = int(now // period)
    key = f"ratelimit:{scope}:{window}:{ident}"
    try:
        used = _increment(key, period)
    except Exception as exc:  # a cache outage must not lock partners out
        log.warning("Rate limit %s not checked: %s", scope, exc)
        return 0
    if used <= limit:
        return 0
    return max(1, math.ceil((window + 1) * period - now))


def _increment(key: str, period: int) -> int:
    if cache.add(key, 1, timeout=period + 1):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        return 1
