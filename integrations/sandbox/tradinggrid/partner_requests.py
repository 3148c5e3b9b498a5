"""A partner's requests: opening one, commenting, confirming delivery, reopening.

Fires request.created, request.comment.created and request.updated.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from integrations.sandbox.tradinggrid.actions import contact_for, partner_by_id
from integrations.sandbox.tradinggrid.lookups import find
from integrations.sandbox.tradinggrid.membership import DEFAULT_LOCALES
from integrations.sandbox.tradinggrid.problems import Problem, validation_error
from integrations.sandbox.tradinggrid.state import (
    ISSUE_CATEGORIES,
    REQUEST_STATUSES,
    REQUEST_TYPES,
    Comment,
    PartnerRequest,
    utcnow,
)

if TYPE_CHECKING:
    from integrations.sandbox.tradinggrid.app import TradingGridSandbox

DUE_DAYS = {"localization": 10, "asset_request": 5, "content_issue": 5, "question": 3}


def _reference(found: PartnerRequest) -> dict[str, Any]:
    return {"request": {"id": found.id, "partner_id": found.partner_id, "status": found.status}}


def _asset_refs(value: Any) -> list[dict[str, Any]]:
    if value in (None, "", []):
        return []
    items = value if isinstance(value, list) else [value]
    refs = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("external_ref"), str):
            refs.append(dict(item))
        elif isinstance(item, str) and item.strip():
            refs.append({"external_ref": item.strip()})
        else:
            raise validation_error([{"field": "asset_refs", "code": "invalid"}])
    return refs


def open_request(sb: TradingGridSandbox, data: dict[str, Any]) -> PartnerRequest:
    """A partner contact opens a request in one of the partner's communities."""
    errors: list[dict[str, str]] = []
    kind = data.get("type")
    if kind not in REQUEST_TYPES:
        errors.append({"field": "type", "code": "invalid_choice"})
    category = data.get("category") or None
    if kind == "content_issue" and category not in ISSUE_CATEGORIES:
        errors.append({"field": "category", "code": "invalid_choice"})
    subject = str(data.get("subject") or "").strip()
    if not subject:
        errors.append({"field": "subject", "code": "required"})
    refs = _asset_refs(data.get("asset_refs"))
    if errors:
        raise validation_error(errors)
    now = utcnow()
    with sb.store.lock:
        partner = partner_by_id(sb, data.get("partner_id"))
        community_id = str(data.get("community_id") or "") or (partner.community_ids or [""])[0]
        find(sb.store.communities, community_id, "community")
        if community_id not in partner.community_ids:
            raise validation_error([{"field": "community_id", "code": "not_a_member"}])
        contact = contact_for(sb, partner, data.get("contact_id"))
        default_locale = contact.locale if contact else DEFAULT_LOCALES[partner.language]
        found = PartnerRequest(
            id=sb.store.new_id("req"),
            community_id=community_id,
            partner_id=partner.id,
            opened_by={"type": "partner_contact", "id": contact.id if contact else ""},
            type=kind,
            category=category if kind == "content_issue" else None,
            subject=subject,
            description=str(data.get("description") or ""),
            locale=str(data.get("locale") or default_locale),
            asset_refs=refs,
            status="new",
            priority="normal",
            due_at=now + timedelta(days=DUE_DAYS[kind]),
            created_at=now,
            updated_at=now,
        )
        sb.store.requests[found.id] = found
        reference = _reference(found)
    sb.fire("request.created", found.community_id, reference)
    return found


def comment(sb: TradingGridSandbox, request_id: str, body: Any, contact_id: Any = None) -> Comment:
    """The requesting partner comments (publicly) on its request."""
    text = str(body or "").strip()
    if not text:
        raise validation_error([{"field": "body", "code": "required"}])
    with sb.store.lock:
        found = find(sb.store.requests, request_id, "request")
        partner = partner_by_id(sb, found.partner_id)
        contact = contact_for(sb, partner, contact_id)
        name = f"{contact.first_name} {contact.last_name}" if contact else partner.company_name
        author = {"type": "partner_contact", "id": contact.id if contact else "", "name": name}
        created = Comment(sb.store.new_id("cmt"), found.id, author, "public", text, [], utcnow())
        sb.store.comments[created.id] = created
        sb.store.stamp(found)
    sb.fire(
        "request.comment.created",
        found.community_id,
        {"comment": {"id": created.id, "request_id": found.id}},
    )
    return created


def set_status(
    sb: TradingGridSandbox, request_id: str, status: Any, *, only_from: tuple[str, ...] = ()
) -> PartnerRequest:
    """Move a request to ``status`` (optionally only from the given ones)."""
    if status not in REQUEST_STATUSES:
        raise validation_error([{"field": "status", "code": "invalid_choice"}])
    with sb.store.lock:
        found = find(sb.store.requests, request_id, "request")
        if only_from and found.status not in only_from:
            raise Problem(
                409, f"Request {found.id} is {found.status}; needs one of {', '.join(only_from)}."
            )
        changed = found.status != status
        if changed:
            found.status = status
            sb.store.stamp(found)
        reference = _reference(found)
    if changed:
        sb.fire("request.updated", found.community_id, reference)
    return found
