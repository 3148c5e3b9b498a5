"""API throttles keyed on the client address as the request context resolved it (proxy-aware),
not on an X-Forwarded-For header any client can set."""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from portal.context import client_ip


class AnonThrottle(AnonRateThrottle):
    def get_ident(self, request):
        return client_ip(request) or "unknown"


class UserThrottle(UserRateThrottle):
    def get_ident(self, request):
        return client_ip(request) or "unknown"
