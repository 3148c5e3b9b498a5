"""Partners joining, leaving and changing: fires partner.joined, partner.left, partner.updated."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from integrations.sandbox.tradinggrid.actions import partner_by_id
from integrations.sandbox.tradinggrid.lookups import find
from integrations.sandbox.tradinggrid.problems import validation_error
from integrations.sandbox.tradinggrid.seed import ascii_fold
from integrations.sandbox.tradinggrid.state import PARTNER_STATUSES, Contact, Partner, utcnow

if TYPE_CHECKING:
    from integrations.sandbox.tradinggrid.app import TradingGridSandbox

LANGUAGES = ("en", "de", "fr", "es", "ja", "pt", "it", "sv")
DEFAULT_LOCALES = {
    "en": "en-US",
    "de": "de-DE",
    "fr": "fr-FR",
    "es": "es-ES",
    "ja": "ja-JP",
    "pt": "pt-BR",
    "it": "it-IT",
    "sv": "sv-SE",
}
UPDATABLE = ("company_name", "status", "tier", "regions", "language", "tags")


def _clean(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: list[dict[str, str]] = []
    cleaned: dict[str, Any] = {}
    if not partial or "company_name" in data:
        name = data.get("company_name")
        if not isinstance(name, str) or not name.strip():
            errors.append({"field": "company_name", "code": "required"})
        else:
            cleaned["company_name"] = name.strip()
    for name, default in (("status", "active"), ("tier", "registered"), ("language", "en")):
        if not partial or name in data:
            value = data.get(name) or default
            allowed = {"status": PARTNER_STATUSES, "language": LANGUAGES}.get(name)
            if not isinstance(value, str) or (allowed and value not in allowed):
                errors.append({"field": name, "code": "invalid_choice"})
            cleaned[name] = value
    for name in ("regions", "tags"):
        if not partial or name in data:
            values = data.get(name) or []
            if isinstance(values, str):
                values = [part.strip() for part in values.split(",") if part.strip()]
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                errors.append({"field": name, "code": "invalid"})
            cleaned[name] = list(values) if isinstance(values, list) else []
    if errors:
        raise validation_error(errors)
    return cleaned


def join(sb: TradingGridSandbox, data: dict[str, Any]) -> Partner:
    """A new partner joins a community (or ``partner_id`` joins another one)."""
    community = find(sb.store.communities, str(data.get("community_id") or ""), "community")
    now = utcnow()
    with sb.store.lock:
        if data.get("partner_id"):
            partner = partner_by_id(sb, data["partner_id"])
            if community.id in partner.community_ids:
                raise validation_error([{"field": "community_id", "code": "already_member"}])
            partner.community_ids.append(community.id)
            sb.store.stamp(partner)
        else:
            fields = _clean(data, partial=False)
            if not fields["regions"]:
                fields["regions"] = list(community.regions[:1])
            partner = Partner(
                sb.store.new_id("par"), [community.id], joined_at=now, updated_at=now, **fields
            )
            sb.store.partners[partner.id] = partner
            _first_contact(sb, partner, data)
    sb.fire("partner.joined", community.id, {"partner": {"id": partner.id}})
    return partner


def _first_contact(sb: TradingGridSandbox, partner: Partner, data: dict[str, Any]) -> Contact:
    first = str(data.get("contact_first_name") or "Alex")
    last = str(data.get("contact_last_name") or "Morgan")
    domain = "".join(ch for ch in ascii_fold(partner.company_name).lower() if ch.isalnum())
    email = str(data.get("contact_email") or f"{first}.{last}@{domain[:30]}.example").lower()
    contact = Contact(
        sb.store.new_id("con"),
        partner.id,
        email,
        first,
        last,
        str(data.get("locale") or DEFAULT_LOCALES.get(partner.language, "en-US")),
        "active",
        partner.updated_at,
    )
    sb.store.contacts[contact.id] = contact
    return contact


def leave(sb: TradingGridSandbox, partner_id: str, community_id: Any) -> Partner:
    """The partner leaves one community."""
    with sb.store.lock:
        partner = partner_by_id(sb, partner_id)
        if community_id not in partner.community_ids:
            raise validation_error([{"field": "community_id", "code": "not_a_member"}])
        partner.community_ids.remove(community_id)
        sb.store.stamp(partner)
    sb.fire("partner.left", community_id, {"partner": {"id": partner.id}})
    return partner


def update(sb: TradingGridSandbox, partner_id: str, data: dict[str, Any]) -> Partner:
    """Change any of company_name, status, tier, regions, language and tags."""
    unknown = [name for name in data if name not in UPDATABLE]
    if unknown:
        raise validation_error([{"field": name, "code": "not_updatable"} for name in unknown])
    fields = _clean(data, partial=True)
    with sb.store.lock:
        partner = partner_by_id(sb, partner_id)
        for name, value in fields.items():
            setattr(partner, name, value)
        sb.store.stamp(partner)
        community_id = partner.community_ids[0] if partner.community_ids else None
    sb.fire("partner.updated", community_id, {"partner": {"id": partner.id}})
    return partner
