"""CSV exports of the traceability lists shown on asset and community pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404

from portal.grants import communities_for
from portal.listing import iso, stream_csv
from portal.models import Asset
from portal.releases.trace import asset_releases, live_in

ASSET_HEADER = [
    "release_id",
    "release",
    "release_state",
    "pinned_version",
    "approved_version",
    "withdrawn_reason",
    "community",
    "community_tg_id",
    "published_version",
    "publication_state",
    "tradinggrid_id",
    "published_at",
    "withdrawn_at",
    "approved_by",
    "approved_at",
]


def _asset_rows(entries):
    for entry in entries:
        release, item = entry.release, entry.item
        head = [
            release.pk if release else "",
            release.name if release else "(no release)",
            release.state if release else "",
            item.version_no if item else "",
            item.approved_version_no if item and item.approved_version_no else "",
            item.withdrawn_reason if item else "",
        ]
        if not entry.publications:
            approval = entry.approval
            yield [
                *head,
                *[""] * 7,
                approval.reviewer_name if approval else "",
                iso(approval.decided_at) if approval else "",
            ]
        for p in entry.publications:
            yield [
                *head,
                p.community.name,
                p.community.tg_id,
                p.version_no,
                p.state,
                p.tg_id,
                iso(p.published_at),
                iso(p.withdrawn_at),
                p.approval.reviewer_name if p.approval else "",
                iso(p.approval.decided_at) if p.approval else "",
            ]


@login_required
@permission_required("portal.view_release", raise_exception=True)
def asset_releases_csv(request, pk: int):
    """Where the asset is shared, which version, who approved it."""
    asset = get_object_or_404(Asset, pk=pk)
    rows = list(_asset_rows(asset_releases(request.user, asset)))
    return stream_csv(f"asset-{asset.canto_id}-releases", ASSET_HEADER, rows, lambda row: row)


@login_required
@permission_required("portal.view_community", raise_exception=True)
def live_csv(request, pk: int):
    """What partners of a community see now."""
    community = get_object_or_404(communities_for(request.user), pk=pk)
    return stream_csv(
        f"community-{community.tg_id}-live",
        [
            "asset",
            "canto_id",
            "version",
            "md5",
            "release_id",
            "release",
            "tradinggrid_id",
            "live_since",
            "checked_at",
        ],
        live_in(community).iterator(),
        lambda p: [
            p.title,
            p.asset.canto_id,
            p.version_no,
            p.md5,
            p.release_id or "",
            p.release.name if p.release else "",
            p.tg_id,
            iso(p.published_at),
            iso(p.checked_at),
        ],
    )
