"""Findability reports: which assets partners report as missing, outdated or hard to find, and
which of their search words found nothing; and the fixes a manager pushes to Canto.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet

from audit.services import record
from integrations import outbox
from portal.errors import ServiceError
from portal.models import Asset, Publication
from requests_app import lifecycle, sla
from requests_app.models import PartnerRequest
from requests_app.rules import may_own, require, visible_requests

REPORTS = PartnerRequest.REPORT_KINDS
RELEASE_REF = re.compile(r"^release-\d+-asset-(\d+)$")
QUOTED = re.compile(r"[\"“„«]([^\"”“»]{2,80})[\"”“»]")
MAX_TERMS = 10


def _asset_for(ref: str) -> Asset | None:
    publication = Publication.objects.filter(external_ref=ref).select_related("asset").first()
    if publication is not None:
        return publication.asset
    found = RELEASE_REF.match(ref)
    if found:
        return Asset.objects.filter(pk=int(found.group(1))).first()
    return (
        Asset.objects.filter(canto_id=ref).first()
        or Asset.objects.filter(name__iexact=ref).order_by("pk").first()
    )


def normalise(term: str) -> str:
    return " ".join(term.lower().split())[:80]


def match(request: PartnerRequest) -> tuple[list[Asset], list[str]]:
    """The assets the partner named, and the words that matched none."""
    assets, terms = [], []
    for ref in request.asset_refs or ():
        value = str(ref.get("external_ref") or "").strip() if isinstance(ref, dict) else ""
        if not value:
            continue
        asset = _asset_for(value)
        if asset is not None:
            assets.append(asset)
        else:
            terms.append(normalise(value))
    if request.kind in REPORTS:
        terms += [normalise(t) for t in QUOTED.findall(f"{request.subject}\n{request.description}")]
        if not assets and not terms and request.subject:
            terms.append(normalise(request.subject))
    return assets, list(dict.fromkeys(t for t in terms if t))[:MAX_TERMS]


def link(request: PartnerRequest) -> None:
    """Link a received request to its assets and search words (inside the intake transaction)."""
    assets, terms = match(request)
    request.assets.add(*assets)
    if request.search_terms != terms:
        request.search_terms = terms
        request.save(update_fields=["search_terms", "updated_at"])


def reports(user) -> QuerySet[PartnerRequest]:
    return visible_requests(user).filter(kind__in=REPORTS)


def ranked_assets(user, *, open_only: bool = False) -> QuerySet[Asset]:
    """Assets by the number of findability reports about them, most reported first."""
    wanted = Q(partner_requests__in=reports(user))
    if open_only:
        wanted &= Q(partner_requests__state__in=PartnerRequest.OPEN_STATES)
    kinds = {
        f"{kind}_count": Count("partner_requests", filter=wanted & Q(partner_requests__kind=kind))
        for kind in REPORTS
    }
    return (
        Asset.objects.annotate(
            reports=Count("partner_requests", filter=wanted),
            open_reports=Count(
                "partner_requests",
                filter=wanted & Q(partner_requests__state__in=PartnerRequest.OPEN_STATES),
            ),
            last_reported=Max("partner_requests__received_at", filter=wanted),
            **kinds,
        )
        .filter(reports__gt=0)
        .order_by("-reports", "-last_reported", "pk")
    )


def unmatched_terms(user, *, limit: int = 50) -> list[dict]:
    """Search words from reports that named no asset, most frequent first."""
    counts: Counter[str] = Counter()
    open_ids: dict[str, list[int]] = defaultdict(list)
    rows = reports(user).filter(assets=None).values_list("pk", "search_terms", "state")
    for pk, terms, state in rows.iterator():
        for term in terms or ():
            counts[term] += 1
            if state in PartnerRequest.OPEN_STATES:
                open_ids[term].append(pk)
    return [
        {"term": term, "reports": n, "open": len(open_ids[term]), "requests": open_ids[term]}
        for term, n in counts.most_common(limit)
    ]


def _values(text: str) -> list[str]:
    return [v for v in dict.fromkeys(" ".join(p.split()) for p in text.split(",")) if v][:20]


@transaction.atomic
def improve(
    user, asset: Asset, *, tags: str = "", keywords: str = "", term: str = "", message: str = ""
) -> list[PartnerRequest]:
    """Push tags and keywords to the asset in Canto and answer the reports it settles.

    Settled are the open reports about the asset and, when ``term`` is given, the open reports
    whose search words were that term (they become linked to the asset).
    """
    require(user)
    tag_values, keyword_values = _values(tags), _values(keywords)
    if not tag_values and not keyword_values:
        raise ServiceError("Give at least one tag or keyword to add in Canto.")
    if any(len(v) > 100 or "/" in v for v in [*tag_values, *keyword_values]):
        raise ServiceError("Tags and keywords are at most 100 characters, without '/'.")
    ref = {"scheme": asset.scheme, "id": asset.canto_id}
    for value in tag_values:
        outbox.add("canto.add_tag", {**ref, "tag": value}, obj=asset)
    for value in keyword_values:
        outbox.add("canto.add_keyword", {**ref, "keyword": value}, obj=asset)
    open_reports = reports(user).filter(state__in=PartnerRequest.OPEN_STATES)
    ids = set(open_reports.filter(assets=asset).values_list("pk", flat=True))
    if term:
        ids |= {
            pk
            for pk, terms in open_reports.values_list("pk", "search_terms")
            if term in (terms or ())
        }
    answered = []
    text = message.strip() or _default_answer(asset, tag_values + keyword_values)
    for pk in sorted(ids):
        request = lifecycle.lock(pk)
        request.assets.add(asset)
        if request.state == PartnerRequest.State.NEW:
            request.due_at = request.due_at or sla.due_for(request)
            if request.owner is None and may_own(user, request):
                request.owner = user
            request.save(update_fields=["due_at", "owner", "updated_at"])
            lifecycle.move(
                request,
                PartnerRequest.State.TRIAGED,
                "request.triaged",
                fields=["owner", "due_at"],
                after={
                    "owner": request.owner.get_username() if request.owner else None,
                    "due_at": sla.iso(request.due_at),
                },
                message="",
            )
        lifecycle.move(
            request,
            PartnerRequest.State.DELIVERED,
            "request.answered",
            reason=text,
            after={"asset": asset.canto_id},
        )
        answered.append(request)
    record(
        "findability.improved",
        obj=asset,
        after={
            "tags": tag_values,
            "keywords": keyword_values,
            "term": term or None,
            "answered": [r.reference for r in answered],
        },
    )
    return answered


def _default_answer(asset: Asset, words: list[str]) -> str:
    return f"{asset.name} can now be found with: {', '.join(words)}."


@transaction.atomic
def replacement(user, report: PartnerRequest, *, subject: str = "") -> PartnerRequest:
    """Open a request for new content to replace what a report found missing or outdated."""
    from requests_app import services

    report = lifecycle.lock(report)
    require(user, report)
    if report.kind not in REPORTS:
        raise ServiceError("Only a findability report can ask for a replacement.")
    created = PartnerRequest.objects.create(
        community=report.community,
        partner=report.partner,
        kind=PartnerRequest.Kind.NEW_ASSET,
        subject=(subject.strip() or f"Replacement for {report.reference}: {report.subject}")[:255],
        description=report.description,
        locale=report.locale,
        tg_status="",
        opened_from=report,
    )
    created.assets.set(report.assets.all())
    record("request.opened_in_portal", obj=created, after={"from": report.reference})
    return services.triage(user, created)
