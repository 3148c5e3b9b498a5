"""The Canto REST client, exactly as ``shared/api/canto.md`` describes Canto's API."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings

from integrations.apiclient import ApiClient, usable_token
from integrations.http import (
    AuthError,
    ClientError,
    HttpClient,
    MalformedResponse,
    NotFound,
    RateLimiter,
    RetryPolicy,
)

BATCH_LIMIT = 100
TOKEN_PATH = "/oauth/api/oauth2/token"  # noqa: S105  (a URL path)


class CantoError(ClientError):
    pass


@dataclass
class SearchPage:
    results: list[Any]
    found: int | None
    start: int
    limit: int


def _number(value: Any) -> int | None:
    """A count Canto sends as a number or a string; None when it is neither."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError, OverflowError):
        return None


class CantoClient(ApiClient):
    name = "Canto"

    """One tenant's API. Tokens are cached (shared by every process through Django's cache)."""

    def __init__(
        self,
        base_url: str,
        oauth_url: str,
        app_id: str,
        app_secret: str,
        *,
        timeout: tuple[float, float] = (5.0, 30.0),
        max_attempts: int = 5,
        rate: float = 20.0,
        max_delay: float = 30.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.oauth_url = oauth_url.rstrip("/")
        self.app_id = app_id
        self.app_secret = app_secret
        self.tenant = urlsplit(self.base_url).netloc
        self.http = HttpClient(
            name="Canto",
            timeout=timeout,
            retry=RetryPolicy(max_attempts=max_attempts, max_delay=max_delay),
            limiter=RateLimiter.for_key(f"canto:{self.tenant}", rate),
            authorize=self.authorization,
        )

    @classmethod
    def from_settings(cls) -> CantoClient:
        return cls(
            settings.CANTO_BASE_URL,
            settings.CANTO_OAUTH_URL,
            settings.CANTO_APP_ID,
            settings.CANTO_APP_SECRET,
            timeout=(settings.CANTO_CONNECT_TIMEOUT, settings.CANTO_READ_TIMEOUT),
            max_attempts=settings.CANTO_MAX_ATTEMPTS,
            rate=settings.CANTO_RATE_LIMIT,
        )

    # Authentication ---------------------------------------------------------------------------
    @property
    def token_key(self) -> str:
        return f"canto-token:{self.tenant}:{self.app_id}"

    def fetch_token(self) -> str:
        response = self.http.request(
            "POST",
            self.oauth_url + TOKEN_PATH,
            authenticated=False,
            data={
                "app_id": self.app_id,
                "app_secret": self.app_secret,
                "grant_type": "client_credentials",
            },
        )
        data = self.read_json(response)
        if not isinstance(data, dict):
            raise MalformedResponse("Canto token answer is not an object", body=str(data)[:200])
        token = data.get("accessToken") or data.get("access_token")
        if not usable_token(token):
            raise AuthError("Canto issued no usable access token", body=str(data)[:200])
        return self.remember_token(token, data.get("expiresIn") or data.get("expires_in"))
        return token

    # Plumbing -----------------------------------------------------------------------------------
    def _url(self, path: str) -> str:
        return f"{self.base_url}/api/v1/{path.lstrip('/')}"

    def _get(self, path: str, **params: Any) -> Any:
        return self.read_json(self.http.request("GET", self._url(path), params=params or None))

    def _expect_success(self, response) -> None:
        text = (response.text or "").strip().strip('"').lower()
        if text != "success":
            try:
                data = response.json()
            except ValueError:
                data = None
            if isinstance(data, dict) and str(data.get("result", "")).lower() == "success":
                return
            raise CantoError(
                "Canto did not confirm the change",
                status=response.status_code,
                body=(response.text or "")[:200],
                url=response.url,
            )

    # Reading ------------------------------------------------------------------------------------
    def search(self, *, start: int = 0, limit: int = 100, **filters: Any) -> SearchPage:
        params = {k: v for k, v in filters.items() if v not in (None, "")}
        params.update(start=start, limit=limit)
        params.setdefault("keyword", "")
        data = self._get("search", **params)
        if not isinstance(data, dict):
            raise MalformedResponse("Canto search answer is not an object", body=str(data)[:200])
        results = data.get("results") or []
        if not isinstance(results, list):
            raise MalformedResponse("Canto search results are not a list")
        return SearchPage(
            results=results,
            found=_number(data.get("found")),
            start=_number(data.get("start")) or start,
            limit=limit,
        )

    def iter_search(self, *, page_size: int = 1000, **filters: Any) -> Iterator[SearchPage]:
        """Every page of a search, by offset, until a short or empty page."""
        start = 0
        while True:
            page = self.search(start=start, limit=page_size, **filters)
            yield page
            count = len(page.results)
            start += count
            if count < page_size or (page.found is not None and start >= page.found):
                return

    def get_asset(self, scheme: str, asset_id: str) -> dict | None:
        """One asset, or None when Canto says it does not exist (404)."""
        try:
            data = self._get(f"{quote(scheme)}/{quote(asset_id)}")
        except NotFound:
            return None
        if not isinstance(data, dict):
            raise MalformedResponse("Canto asset answer is not an object", body=str(data)[:200])
        return data

    def batch_content(self, refs: Iterable[tuple[str, str]]) -> list[Any]:
        """Assets by (scheme, id), at most 100 per call; missing ones are simply absent."""
        refs = list(refs)
        found: list[Any] = []
        for offset in range(0, len(refs), BATCH_LIMIT):
            chunk = [{"id": i, "scheme": s} for s, i in refs[offset : offset + BATCH_LIMIT]]
            data = self.read_json(self.http.request("POST", self._url("batch/content"), json=chunk))
            items = data.get("docResult") if isinstance(data, dict) else None
            found.extend(items if isinstance(items, list) else [])
        return found

    def tree(self) -> list[Any]:
        data = self._get("tree", layer=-1)
        return (data.get("results") or []) if isinstance(data, dict) else []

    def custom_fields(self) -> list[Any]:
        data = self._get("custom/field")
        return data if isinstance(data, list) else []

    def direct_uri(self, scheme: str, asset_id: str) -> str:
        url = f"{self.base_url}/api_binary/v1/{quote(scheme)}/{quote(asset_id)}/directuri"
        return self.http.request("GET", url).text.strip()

    def preview(self, scheme: str, asset_id: str) -> tuple[bytes, str]:
        url = f"{self.base_url}/api_binary/v1/{quote(scheme)}/{quote(asset_id)}/preview"
        response = self.http.request("GET", url, expected=(200, 302), allow_redirects=True)
        return response.content, response.headers.get("Content-Type", "application/octet-stream")

    # Writing ------------------------------------------------------------------------------------
    def batch_edit(self, contents: list[tuple[str, str]], properties: list[dict]) -> None:
        body = {"contents": [{"id": i, "scheme": s} for s, i in contents], "properties": properties}
        self._expect_success(self.http.request("PUT", self._url("batch/edit"), json=body))

    def _label(self, method: str, kind: str, scheme: str, asset_id: str, value: str) -> None:
        path = f"{quote(scheme)}/{quote(asset_id)}/{kind}/{quote(value, safe='')}"
        self._expect_success(self.http.request(method, self._url(path)))

    def add_tag(self, scheme: str, asset_id: str, tag: str) -> None:
        self._label("PUT", "tag", scheme, asset_id, tag)

    def remove_tag(self, scheme: str, asset_id: str, tag: str) -> None:
        self._label("DELETE", "tag", scheme, asset_id, tag)

    def add_keyword(self, scheme: str, asset_id: str, keyword: str) -> None:
        self._label("PUT", "keyword", scheme, asset_id, keyword)

    def remove_keyword(self, scheme: str, asset_id: str, keyword: str) -> None:
        self._label("DELETE", "keyword", scheme, asset_id, keyword)

    def create_album(self, parent_folder_id: str, name: str) -> dict:
        path = f"album/{quote(parent_folder_id)}/{quote(name, safe='')}"
        data = self.read_json(self.http.request("POST", self._url(path)))
        if not isinstance(data, dict) or not data.get("id"):
            raise MalformedResponse("Canto created no album id", body=str(data)[:200])
        return data

    def add_to_album(self, album_path: str, contents: list[tuple[str, str, str]]) -> None:
        body = {
            "albumPath": album_path,
            "contents": [{"scheme": s, "id": i, "displayName": n} for s, i, n in contents],
        }
        self._expect_success(self.http.request("POST", self._url("batch/album"), json=body))

    def version_comment(self, scheme: str, asset_id: str, version_id: str, comment: str) -> None:
        body = {"scheme": scheme, "id": asset_id, "versionId": version_id, "comment": comment}
        self._expect_success(self.http.request("POST", self._url("version/comment"), json=body))
