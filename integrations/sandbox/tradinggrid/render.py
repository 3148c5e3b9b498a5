"""The JSON shapes of the adapter contract (``api/tradinggrid.md``), one function per resource."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from integrations.sandbox.tradinggrid.state import (
    Acknowledgement,
    Comment,
    Community,
    Contact,
    Partner,
    PartnerRequest,
    Publication,
    Store,
    Subscription,
    rfc3339,
)

PUBLICATION_KEYS = (
    "title",
    "summary",
    "type",
    "files",
    "audience",
    "requires_acknowledgement",
    "acknowledgement_due_at",
    "publish_at",
    "expires_at",
    "external_ref",
    "version",
    "supersedes",
)


def community_json(community: Community) -> dict[str, Any]:
    """``{id, name, description, status, regions[], tiers[], updated_at}``."""
    return {
        "id": community.id,
        "name": community.name,
        "description": community.description,
        "status": community.status,
        "regions": list(community.regions),
        "tiers": list(community.tiers),
        "updated_at": rfc3339(community.updated_at),
    }


def partner_json(partner: Partner) -> dict[str, Any]:
    """A partner as the contract describes it."""
    return {
        "id": partner.id,
        "community_ids": list(partner.community_ids),
        "company_name": partner.company_name,
        "status": partner.status,
        "tier": partner.tier,
        "regions": list(partner.regions),
        "language": partner.language,
        "tags": list(partner.tags),
        "joined_at": rfc3339(partner.joined_at),
        "updated_at": rfc3339(partner.updated_at),
    }


def contact_json(contact: Contact) -> dict[str, Any]:
    """A partner contact (plus ``updated_at``, which ``updated_since`` filters on)."""
    return {
        "id": contact.id,
        "partner_id": contact.partner_id,
        "email": contact.email,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "locale": contact.locale,
        "status": contact.status,
        "updated_at": rfc3339(contact.updated_at),
    }


def publication_json(publication: Publication, now: datetime) -> dict[str, Any]:
    """Everything posted, with ``id``, ``community_id``, ``status`` and the timestamps."""
    fields = publication.fields
    data: dict[str, Any] = {"id": publication.id, "community_id": publication.community_id}
    data.update({key: fields.get(key) for key in PUBLICATION_KEYS})
    data.update({key: value for key, value in fields.items() if key not in data})
    data["status"] = publication.status(now)
    data["created_at"] = rfc3339(publication.created_at)
    data["updated_at"] = rfc3339(publication.updated_at)
    data["archived_at"] = rfc3339(publication.archived_at)
    return data


def acknowledgement_rows(
    store: Store, publication: Publication, now: datetime
) -> list[Acknowledgement]:
    """One row per partner: those who acted, plus the whole audience when an ack is required.

    Rows for partners who did nothing are ``pending`` (``expired`` once the due date passed).
    """
    with store.lock:
        stored = {
            partner_id: ack
            for (publication_id, partner_id), ack in store.acknowledgements.items()
            if publication_id == publication.id
        }
        required = bool(publication.fields.get("requires_acknowledgement"))
        audience = store.audience_of(publication) if required else []
    due = publication.moment("acknowledgement_due_at")
    overdue = required and due is not None and due <= now
    rows: list[Acknowledgement] = []
    for partner in audience:
        if partner.id not in stored:
            status = "expired" if overdue else "pending"
            rows.append(
                Acknowledgement(
                    publication.id, partner.id, None, status, None, None, "", publication.created_at
                )
            )
    for ack in stored.values():
        if overdue and ack.status in ("pending", "viewed"):
            rows.append(replace(ack, status="expired"))
        else:
            rows.append(ack)
    return rows


def acknowledgement_json(ack: Acknowledgement) -> dict[str, Any]:
    """``{publication_id, partner_id, contact_id, status, viewed_at, acknowledged_at, comment}``."""
    return {
        "publication_id": ack.publication_id,
        "partner_id": ack.partner_id,
        "contact_id": ack.contact_id,
        "status": ack.status,
        "viewed_at": rfc3339(ack.viewed_at),
        "acknowledged_at": rfc3339(ack.acknowledged_at),
        "comment": ack.comment,
        "updated_at": rfc3339(ack.updated_at),
    }


def usage_json(store: Store, publication: Publication) -> dict[str, Any]:
    """``{views, downloads, by_partner: [{partner_id, views, downloads, last_at}]}``."""
    with store.lock:
        counts = sorted(store.usage.get(publication.id, {}).items())
        by_partner = [
            {
                "partner_id": partner_id,
                "views": usage.views,
                "downloads": usage.downloads,
                "last_at": rfc3339(usage.last_at),
            }
            for partner_id, usage in counts
        ]
    return {
        "publication_id": publication.id,
        "views": sum(row["views"] for row in by_partner),
        "downloads": sum(row["downloads"] for row in by_partner),
        "by_partner": by_partner,
    }


def request_json(request: PartnerRequest) -> dict[str, Any]:
    """A partner request (plus ``assignee`` and ``resolution``, which PATCH sets)."""
    return {
        "id": request.id,
        "community_id": request.community_id,
        "partner_id": request.partner_id,
        "opened_by": dict(request.opened_by),
        "type": request.type,
        "category": request.category,
        "subject": request.subject,
        "description": request.description,
        "locale": request.locale,
        "asset_refs": [dict(ref) for ref in request.asset_refs],
        "status": request.status,
        "priority": request.priority,
        "assignee": request.assignee,
        "resolution": request.resolution,
        "due_at": rfc3339(request.due_at),
        "created_at": rfc3339(request.created_at),
        "updated_at": rfc3339(request.updated_at),
    }


def comment_json(comment: Comment) -> dict[str, Any]:
    """``{id, request_id, author: {type, id, name}, visibility, body, attachments, created_at}``."""
    return {
        "id": comment.id,
        "request_id": comment.request_id,
        "author": dict(comment.author),
        "visibility": comment.visibility,
        "body": comment.body,
        "attachments": list(comment.attachments),
        "created_at": rfc3339(comment.created_at),
    }


def subscription_json(subscription: Subscription, with_secret: bool = False) -> dict[str, Any]:
    """A webhook subscription; its secret only in the answer to its creation."""
    data: dict[str, Any] = {
        "id": subscription.id,
        "url": subscription.url,
        "events": list(subscription.events),
        "status": subscription.status,
        "created_at": rfc3339(subscription.created_at),
    }
    if with_secret:
        data["secret"] = subscription.secret
    return data
