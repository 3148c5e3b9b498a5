"""The Active Community adapter client, exactly as ``shared/api/tradinggrid.md`` describes it.

Every Trading Grid detail stays inside ``integrations/tradinggrid/``. Writes always carry an
``Idempotency-Key`` chosen by the caller (the outbox message's), so a write repeated after a
lost answer never creates a second object.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings

from integrations.apiclient import ApiClient, usable_token
from integrations.http import (
    AuthError,
    HttpClient,
    MalformedResponse,
    NotFound,
    RateLimiter,
    RetryPolicy,
)


class TradingGridClient(ApiClient):
    name = "Trading Grid"

    """One tenant of the adapter. Tokens are cached (shared by every process)."""

    def __init__(
        self,
        base_url: str,
        tenant: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: tuple[float, float] = (5.0, 30.0),
        max_attempts: int = 5,
        rate: float = 20.0,
        page_size: int = 100,
    ):
        self.base_url = base_url.rstrip("/")
        self.tenant = tenant
        self.client_id = client_id
        self.client_secret = client_secret
        self.page_size = page_size
        host = urlsplit(self.base_url).netloc
        self.http = HttpClient(
            name="Trading Grid",
            timeout=timeout,
            retry=RetryPolicy(max_attempts=max_attempts),
            limiter=RateLimiter.for_key(f"tradinggrid:{host}:{tenant}", rate),
            authorize=self.authorization,
        )

    @classmethod
    def from_settings(cls) -> TradingGridClient:
        return cls(
            settings.TRADINGGRID_BASE_URL,
            settings.TRADINGGRID_TENANT_ID,
            settings.TRADINGGRID_CLIENT_ID,
            settings.TRADINGGRID_CLIENT_SECRET,
            timeout=(settings.TRADINGGRID_CONNECT_TIMEOUT, settings.TRADINGGRID_READ_TIMEOUT),
            max_attempts=settings.TRADINGGRID_MAX_ATTEMPTS,
            rate=settings.TRADINGGRID_RATE_LIMIT,
            page_size=settings.TRADINGGRID_PAGE_SIZE,
        )

    # Authentication -----------------------------------------------------------------------------
    @property
    def token_key(self) -> str:
        return f"tradinggrid-token:{self.base_url}:{self.tenant}:{self.client_id}"

    def fetch_token(self) -> str:
        response = self.http.request(
            "POST",
            f"{self.base_url}/tenants/{quote(self.tenant)}/oauth2/token",
            authenticated=False,
            data={"grant_type": "client_credentials"},
            auth=(self.client_id, self.client_secret),
        )
        data = self.read_json(response)
        token = data.get("access_token") if isinstance(data, dict) else None
        if not usable_token(token):
            raise AuthError("Trading Grid issued no usable access token", body=str(data)[:200])
        return self.remember_token(token, data.get("expires_in"))
        return token

    # Plumbing -----------------------------------------------------------------------------------
    def _url(self, path: str) -> str:
        return f"{self.base_url}/ac/v1/{path.lstrip('/')}"

    def _get(self, path: str, **params: Any) -> Any:
        query = {k: v for k, v in params.items() if v not in (None, "")}
        return self.read_json(self.http.request("GET", self._url(path), params=query or None))

    def _object(self, data: Any, what: str) -> dict:
        if not isinstance(data, dict):
            raise MalformedResponse(f"Trading Grid {what} is not an object", body=str(data)[:200])
        return data

    def _write(self, method: str, path: str, key: str, body: dict | None = None) -> dict:
        if not key:
            raise ValueError("Every Trading Grid write needs an idempotency key.")
        response = self.http.request(
            method,
            self._url(path),
            json=body,
            headers={"Idempotency-Key": key},
            expected=(200, 201, 202),
        )
        return self._object(self.read_json(response), "write answer")

    def _list(self, path: str, **filters: Any) -> Iterator[dict]:
        """Every item of a cursor-paginated list."""
        cursor = None
        while True:
            data = self._get(path, limit=self.page_size, cursor=cursor, **filters)
            if not isinstance(data, dict) or not isinstance(data.get("data"), list):
                raise MalformedResponse(
                    "Trading Grid list answer has no data list", body=str(data)[:200]
                )
            yield from data["data"]
            cursor = data.get("next_cursor")
            if not cursor:
                return

    @staticmethod
    def _since(value: datetime | None) -> str | None:
        """RFC 3339 in UTC, as the adapter's filters take it."""
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None

    # Communities and partners -------------------------------------------------------------------
    def communities(self, updated_since: datetime | None = None) -> Iterator[dict]:
        return self._list("communities", updated_since=self._since(updated_since))

    def community(self, community_id: str) -> dict | None:
        return self._one(f"communities/{quote(community_id)}", "community")

    def community_partners(
        self, community_id: str, updated_since: datetime | None = None
    ) -> Iterator[dict]:
        return self._list(
            f"communities/{quote(community_id)}/partners", updated_since=self._since(updated_since)
        )

    def partner(self, partner_id: str) -> dict | None:
        return self._one(f"partners/{quote(partner_id)}", "partner")

    def contacts(self, partner_id: str) -> Iterator[dict]:
        return self._list(f"partners/{quote(partner_id)}/contacts")

    def _one(self, path: str, what: str) -> dict | None:
        try:
            return self._object(self._get(path), what)
        except NotFound:
            return None

    # Publications -------------------------------------------------------------------------------
    def publish(self, community_id: str, body: dict, *, key: str) -> dict:
        return self._write("POST", f"communities/{quote(community_id)}/publications", key, body)

    def publication(self, publication_id: str) -> dict | None:
        return self._one(f"publications/{quote(publication_id)}", "publication")

    def update_publication(self, publication_id: str, body: dict, *, key: str) -> dict:
        return self._write("PATCH", f"publications/{quote(publication_id)}", key, body)

    def archive_publication(self, publication_id: str, *, key: str) -> dict:
        return self._write("POST", f"publications/{quote(publication_id)}:archive", key)

    def acknowledgements(self, publication_id: str) -> Iterator[dict]:
        return self._list(f"publications/{quote(publication_id)}/acknowledgements")

    def usage(self, publication_id: str) -> dict:
        return self._object(self._get(f"publications/{quote(publication_id)}/usage"), "usage")

    # Requests -----------------------------------------------------------------------------------
    def requests(
        self, community_id: str, *, updated_since: datetime | None = None, status: str | None = None
    ) -> Iterator[dict]:
        return self._list(
            f"communities/{quote(community_id)}/requests",
            updated_since=self._since(updated_since),
            where_status=status,
        )

    def request(self, request_id: str) -> dict | None:
        return self._one(f"requests/{quote(request_id)}", "request")

    def update_request(self, request_id: str, body: dict, *, key: str) -> dict:
        return self._write("PATCH", f"requests/{quote(request_id)}", key, body)

    def comments(self, request_id: str) -> Iterator[dict]:
        return self._list(f"requests/{quote(request_id)}/comments")

    def add_comment(self, request_id: str, body: dict, *, key: str) -> dict:
        return self._write("POST", f"requests/{quote(request_id)}/comments", key, body)

    # Event subscriptions ------------------------------------------------------------------------
    def subscribe(self, url: str, events: list[str], secret: str, *, key: str) -> dict:
        return self._write(
            "POST", "webhooks", key, {"url": url, "events": events, "secret": secret}
        )

    def subscriptions(self) -> Iterator[dict]:
        return self._list("webhooks")
