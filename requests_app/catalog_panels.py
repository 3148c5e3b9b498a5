"""What the catalog's asset page shows about partner requests: the asset's language family
and the open requests about it."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from portal.models import Asset
from requests_app.models import LocalisedVariant, PartnerRequest
from requests_app.rules import visible_requests


def _language(code: str) -> str:
    return (code or "").strip().replace("_", "-").lower()


def _covers(languages: set[str], wanted: str) -> bool:
    wanted = _language(wanted)
    return any(lang == wanted or lang.startswith(wanted + "-") for lang in languages)


def language_family(asset: Asset) -> dict:
    """The source asset and its language variants, and the content locales none of them has."""
    link = LocalisedVariant.objects.filter(variant=asset).select_related("source").first()
    source = link.source if link is not None else asset
    variants = list(
        LocalisedVariant.objects.filter(source=source)
        .select_related("variant")
        .order_by("locale", "variant__name")
    )
    members = [{"asset": source, "locale": source.language, "source": True}]
    members += [
        {"asset": v.variant, "locale": v.locale or v.variant.language, "source": False}
        for v in variants
    ]
    languages = {_language(m["locale"]) for m in members if m["locale"]}
    missing = [code for code in settings.CONTENT_LOCALES if not _covers(languages, code)]
    return {"source": source, "members": members, "missing": missing}


def open_requests_about(user, asset: Asset):
    """Open requests in the person's communities that name the asset or work on it."""
    return (
        visible_requests(user)
        .filter(Q(assets=asset) | Q(work_asset=asset), state__in=PartnerRequest.OPEN_STATES)
        .select_related("community", "partner", "owner")
        .distinct()
        .order_by("due_at", "pk")
    )
