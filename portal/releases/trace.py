"""One traceable truth: where an asset is shared, which version, who approved it; what is live
in a community; and what about releases needs someone's attention. Narrowed to the person's
communities like every other list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from audit.models import AuditEvent
from integrations.models import OutboxMessage
from portal.grants import communities_for
from portal.models import Asset, Community, Publication, Release, ReleaseItem, Review
from portal.releases.filters import visible_releases


@dataclass
class AssetInRelease:
    """One release containing the asset (or none: published before releases existed)."""

    release: Release | None
    item: ReleaseItem | None
    approval: Review | None = None
    publications: list[Publication] = field(default_factory=list)


def _approval(reviews: list[Review], asset: Asset, version_no, md5: str) -> Review | None:
    """The newest approving review that approved exactly this version of the asset."""
    for review in reviews:
        pinned = review.versions.get(str(asset.pk))
        if pinned and pinned[0] == version_no and (not md5 or not pinned[1] or pinned[1] == md5):
            return review
    return None


def asset_releases(user, asset: Asset) -> list[AssetInRelease]:
    """Every release the person may see that contains the asset, with its publications."""
    releases = visible_releases(user)
    items = list(
        ReleaseItem.objects.filter(asset=asset, release__in=releases)
        .select_related("release")
        .order_by("-release__updated_at", "-release_id")
    )
    reviews: dict[int, list[Review]] = {}
    for review in Review.objects.filter(
        release__in=[i.release_id for i in items], decision=Review.Decision.APPROVED
    ).order_by("-decided_at", "-id"):
        reviews.setdefault(review.release_id, []).append(review)
    entries = {
        i.release_id: AssetInRelease(
            i.release,
            i,
            _approval(reviews.get(i.release_id, []), asset, i.approved_version_no, i.approved_md5),
        )
        for i in items
    }
    publications = (
        Publication.objects.filter(asset=asset, community__in=communities_for(user))
        .filter(Q(release_id__in=list(entries)) | Q(release__isnull=True))
        .select_related("community")
        .order_by("community__name", "-id")
    )
    for publication in publications:
        entry = entries.get(publication.release_id)
        if entry is None:
            entry = entries.setdefault(None, AssetInRelease(None, None))
        release_reviews = reviews.get(publication.release_id, [])
        publication.approval = _approval(
            release_reviews, asset, publication.version_no, publication.md5
        )
        entry.publications.append(publication)
    return list(entries.values())


def live_in(community: Community) -> QuerySet[Publication]:
    """What partners of the community see now, as the portal decided it."""
    return (
        Publication.objects.filter(community=community, state=Publication.State.LIVE)
        .select_related("asset", "release")
        .order_by("title", "id")
    )


def editable_releases(user) -> QuerySet[Release]:
    """Releases the person may still add assets to (for "Add to release…")."""
    if not user.has_perm("portal.change_release"):
        return Release.objects.none()
    return visible_releases(user).filter(state__in=Release.EDITABLE).order_by("name")


def releases_with_dead_writes(user) -> QuerySet[Release]:
    """Releases with a Trading Grid write that was given up and waits for someone."""
    dead = OutboxMessage.objects.filter(
        object_type="portal.publication",
        status=OutboxMessage.Status.DEAD,
        object_id=Cast(OuterRef("pk"), CharField()),
    )
    failing = Publication.objects.filter(Exists(dead)).values("release_id")
    return visible_releases(user).filter(pk__in=failing).order_by("-updated_at")


def recent_auto_withdrawals(user, days: int = 7, limit: int = 10) -> list[AuditEvent]:
    """Assets taken out of releases by a change in Canto, in releases the person may see."""
    events = list(
        AuditEvent.objects.filter(
            action="release.asset_withdrawn",
            object_type="portal.release",
            time__gte=timezone.now() - timedelta(days=days),
        )[: limit * 5]
    )
    ids = {int(e.object_id) for e in events if e.object_id.isdigit()}
    visible = set(visible_releases(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [e for e in events if e.object_id.isdigit() and int(e.object_id) in visible][:limit]
