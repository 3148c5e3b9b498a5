"""Status links: issued to a partner contact, kept only as a SHA-256 of a 256-bit token."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from audit.services import record
from portal.errors import Conflict, ServiceError
from requests_app import lifecycle
from requests_app.models import PartnerRequest, StatusLink
from requests_app.partner_side import partner_actor
from requests_app.rules import require

TOKEN_BYTES = 32  # 256 bits


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def lifetime(days: int | None) -> int:
    days = settings.STATUS_LINK_DAYS if days is None else days
    if not 1 <= days <= 365:
        raise ServiceError("A status link lasts between 1 and 365 days.")
    return days


def url_for(token: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("request_status", args=[token])


@transaction.atomic
def issue(
    user, request: PartnerRequest, *, days: int | None = None, revoke_others: bool = False
) -> tuple[StatusLink, str]:
    """A new link; the token is returned once and never stored."""
    request = lifecycle.lock(request)
    require(user, request)
    days = lifetime(days)
    if revoke_others:
        for link in request.status_links.filter(revoked_at=None):
            _revoke(user, link)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = StatusLink.objects.create(
        request=request,
        token_hash=digest(token),
        hint=token[:6],
        created_by=user,
        expires_at=timezone.now() + timedelta(days=days),
    )
    record(
        "request.status_link_issued",
        obj=request,
        after={"link": link.pk, "hint": link.hint, "expires_at": link.expires_at.isoformat()},
    )
    return link, token


def _revoke(user, link: StatusLink) -> None:
    link.revoked_at, link.revoked_by = timezone.now(), user
    link.save(update_fields=["revoked_at", "revoked_by"])
    record(
        "request.status_link_revoked", obj=link.request, after={"link": link.pk, "hint": link.hint}
    )


@transaction.atomic
def revoke(user, link: StatusLink) -> StatusLink:
    link = (
        StatusLink.objects.select_for_update(of=("self",))
        .select_related("request__community")
        .get(pk=link.pk)
    )
    require(user, link.request)
    if link.revoked_at is not None:
        raise Conflict("This link is already revoked.")
    _revoke(user, link)
    return link


def send_later(user, request: PartnerRequest, *, days: int | None = None) -> None:
    """E-mail a new link to the partner's contacts from a worker, so the token is never stored."""
    require(user, request)
    lifetime(days)
    if request.partner_id is None or not request.partner.contacts.exclude(email="").exists():
        raise ServiceError("This partner has no contact with an e-mail address.")
    from portal.jobs import enqueue
    from requests_app.tasks import send_status_link

    enqueue(send_status_link, request.pk, user.pk, days)


def resolve(token: str) -> tuple[StatusLink | None, str]:
    """(link, "ok"), (link, "expired" or "revoked"), or (None, "unknown") for a token."""
    if not token or len(token) > 100:
        return None, "unknown"
    link = StatusLink.objects.select_related("request").filter(token_hash=digest(token)).first()
    if link is None:
        return None, "unknown"
    if link.revoked_at is not None:
        return link, "revoked"
    if link.expires_at <= timezone.now():
        return link, "expired"
    return link, "ok"


@transaction.atomic
def viewed(link: StatusLink, *, at: datetime | None = None) -> None:
    """A partner opened the page: counted on the link and audited as the partner."""
    at = at or timezone.now()
    StatusLink.objects.filter(pk=link.pk).update(last_viewed_at=at, views=F("views") + 1)
    record(
        "request.status_viewed",
        obj=link.request,
        after={"link": link.pk, "hint": link.hint},
        actor=partner_actor(link.request),
    )
