"""What the release tests share: Canto changes applied the way the catalog sync applies them,
a Trading Grid faked at the HTTP boundary, outbox delivery one message at a time, and the
people and communities of a small partner programme."""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import contextmanager
from datetime import datetime, timedelta
from itertools import count
from typing import Any

import responses
from django.utils import timezone

from integrations import outbox
from integrations.canto.parsing import format_canto_time
from integrations.canto.runs import mark_deleted
from integrations.canto.sync import apply_assets
from integrations.models import CantoFieldMapping, OutboxMessage
from portal import grants
from portal.models import Asset, Community, Release
from portal.releases import services

FAKE_TRADINGGRID = "https://tradinggrid.example.test"
_canto_ids = count(1)

# Canto: assets arrive and change through the catalog sync's own write path ---------------------


def _raw(
    canto_id: str,
    *,
    name: str,
    version: int,
    md5: str,
    status: str,
    regulated: bool,
    expires_at: datetime | None,
    category: str,
    created: datetime,
) -> dict[str, Any]:
    now = timezone.now()
    additional = {"Category": category, "Regulated": "Yes" if regulated else "No"}
    if expires_at is not None:
        additional["Expiration Date"] = expires_at.isoformat()
    return {
        "id": canto_id,
        "scheme": "document",
        "name": name,
        "size": "1024",
        "md5": md5,
        "approvalStatus": status,
        "created": format_canto_time(created),
        "time": format_canto_time(now),
        "versionHistory": [
            {"no": str(no), "currentVersion": "true" if no == version else "false"}
            for no in range(version, 0, -1)
        ],
        "additional": additional,
        "default": {"Content Type": "application/pdf"},
    }


def md5_of(canto_id: str, version: int) -> str:
    """A stable, distinct file checksum per asset version."""
    return hashlib.sha256(f"{canto_id}:{version}".encode()).hexdigest()[:32]


def canto_asset(
    name: str | None = None,
    *,
    regulated: bool = False,
    status: str = "Approved",
    expires_at: datetime | None = None,
    category: str | None = None,
) -> Asset:
    """A new asset as the catalog sync would bring it in from Canto."""
    n = next(_canto_ids)
    canto_id = f"rel{n:023d}"
    raw = _raw(
        canto_id,
        name=name or f"Asset {n}.pdf",
        version=1,
        md5=md5_of(canto_id, 1),
        status=status,
        regulated=regulated,
        expires_at=expires_at,
        category=category or ("Safety data sheet" if regulated else "Product sheet"),
        created=timezone.now(),
    )
    _apply(raw)
    return Asset.objects.get(canto_id=canto_id)


def canto_change(
    asset: Asset,
    *,
    new_version: bool = False,
    status: str | None = None,
    expires_at: datetime | str | None = "keep",
    regulated: bool | None = None,
) -> Asset:
    """Change an asset in Canto and let the catalog sync see it (a webhook refresh)."""
    asset.refresh_from_db()
    version = asset.version_no + 1 if new_version else asset.version_no
    raw = _raw(
        asset.canto_id,
        name=asset.name,
        version=version,
        md5=md5_of(asset.canto_id, version) if new_version else asset.md5,
        status=status if status is not None else asset.approval_status,
        regulated=asset.regulated if regulated is None else regulated,
        expires_at=asset.expires_at if expires_at == "keep" else expires_at,
        category=asset.category,
        created=asset.canto_created or timezone.now(),
    )
    _apply(raw)
    asset.refresh_from_db()
    return asset


def canto_delete(asset: Asset) -> Asset:
    """Canto no longer has the asset; the full sync marks it deleted."""
    mark_deleted([asset.canto_id])
    asset.refresh_from_db()
    return asset


def _apply(raw: dict) -> None:
    result = apply_assets([raw], mapping=CantoFieldMapping.current(), detailed=True)
    assert not result.failures, result.failures


# Trading Grid: the remote API faked at the HTTP boundary --------------------------------------


class FakeTradingGrid:
    """Publications as Trading Grid holds them, changed only by the writes it receives.

    Idempotency keys are honoured (the same key answers the same result) and an archived
    publication refuses changes with 409, as the adapter contract and its sandbox do.
    """

    def __init__(self, base_url: str, tenant: str):
        self.base_url = base_url.rstrip("/")
        self.tenant = tenant
        self.publications: dict[str, dict] = {}
        self.answers: dict[str, tuple[int, dict]] = {}
        self.writes: list[tuple[str, str, dict]] = []
        self.failures: list[int] = []
        self._ids = count(1)
        self.mock = responses.RequestsMock(assert_all_requests_are_fired=False)

    def __enter__(self) -> FakeTradingGrid:
        api = re.escape(f"{self.base_url}/ac/v1")
        self.mock.__enter__()
        self.mock.add_callback(
            responses.POST,
            f"{self.base_url}/tenants/{self.tenant}/oauth2/token",
            callback=lambda r: (200, {}, json.dumps({"access_token": "t", "expires_in": 3600})),
        )
        self.mock.add_callback(
            responses.POST,
            re.compile(rf"{api}/communities/([^/]+)/publications$"),
            callback=self._write(self._publish),
        )
        self.mock.add_callback(
            responses.PATCH,
            re.compile(rf"{api}/publications/([^/:]+)$"),
            callback=self._write(self._update),
        )
        self.mock.add_callback(
            responses.POST,
            re.compile(rf"{api}/publications/([^/:]+):archive$"),
            callback=self._write(self._archive),
        )
        self.mock.add_callback(
            responses.GET,
            re.compile(rf"{api}/publications/([^/:?]+)(\?.*)?$"),
            callback=self._read,
        )
        return self

    def __exit__(self, *exc) -> None:
        self.mock.__exit__(*exc)

    # What partners see ----------------------------------------------------------------------
    def shown(self, community_id: str | None = None) -> list[dict]:
        return [
            p
            for p in self.publications.values()
            if p["status"] == "published"
            and (community_id is None or p["community_id"] == community_id)
        ]

    def shown_versions(self, community_id: str) -> set[tuple[str, str, str]]:
        """(external_ref, version, md5) of every publication partners of a community see."""
        return {
            (p["external_ref"], p["version"], p["files"][0]["md5"])
            for p in self.shown(community_id)
        }

    def drop(self, pub_id: str, how: str = "archived") -> None:
        """A change made in Trading Grid behind the portal's back: archived, or deleted."""
        if how == "deleted":
            del self.publications[pub_id]
        else:
            self.publications[pub_id]["status"] = "archived"

    def fail_next(self, *statuses: int) -> None:
        """Answer the next writes with these statuses (503: upstream trouble)."""
        self.failures.extend(statuses)

    # The API ----------------------------------------------------------------------------------
    def _write(self, handler):
        def respond(request):
            if self.failures:
                status = self.failures.pop(0)
                return status, {"Content-Type": "application/problem+json"}, "{}"
            key = request.headers.get("Idempotency-Key", "")
            if key in self.answers:
                status, data = self.answers[key]
            else:
                body = json.loads(request.body) if request.body else {}
                path = request.path_url.split("?")[0]
                status, data = handler(path, body)
                if 200 <= status < 300:
                    self.answers[key] = (status, data)
                    self.writes.append((request.method, path, body))
            return status, {"Content-Type": "application/json"}, json.dumps(data)

        return respond

    def _publish(self, path: str, body: dict) -> tuple[int, dict]:
        community_id = path.split("/")[-2]
        pub_id = f"pub_{next(self._ids)}"
        self.publications[pub_id] = {
            **body,
            "id": pub_id,
            "community_id": community_id,
            "status": "published",
        }
        return 201, self.publications[pub_id]

    def _update(self, path: str, body: dict) -> tuple[int, dict]:
        pub = self.publications.get(path.rsplit("/", 1)[-1])
        if pub is None:
            return 404, {"title": "Not found", "status": 404}
        if pub["status"] == "archived":
            return 409, {"title": "An archived publication cannot be changed.", "status": 409}
        pub.update(body)
        return 200, pub

    def _archive(self, path: str, body: dict) -> tuple[int, dict]:
        pub = self.publications.get(path.rsplit("/", 1)[-1].split(":")[0])
        if pub is None:
            return 404, {"title": "Not found", "status": 404}
        pub["status"] = "archived"
        return 200, pub

    def _read(self, request):
        pub = self.publications.get(request.path_url.split("?")[0].rsplit("/", 1)[-1])
        if pub is None:
            return 404, {"Content-Type": "application/problem+json"}, "{}"
        return 200, {"Content-Type": "application/json"}, json.dumps(pub)


@contextmanager
def fake_trading_grid(settings) -> FakeTradingGrid:
    """Point the portal at a faked Trading Grid for the duration of the block."""
    from django.core.cache import cache

    settings.TRADINGGRID_BASE_URL = FAKE_TRADINGGRID
    settings.TRADINGGRID_MAX_ATTEMPTS = 1  # a refused write is the outbox's to retry
    cache.clear()
    with FakeTradingGrid(FAKE_TRADINGGRID, settings.TRADINGGRID_TENANT_ID) as tg:
        yield tg


# The outbox, delivered the way a relay delivers it --------------------------------------------


def owed(**filters) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(
            status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.RETRYING], **filters
        ).order_by("id")
    )


def deliver(message: OutboxMessage) -> str:
    """Claim one message as a relay does and send it (its callbacks run as in production)."""
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING, claimed_at=now
    )
    message.refresh_from_db()
    return outbox.send(message)


def deliver_all() -> dict[str, int]:
    """Every due write, as the relay task sends them."""
    return outbox.relay()


# Celery tasks in this process (the mails they send land in ``mail.outbox``) --------------------


@contextmanager
def tasks_run_here():
    """Celery tasks queued meanwhile run in this process, as the worker would run them."""
    from portal.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = before


# Time -----------------------------------------------------------------------------------------


class Clock:
    """The portal's clock moved forward (``django.utils.timezone.now``); real time still runs."""

    def __init__(self, monkeypatch):
        self.offset = timedelta(0)
        real = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real() + self.offset)

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


# People and communities ------------------------------------------------------------------------


def community(tg_id: str, name: str, region: str, *, review_optional: bool = False) -> Community:
    return Community.objects.create(
        tg_id=tg_id,
        name=name,
        region=region,
        regions=[region],
        region_index=f"|{region}|",
        status="active",
        review_optional=review_optional,
    )


def grant(community_: Community, *people) -> None:
    for person in people:
        grants.grant_community(person, community_)


def state(release: Release) -> str:
    release.refresh_from_db()
    return release.state


def emea_distributors(*people) -> Community:
    """EMEA distributors, granted to these people."""
    emea = community("com_emea", "EMEA distributors", "EMEA")
    grant(emea, *people)
    return emea


def apac_resellers() -> Community:
    """APAC resellers, granted to nobody yet."""
    return community("com_apac", "APAC resellers", "APAC")


def released(
    manager, reviewer, communities, assets, *, name: str = "Pump X200 launch", **values
) -> Release:
    """A release of these assets to these communities, submitted and approved."""
    release = services.create(manager, communities=communities, name=name, **values)
    for asset in assets:
        services.add_item(manager, release, asset)
    services.submit(manager, release)
    release.refresh_from_db()
    if release.state == Release.State.IN_REVIEW:
        services.approve(reviewer, release, revision=release.revision)
    release.refresh_from_db()
    return release


def actions(release: Release) -> list[str]:
    """The release's audit trail, oldest first."""
    from audit.models import AuditEvent

    return list(
        AuditEvent.objects.filter(object_type="portal.release", object_id=str(release.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
