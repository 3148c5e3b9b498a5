"""What a partner does with publications, and drift made behind the portal's back.

Shared by the partner view and the control API; each partner action fires the event Trading
Grid would send for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from integrations.sandbox.tradinggrid.lookups import find
from integrations.sandbox.tradinggrid.problems import Problem, validation_error
from integrations.sandbox.tradinggrid.state import (
    Acknowledgement,
    Contact,
    Partner,
    Publication,
    Usage,
    utcnow,
)

if TYPE_CHECKING:
    from integrations.sandbox.tradinggrid.app import TradingGridSandbox

DRIFT_ACTIONS = ("delete", "archive", "change_version")


def partner_by_id(sb: TradingGridSandbox, partner_id: Any) -> Partner:
    """A partner, or a 404 problem."""
    return find(sb.store.partners, str(partner_id or ""), "partner")


def contact_for(sb: TradingGridSandbox, partner: Partner, contact_id: Any = None) -> Contact | None:
    """The named contact of ``partner`` (a 422 when it is someone else's), else its first one."""
    contacts = sb.store.contacts_of(partner.id)
    if contact_id:
        for contact in contacts:
            if contact.id == contact_id:
                return contact
        raise validation_error([{"field": "contact_id", "code": "not_found"}])
    active = [c for c in contacts if c.status == "active"]
    return (active or contacts or [None])[0]


def _visible(sb: TradingGridSandbox, publication_id: str, partner: Partner) -> Publication:
    publication = find(sb.store.publications, publication_id, "publication")
    if publication not in sb.store.visible_to(partner, utcnow()):
        raise Problem(409, f"Publication {publication_id} is not visible to {partner.id}.")
    return publication


def _event_data(pub: Publication, partner: Partner, contact: Contact | None) -> dict[str, Any]:
    return {
        "publication": {"id": pub.id},
        "partner_id": partner.id,
        "contact_id": contact.id if contact else None,
    }


def _usage(sb: TradingGridSandbox, pub: Publication, partner: Partner) -> Usage:
    return sb.store.usage.setdefault(pub.id, {}).setdefault(partner.id, Usage())


def _ack(sb: TradingGridSandbox, pub: Publication, partner: Partner) -> Acknowledgement:
    key = (pub.id, partner.id)
    ack = sb.store.acknowledgements.get(key)
    if ack is None:
        ack = Acknowledgement(pub.id, partner.id, None, "pending", None, None, "", utcnow())
        sb.store.acknowledgements[key] = ack
    return ack


def view(
    sb: TradingGridSandbox, publication_id: str, partner_id: Any, contact_id: Any = None
) -> Publication:
    """The partner opens a publication: a view is counted; fires publication.viewed."""
    with sb.store.lock:
        partner = partner_by_id(sb, partner_id)
        contact = contact_for(sb, partner, contact_id)
        pub = _visible(sb, publication_id, partner)
        now = utcnow()
        usage = _usage(sb, pub, partner)
        usage.views += 1
        usage.last_at = now
        ack = _ack(sb, pub, partner)
        if ack.viewed_at is None:
            ack.viewed_at = now
            ack.contact_id = ack.contact_id or (contact.id if contact else None)
            if ack.status == "pending":
                ack.status = "viewed"
            sb.store.stamp(ack)
    sb.fire("publication.viewed", pub.community_id, _event_data(pub, partner, contact))
    return pub


def download(
    sb: TradingGridSandbox,
    publication_id: str,
    partner_id: Any,
    contact_id: Any = None,
    file: Any = 0,
) -> dict[str, Any]:
    """The partner downloads one file (by index or name); fires publication.downloaded."""
    with sb.store.lock:
        partner = partner_by_id(sb, partner_id)
        contact = contact_for(sb, partner, contact_id)
        pub = _visible(sb, publication_id, partner)
        files = pub.fields.get("files") or []
        chosen = next((f for f in files if f.get("name") == file), None)
        if chosen is None:
            try:
                chosen = files[int(file or 0)]
            except (ValueError, TypeError, IndexError):
                raise validation_error([{"field": "file", "code": "not_found"}]) from None
        usage = _usage(sb, pub, partner)
        usage.downloads += 1
        usage.last_at = utcnow()
    sb.fire("publication.downloaded", pub.community_id, _event_data(pub, partner, contact))
    return dict(chosen)


def acknowledge(
    sb: TradingGridSandbox,
    publication_id: str,
    partner_id: Any,
    contact_id: Any = None,
    status: str = "acknowledged",
    comment: str = "",
) -> Acknowledgement:
    """The partner acknowledges (or declines) a publication; fires publication.acknowledged."""
    if status not in ("acknowledged", "declined"):
        raise validation_error([{"field": "status", "code": "invalid_choice"}])
    with sb.store.lock:
        partner = partner_by_id(sb, partner_id)
        contact = contact_for(sb, partner, contact_id)
        pub = _visible(sb, publication_id, partner)
        now = utcnow()
        ack = _ack(sb, pub, partner)
        ack.status = status
        ack.contact_id = contact.id if contact else None
        ack.acknowledged_at = now
        ack.viewed_at = ack.viewed_at or now
        ack.comment = str(comment or "")
        sb.store.stamp(ack)
    sb.fire("publication.acknowledged", pub.community_id, _event_data(pub, partner, contact))
    return ack


def drift(sb: TradingGridSandbox, publication_id: str, data: dict[str, Any]) -> Publication:
    """Change a publication without telling anyone: delete, archive or change its version."""
    action = data.get("action")
    if action not in DRIFT_ACTIONS:
        raise validation_error([{"field": "action", "code": "invalid_choice"}])
    with sb.store.lock:
        pub = find(sb.store.publications, publication_id, "publication")
        if action == "delete":
            del sb.store.publications[pub.id]
            sb.store.usage.pop(pub.id, None)
            for key in [k for k in sb.store.acknowledgements if k[0] == pub.id]:
                del sb.store.acknowledgements[key]
        elif action == "archive":
            if pub.archived_at is None:
                pub.archived_at = sb.store.stamp(pub)
        else:
            version = data.get("version")
            if version is None or isinstance(version, bool | dict | list):
                raise validation_error([{"field": "version", "code": "required"}])
            pub.fields["version"] = str(version)
            sb.store.stamp(pub)
    return pub
