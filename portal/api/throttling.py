"""API throttles keyed on the client address as the request context resolved it (proxy-aware),
not on an X-Forwarded-For header any client can set.

The counters live in the cache (Redis in production). While it cannot be reached, requests go
through uncounted: a decision must not fail because a rate counter is away."""

import logging

from redis.exceptions import RedisError
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from portal.context import client_ip

log = logging.getLogger(__name__)


class _FailOpen:
    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as exc:
            log.warning("API throttle not applied, the cache is unreachable: %s", exc)
            return True


class AnonThrottle(_FailOpen, AnonRateThrottle):
    def get_ident(self, request):
        return client_ip(request) or "unknown"


class UserThrottle(_FailOpen, UserRateThrottle):
    def get_ident(self, request):
        return client_ip(request) or "unknown"
