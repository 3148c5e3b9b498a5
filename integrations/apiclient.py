"""What the Canto and Trading Grid clients share: bearer tokens cached in Django's cache
(so every web and worker process uses one token), renewed early or on demand, and JSON
answers read or refused with a typed error."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any

from django.core.cache import cache

from integrations.http import HttpClient, MalformedResponse, body_excerpt

DAY = 24 * 3600


def usable_token(token: Any) -> bool:
    """A bearer token must be text an HTTP header can carry."""
    return isinstance(token, str) and bool(token) and token.isascii() and token.isprintable()


class ApiClient(ABC):
    name: str = ""
    http: HttpClient

    @property
    @abstractmethod
    def token_key(self) -> str:
        """The cache key of this tenant's and credentials' token."""

    @abstractmethod
    def fetch_token(self) -> str:
        """Ask the service for a new token and return it (after ``remember_token``)."""

    def authorization(self, renew: bool) -> str:
        token = None if renew else cache.get(self.token_key)
        if token is None:
            token = self.fetch_token()
        return f"Bearer {token}"

    def remember_token(self, token: str, lifetime: Any) -> str:
        """Cache a token until 90% of its lifetime (a day at most): renewed before it expires."""
        try:
            seconds = float(lifetime or 3600)
        except (TypeError, ValueError):
            seconds = 3600.0
        if not math.isfinite(seconds):
            seconds = 3600.0
        cache.set(self.token_key, token, max(1, min(int(seconds * 0.9), DAY)))
        return token

    def read_json(self, response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise MalformedResponse(
                f"{self.name} answered with unreadable JSON",
                status=response.status_code,
                body=body_excerpt(response),
                url=response.url,
            ) from exc
