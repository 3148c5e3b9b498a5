"""The Trading Grid sandbox's in-memory tenant: communities, partners, publications, requests.

One re-entrant lock guards everything. Times are timezone-aware UTC datetimes; every change
stamps the object's ``updated_at`` so that ``updated_since`` polling and cursor paging see it.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REQUEST_TYPES = ("asset_request", "localization", "content_issue", "question")
ISSUE_CATEGORIES = ("missing", "outdated", "hard_to_find")
REQUEST_STATUSES = (
    "new",
    "open",
    "pending_partner",
    "pending_internal",
    "resolved",
    "closed",
    "cancelled",
)
PRIORITIES = ("low", "normal", "high", "urgent")
PARTNER_STATUSES = ("active", "inactive", "incomplete")
PUBLICATION_STATUSES = ("scheduled", "published", "archived", "expired")
ACK_STATUSES = ("pending", "viewed", "acknowledged", "declined", "expired")


def utcnow() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)


def rfc3339(moment: datetime | None) -> str | None:
    """``2025-03-04T16:00:01Z`` (whole seconds, UTC), or None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> datetime:
    """An RFC 3339 timestamp with a date, a time and an offset; ValueError otherwise."""
    if not isinstance(text, str) or len(text) < 20 or text[10] not in "Tt ":
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}")
    moment = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "Zz" else text)
    if moment.tzinfo is None:
        raise ValueError(f"an RFC 3339 timestamp needs an offset: {text!r}")
    return moment.astimezone(UTC)


@dataclass(slots=True)
class Community:
    """A partner community."""

    id: str
    name: str
    description: str
    status: str
    regions: list[str]
    tiers: list[str]
    updated_at: datetime


@dataclass(slots=True)
class Partner:
    """A trading partner, a member of one or more communities."""

    id: str
    community_ids: list[str]
    company_name: str
    status: str
    tier: str
    regions: list[str]
    language: str
    tags: list[str]
    joined_at: datetime
    updated_at: datetime


@dataclass(slots=True)
class Contact:
    """A person working for a partner."""

    id: str
    partner_id: str
    email: str
    first_name: str
    last_name: str
    locale: str
    status: str
    updated_at: datetime


@dataclass(slots=True)
class Publication:
    """Published content; ``fields`` holds everything posted, normalised."""

    id: str
    community_id: str
    fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None = None

    def moment(self, name: str) -> datetime | None:
        """One of the timestamp fields as a datetime."""
        value = self.fields.get(name)
        return parse_rfc3339(value) if value else None

    def status(self, now: datetime) -> str:
        """``archived``, ``expired``, ``scheduled`` or ``published`` at ``now``."""
        if self.archived_at is not None:
            return "archived"
        expires = self.moment("expires_at")
        if expires is not None and expires <= now:
            return "expired"
        publish = self.moment("publish_at")
        if publish is not None and publish > now:
            return "scheduled"
        return "published"


@dataclass(slots=True)
class Acknowledgement:
    """What one partner did with one publication."""

    publication_id: str
    partner_id: str
    contact_id: str | None
    status: str
    viewed_at: datetime | None
    acknowledged_at: datetime | None
    comment: str
    updated_at: datetime


@dataclass(slots=True)
class Usage:
    """Views and downloads of one publication by one partner."""

    views: int = 0
    downloads: int = 0
    last_at: datetime | None = None


@dataclass(slots=True)
class PartnerRequest:
    """A partner's request (asset, localisation, content issue or question)."""

    id: str
    community_id: str
    partner_id: str
    opened_by: dict[str, str]
    type: str
    category: str | None
    subject: str
    description: str
    locale: str
    asset_refs: list[dict[str, Any]]
    status: str
    priority: str
    due_at: datetime | None
    created_at: datetime
    updated_at: datetime
    assignee: Any = None
    resolution: str | None = None


@dataclass(slots=True)
class Comment:
    """A comment on a request."""

    id: str
    request_id: str
    author: dict[str, Any]
    visibility: str
    body: str
    attachments: list[Any]
    created_at: datetime

    @property
    def updated_at(self) -> datetime:
        """Comments never change: their creation time."""
        return self.created_at


@dataclass(slots=True)
class Subscription:
    """An event subscription registered through ``POST /webhooks``."""

    id: str
    url: str
    events: list[str]
    secret: str
    created_at: datetime
    status: str = "active"

    @property
    def updated_at(self) -> datetime:
        """Subscriptions never change: their creation time."""
        return self.created_at


@dataclass
class Seeded:
    """What the seed produces."""

    communities: list[Community] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    requests: list[PartnerRequest] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)


def audience_matches(publication: Publication, partner: Partner) -> bool:
    """Empty audience: everyone; else the partner's id, tier or one of its regions is named."""
    audience = publication.fields.get("audience") or {}
    partner_ids = audience.get("partner_ids") or []
    tiers = {str(tier).lower() for tier in audience.get("tiers") or []}
    regions = {str(region).lower() for region in audience.get("regions") or []}
    if not (partner_ids or tiers or regions):
        return True
    return (
        partner.id in partner_ids
        or partner.tier.lower() in tiers
        or any(region.lower() in regions for region in partner.regions)
    )


class Store:
    """Everything the sandbox's tenant holds."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._random = random.Random(0)
        self.replace(Seeded(), 0)

    def replace(self, seeded: Seeded, seed: int) -> None:
        """Swap in freshly seeded data; publications, usage and subscriptions start empty."""
        with self.lock:
            self.communities = {c.id: c for c in seeded.communities}
            self.partners = {p.id: p for p in seeded.partners}
            self.contacts = {c.id: c for c in seeded.contacts}
            self.requests = {r.id: r for r in seeded.requests}
            self.comments = {c.id: c for c in seeded.comments}
            self.publications: dict[str, Publication] = {}
            self.acknowledgements: dict[tuple[str, str], Acknowledgement] = {}
            self.usage: dict[str, dict[str, Usage]] = {}
            self.subscriptions: dict[str, Subscription] = {}
            self._random = random.Random(f"runtime-{seed}")

    def new_id(self, prefix: str) -> str:
        """A fresh id such as ``pub_7Q2KX9MD``."""
        with self.lock:
            taken = (
                self.communities,
                self.partners,
                self.contacts,
                self.publications,
                self.requests,
                self.comments,
                self.subscriptions,
            )
            while True:
                candidate = f"{prefix}_{''.join(self._random.choices(ID_ALPHABET, k=8))}"
                if not any(candidate in objects for objects in taken):
                    return candidate

    @staticmethod
    def stamp(obj: Any) -> datetime:
        """Mark ``obj`` changed now (never earlier than its previous change)."""
        now = utcnow()
        obj.updated_at = max(now, obj.updated_at + timedelta(microseconds=1))
        return obj.updated_at

    def contacts_of(self, partner_id: str) -> list[Contact]:
        """A partner's contacts, in id order."""
        with self.lock:
            return sorted(
                (c for c in self.contacts.values() if c.partner_id == partner_id),
                key=lambda c: c.id,
            )

    def members(self, community_id: str) -> list[Partner]:
        """The partners of a community, in company-name order."""
        with self.lock:
            return sorted(
                (p for p in self.partners.values() if community_id in p.community_ids),
                key=lambda p: (p.company_name.lower(), p.id),
            )

    def visible_to(self, partner: Partner, now: datetime) -> list[Publication]:
        """The publications ``partner`` sees at ``now``, oldest first."""
        with self.lock:
            return sorted(
                (
                    pub
                    for pub in self.publications.values()
                    if pub.community_id in partner.community_ids
                    and pub.status(now) == "published"
                    and audience_matches(pub, partner)
                ),
                key=lambda pub: (pub.created_at, pub.id),
            )

    def audience_of(self, publication: Publication) -> list[Partner]:
        """The community members the publication's audience names."""
        return [
            p for p in self.members(publication.community_id) if audience_matches(publication, p)
        ]

    def comments_of(self, request_id: str) -> list[Comment]:
        """A request's comments, oldest first."""
        with self.lock:
            return sorted(
                (c for c in self.comments.values() if c.request_id == request_id),
                key=lambda c: (c.created_at, c.id),
            )
