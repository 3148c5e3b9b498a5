"""What Trading Grid is asked to show: the body of a publication, a kit or onboarding material.

A plain release publishes each asset on its own. A campaign kit is one Trading Grid publication
per community holding every file of the kit; its portal rows (one per asset) share the id, and
its version names the exact set of files. Onboarding material is shown only to the partners
enrolled in the program.
"""

from __future__ import annotations

import hashlib

from django.conf import settings

from portal.catalog.services import canto_link
from portal.models import Community, Enrollment, Publication, Release

Kind = Release.Kind


def file_of(publication: Publication) -> dict:
    asset = publication.asset
    return {
        "name": asset.name,
        "mime_type": asset.mime_type or "application/octet-stream",
        "size": asset.size or 0,
        "md5": publication.md5,
        "source_url": canto_link(asset),
    }


def enrolled(release: Release, community: Community) -> list[str]:
    """Trading Grid ids of the partners enrolled in an onboarding program (in progress or done:
    a partner who completed it keeps the materials; one who left the community does not)."""
    return sorted(
        Enrollment.objects.filter(
            program__release=release,
            program__community=community,
            state__in=[Enrollment.State.ACTIVE, Enrollment.State.COMPLETED],
            partner__memberships__community=community,
            partner__memberships__active=True,
        ).values_list("partner__tg_id", flat=True)
    )


def audience(release: Release | None, community: Community) -> dict:
    if release is None:
        return {"partner_ids": [], "tiers": [], "regions": []}
    if release.kind == Kind.ONBOARDING:
        return {"partner_ids": enrolled(release, community), "tiers": [], "regions": []}
    return {
        "partner_ids": sorted(
            release.partners.filter(
                memberships__community=community, memberships__active=True
            ).values_list("tg_id", flat=True)
        ),
        "tiers": list(release.tiers),
        "regions": list(release.regions),
    }


def kit_ref(release: Release, community: Community) -> str:
    return f"kit-{release.pk}-community-{community.pk}"


def kit_version(rows: list[Publication]) -> str:
    """A kit's version: changes whenever any file of it does."""
    parts = sorted(f"{p.asset_id}:{p.version_no}:{p.md5}" for p in rows)
    return "kit-" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def kit_rows(publication: Publication) -> list[Publication]:
    """The rows written together with this kit row, in the kit's order."""
    rows = Publication.objects.filter(
        release_id=publication.release_id,
        community_id=publication.community_id,
        state=publication.state,
    ).select_related("asset")
    if publication.tg_id:
        rows = rows.filter(tg_id=publication.tg_id)
    return in_kit_order(publication.release, list(rows))


def in_kit_order(release: Release, rows: list[Publication]) -> list[Publication]:
    position = dict(release.items.values_list("asset_id", "position"))
    return sorted(rows, key=lambda p: (position.get(p.asset_id, 1 << 30), p.asset_id))


def kit_body(release: Release, community: Community, rows: list[Publication]) -> dict:
    kit = getattr(release, "kit", None)
    body = {
        "title": release.name[:200],
        "summary": release.instructions or f"Campaign kit: {release.name}",
        "type": "kit",
        "files": [file_of(p) for p in rows],
        "audience": audience(release, community),
        "requires_acknowledgement": release.requires_acknowledgement,
        "external_ref": kit_ref(release, community),
        "version": kit_version(rows),
    }
    if kit is not None:
        body["acknowledgement_due_at"] = kit.deadline.isoformat()
    return body


def is_kit(publication: Publication) -> bool:
    return publication.release is not None and publication.release.kind == Kind.KIT


def publication_body(publication: Publication, rows: list[Publication] | None = None) -> dict:
    """What Trading Grid is asked to show for a publication (a kit row: the whole kit)."""
    release = publication.release
    if is_kit(publication):
        return kit_body(release, publication.community, rows or kit_rows(publication))
    asset = publication.asset
    ack = bool(release and release.requires_acknowledgement)
    kind = "asset"
    if release is not None and release.kind == Kind.ONBOARDING:
        kind = "onboarding"
        ack = release.items.filter(asset=asset, needs_acknowledgement=True).exists()
    return {
        "title": publication.title,
        "summary": (release.instructions if release else "") or asset.category or asset.name,
        "type": kind,
        "files": [file_of(publication)],
        "audience": audience(release, publication.community),
        "requires_acknowledgement": ack,
        "external_ref": publication.external_ref,
        "version": str(publication.version_no),
    }


def expected_version(publication: Publication) -> str:
    return (
        publication_body(publication)["version"]
        if is_kit(publication)
        else str(publication.version_no)
    )


def publication_url(publication: Publication, partner: str = "") -> str:
    """Where the partner (Trading Grid id ``partner``) opens the publication."""
    return settings.TRADINGGRID_PUBLICATION_URL.format(
        base=settings.TRADINGGRID_BASE_URL.rstrip("/"),
        id=publication.tg_id,
        community=publication.community.tg_id,
        partner=partner,
    )
