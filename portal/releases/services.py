"""Release transitions. Each is one atomic function that checks permission and state, records
one audit event and queues what it must (publishing through the outbox, notifications).

``draft → in_review → approved → publishing → published``; ``rejected`` goes back to editing
with the reason; ``outdated``, ``withdrawn`` and ``expired`` come from Canto, people and time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.services import record
from portal import notifications
from portal.models import Asset, Community, Partner, Release, ReleaseItem, Review
from portal.releases import publishing
from portal.releases.errors import Conflict, NotAllowed, ReleaseError, StaleRevision
from portal.releases.rules import (
    may_skip_review,
    require,
    require_communities,
    require_eligible,
    snapshot,
)
from portal.releases.transitions import bump, lock, move

State = Release.State
FIELDS = (
    "name",
    "instructions",
    "requires_acknowledgement",
    "publish_at",
    "expire_at",
    "on_new_version",
    "tiers",
    "regions",
)


def _check_dates(publish_at: datetime | None, expire_at: datetime | None) -> None:
    if publish_at and expire_at and expire_at <= publish_at:
        raise ReleaseError("The expiry must come after the publication date.")
    if expire_at and expire_at <= timezone.now():
        raise ReleaseError("The expiry must be in the future.")


def _set_targets(release: Release, user, communities, partners) -> None:
    communities = list(communities)
    require_communities(user, communities)
    partners = list(partners or [])
    outside = [
        p.company_name
        for p in partners
        if not p.memberships.filter(community__in=communities, active=True).exists()
    ]
    if outside:
        raise ReleaseError(f"Not a member of the chosen communities: {', '.join(sorted(outside))}.")
    release.communities.set(communities)
    release.partners.set(partners)


def new_release(
    user,
    *,
    communities: Iterable[Community],
    partners: Iterable[Partner] = (),
    kind: str = Release.Kind.ASSETS,
    **values,
) -> Release:
    """A release of any kind (inside the caller's transaction; the caller records it)."""
    require(user, "add_release")
    communities = list(communities)
    if not communities:
        raise ReleaseError("Choose at least one community.")
    if not str(values.get("name", "")).strip():
        raise ReleaseError("Give the release a name.")
    _check_dates(values.get("publish_at"), values.get("expire_at"))
    release = Release.objects.create(
        created_by=user, kind=kind, **{k: v for k, v in values.items() if k in FIELDS}
    )
    _set_targets(release, user, communities, partners)
    return release


@transaction.atomic
def create(
    user, *, communities: Iterable[Community], partners: Iterable[Partner] = (), **values
) -> Release:
    release = new_release(user, communities=communities, partners=partners, **values)
    record(
        "release.created",
        obj=release,
        after={
            "name": release.name,
            "communities": sorted(c.name for c in release.communities.all()),
        },
    )
    return release


@transaction.atomic
def update(
    user,
    release: Release,
    *,
    communities=None,
    partners=None,
    revision: int | None = None,
    **values,
) -> Release:
    """Change what is given; communities and partners left out keep their current values."""
    release = lock(release, revision=revision)
    require(user, "change_release", release)
    if not release.is_editable:
        raise Conflict(
            f"This release is {release.get_state_display().lower()}; only drafts and rejected "
            "releases can be edited."
        )
    changed = {k: v for k, v in values.items() if k in FIELDS and getattr(release, k) != v}
    before = {k: getattr(release, k) for k in changed}
    for name, value in changed.items():
        setattr(release, name, value)
    if not release.name.strip():
        raise ReleaseError("Give the release a name.")
    if "publish_at" in changed or "expire_at" in changed:
        _check_dates(release.publish_at, release.expire_at)
    if communities is not None or partners is not None:
        old_communities = list(release.communities.all())
        old_partners = list(release.partners.all())
        new_communities = old_communities if communities is None else list(communities)
        new_partners = old_partners if partners is None else list(partners)
        if not new_communities:
            raise ReleaseError("Choose at least one community.")
        if {c.pk for c in new_communities} != {c.pk for c in old_communities}:
            if release.kind == Release.Kind.ONBOARDING:
                raise ReleaseError(
                    "An onboarding program serves its one community; create another program "
                    "for another community."
                )
            before["communities"] = sorted(c.name for c in old_communities)
            changed["communities"] = sorted(c.name for c in new_communities)
        if {p.pk for p in new_partners} != {p.pk for p in old_partners}:
            before["partners"] = sorted(p.company_name for p in old_partners)
            changed["partners"] = sorted(p.company_name for p in new_partners)
        _set_targets(release, user, new_communities, new_partners)
    if not changed:
        return release
    bump(release, *[k for k in changed if k in FIELDS])
    record("release.updated", obj=release, before=_plain(before), after=_plain(changed))
    return release


def _plain(values: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


@transaction.atomic
def add_item(user, release: Release, asset: Asset, *, revision: int | None = None) -> ReleaseItem:
    release = lock(release, revision=revision)
    require(user, "change_release", release)
    if not release.is_editable:
        raise Conflict("Assets can only be added while the release is a draft or rejected.")
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    require_eligible(asset)
    if release.items.filter(asset=asset).exists():
        raise ReleaseError(f"{asset.name} is already in this release.")
    position = (release.items.aggregate(m=Max("position"))["m"] or 0) + 1
    item = ReleaseItem.objects.create(
        release=release, asset=asset, position=position, version_no=asset.version_no, md5=asset.md5
    )
    bump(release)
    record(
        "release.item_added",
        obj=release,
        after={
            "asset": asset.canto_id,
            "name": asset.name,
            "version": asset.version_no,
            "md5": asset.md5,
        },
    )
    return item


@transaction.atomic
def move_item(
    user, release: Release, item: ReleaseItem, *, up: bool, revision: int | None = None
) -> None:
    """Swap an asset with its neighbour: kits and onboarding programs are read in order."""
    release = lock(release, revision=revision)
    require(user, "change_release", release)
    if not release.is_editable:
        raise Conflict("Assets can only be reordered while the release is a draft or rejected.")
    if item.release_id != release.pk:
        raise ReleaseError("That asset is not in this release.")
    order = list(release.items.select_related("asset").order_by("position", "id"))
    at = next(i for i, one in enumerate(order) if one.pk == item.pk)
    to = at - 1 if up else at + 1
    if not 0 <= to < len(order):
        return
    order[at], order[to] = order[to], order[at]
    for position, one in enumerate(order, start=1):
        if one.position != position:
            ReleaseItem.objects.filter(pk=one.pk).update(position=position)
    bump(release)
    record(
        "release.item_moved",
        obj=release,
        after={"order": [one.asset.name for one in order]},
    )


@transaction.atomic
def remove_item(user, release: Release, item: ReleaseItem, *, revision: int | None = None) -> None:
    release = lock(release, revision=revision)
    require(user, "change_release", release)
    if not release.is_editable:
        raise Conflict("Assets can only be removed while the release is a draft or rejected.")
    if item.release_id != release.pk:
        raise ReleaseError("That asset is not in this release.")
    item.delete()
    bump(release)
    record(
        "release.item_removed",
        obj=release,
        before={"asset": item.asset.canto_id, "name": item.asset.name, "version": item.version_no},
    )


@transaction.atomic
def submit(user, release: Release, *, revision: int | None = None) -> Release:
    release = lock(release, revision=revision)
    require(user, "submit_release", release)
    if not release.is_editable:
        raise Conflict(
            f"Only a draft or rejected release can be submitted; this one is "
            f"{release.get_state_display().lower()}."
        )
    items = list(release.items.select_related("asset"))
    if not items:
        raise ReleaseError("Add at least one asset before submitting.")
    if not release.communities.exists():
        raise ReleaseError("Choose at least one community before submitting.")
    for item in items:
        if item.withdrawn_reason:
            raise ReleaseError(
                f"{item.asset.name} was withdrawn ({item.withdrawn_reason}); "
                "remove it before submitting."
            )
        require_eligible(item.asset)
    release.submitted_by, release.submitted_at, release.rejection_reason = user, timezone.now(), ""
    fields = ["submitted_by", "submitted_at", "rejection_reason"]
    if may_skip_review(release):
        move(release, State.IN_REVIEW, "release.submitted", fields=fields)
        _approve(release, None, "", skipped=True)
        return release
    move(release, State.IN_REVIEW, "release.submitted", fields=fields)
    notifications.notify("review_waiting", release)
    return release


def _decide(user, release: Release, revision: int | None) -> Release:
    release = lock(release)
    require(user, "review_release", release)
    if release.state != State.IN_REVIEW:
        raise Conflict(
            f"This release is {release.get_state_display().lower()}, not waiting for "
            "review; someone may have decided already."
        )
    if revision is not None and revision != release.revision:
        raise StaleRevision("The release changed since you opened it; reload and review again.")
    if release.submitted_by_id == user.pk:
        raise NotAllowed("You submitted this release; another reviewer must decide (four-eyes).")
    return release


@transaction.atomic
def approve(user, release: Release, *, revision: int | None) -> Release:
    """Approve exactly the versions pinned at ``revision`` (what the reviewer saw)."""
    release = _decide(user, release, revision)
    for item in release.items.select_related("asset"):
        if item.withdrawn_reason:
            raise ReleaseError(f"{item.asset.name} was withdrawn ({item.withdrawn_reason}).")
        require_eligible(item.asset)
    _approve(release, user, "")
    return release


def _approve(release: Release, user, reason: str, *, skipped: bool = False) -> None:
    items = list(release.items.select_related("asset"))
    versions = {str(i.asset_id): [i.version_no, i.md5] for i in items}
    Review.objects.create(
        release=release,
        reviewer=user,
        decision=Review.Decision.APPROVED,
        reviewer_name=user.get_username() if user else "policy: review optional",
        reason=reason,
        revision=release.revision,
        versions=versions,
    )
    for item in items:
        item.approved_version_no, item.approved_md5 = item.version_no, item.md5
        item.approved_snapshot = snapshot(item.asset)
        item.save(update_fields=["approved_version_no", "approved_md5", "approved_snapshot"])
    action = "release.review_skipped" if skipped else "release.approved"
    move(release, State.APPROVED, action, after={"versions": versions})
    if user is not None:
        notifications.notify("release_approved", release, reviewer=user.get_username())
    if release.publish_at is None or release.publish_at <= timezone.now():
        publishing.start(release)


@transaction.atomic
def reject(user, release: Release, *, reason: str, revision: int | None) -> Release:
    if not reason or not reason.strip():
        raise ReleaseError("Say why the release is rejected.")
    release = _decide(user, release, revision)
    Review.objects.create(
        release=release,
        reviewer=user,
        reviewer_name=user.get_username(),
        decision=Review.Decision.REJECTED,
        reason=reason.strip(),
        revision=release.revision,
        versions={str(i.asset_id): [i.version_no, i.md5] for i in release.items.all()},
    )
    release.rejection_reason = reason.strip()
    move(
        release,
        State.REJECTED,
        "release.rejected",
        reason=reason.strip(),
        fields=["rejection_reason"],
    )
    notifications.notify(
        "release_rejected", release, reviewer=user.get_username(), reason=reason.strip()
    )
    return release


@transaction.atomic
def withdraw(user, release: Release, *, reason: str, revision: int | None = None) -> Release:
    if not reason or not reason.strip():
        raise ReleaseError("Say why the release is withdrawn.")
    release = lock(release, revision=revision)
    require(user, "withdraw_release", release)
    if release.state in Release.CLOSED:
        raise Conflict(f"This release is already {release.get_state_display().lower()}.")
    publishing.take_down(release, reason.strip())
    move(release, State.WITHDRAWN, "release.withdrawn", reason=reason.strip())
    return release


@transaction.atomic
def retry_publishing(user, release: Release) -> int:
    """Send again the writes of this release that Trading Grid refused until they gave up."""
    release = lock(release)
    require(user, "submit_release", release)
    retried = publishing.retry_dead(release)
    if not retried:
        raise ReleaseError("No failed write of this release is waiting to be retried.")
    record("release.publishing_retried", obj=release, after={"writes": retried})
    return retried


def expire(release: Release) -> bool:
    """Beat: a release whose expiry has come is taken down (no person involved)."""
    with transaction.atomic():
        release = lock(release)
        if release.state in Release.CLOSED or not release.expire_at:
            return False
        if release.expire_at > timezone.now():
            return False
        publishing.take_down(release, "release expired")
        move(release, State.EXPIRED, "release.expired")
    return True


def publish_due(release: Release) -> bool:
    """Beat: an approved release whose publication date has come starts publishing."""
    with transaction.atomic():
        release = lock(release)
        if release.state != State.APPROVED or (
            release.publish_at and release.publish_at > timezone.now()
        ):
            return False
        publishing.start(release)
    return True
