"""How releases follow Canto: new versions, status changes, expiry and deletion.

Called in the catalog sync's transaction (a webhook refresh or a sync page), so the
reaction is as quick as the sync that saw the change and commits with it.

- An asset that leaves Approved, expires or is deleted is withdrawn from every community at
  once (all publications of it, whatever release put them there).
- A new version: drafts and releases in review follow it (a review in progress must look
  again); a released asset makes its release ``outdated``, and the release's policy decides
  what follows: back to review with the approved version still shown, withdraw now and
  review, or update non-regulated assets automatically.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from audit.services import record
from portal import notifications
from portal.catalog.signals import catalog_changed
from portal.models import Asset, Publication, Release, ReleaseItem
from portal.releases import kit_publishing, publishing
from portal.releases.rules import snapshot
from portal.releases.transitions import bump, lock, move

State = Release.State
SENT_ON = (State.APPROVED, State.PUBLISHING, State.PUBLISHED, State.OUTDATED)


@receiver(catalog_changed)
def on_catalog_changed(sender, assets: list[Asset], **kwargs) -> None:
    react(assets)


def react(assets: list[Asset]) -> None:
    by_pk = {a.pk: a for a in assets}
    if not by_pk:
        return
    ineligible = {pk: a.eligibility_problem for pk, a in by_pk.items() if a.eligibility_problem}
    taken_down: set[tuple[int, int]] = set()  # (release, asset) whose partners lost content
    kits: set[int] = set()  # kits showing such an asset: written again without it
    if ineligible:
        shown = Publication.objects.filter(
            asset_id__in=list(ineligible), state__in=publishing.SHOWN
        ).select_related("community", "release")
        for pub in shown:
            taken_down.add((pub.release_id, pub.asset_id))
            if pub.release is not None and pub.release.kind == Release.Kind.KIT:
                kits.add(pub.release_id)
                continue
            publishing.take_down_publications([pub], ineligible[pub.asset_id])
    items = defaultdict(list)
    for item in ReleaseItem.objects.filter(asset_id__in=list(by_pk)).exclude(
        release__state__in=Release.CLOSED
    ):
        item.asset = by_pk[item.asset_id]
        items[item.release_id].append(item)
    for release_id in sorted(items):
        _react(lock(release_id), items[release_id], taken_down)
    for release_id in sorted(kits):
        kit_publishing.rewrite(lock(release_id))


def _react(release: Release, items: list[ReleaseItem], taken_down: set[tuple[int, int]]) -> None:
    gone = [i for i in items if i.asset.eligibility_problem and not i.withdrawn_reason]
    moved = [
        i
        for i in items
        if not i.asset.eligibility_problem
        and (i.asset.version_no != i.version_no or (i.asset.md5 and i.asset.md5 != i.md5))
    ]
    if gone and not release.is_editable and release.state != State.IN_REVIEW:
        _withdraw_items(release, gone)
    elif gone:
        # Review or editing refuses the asset anyway; only what partners saw needs telling.
        _report_taken_down(release, [i for i in gone if (release.pk, i.asset_id) in taken_down])
    if moved:
        _follow_versions(release, moved)
        return
    reclassified = [
        i
        for i in items
        if i.asset.regulated
        and not i.asset.eligibility_problem
        and i.approved_version_no is not None
        and i.approved_snapshot.get("regulated") is False
    ]
    if reclassified and release.state in SENT_ON:
        # Approved as ordinary content, now regulated in Canto: compliance must look at it.
        names = sorted(i.asset.name for i in reclassified)
        move(release, State.OUTDATED, "release.outdated", after={"assets": names})
        _send_back(release, reclassified, f"now regulated: {', '.join(names)}")


def _report_taken_down(release: Release, gone: list[ReleaseItem]) -> None:
    for item in gone:
        record(
            "release.asset_withdrawn",
            obj=release,
            reason=item.asset.eligibility_problem[:255],
            after={"asset": item.asset.canto_id, "name": item.asset.name},
        )
    if gone:
        notifications.notify(
            "auto_withdrawn",
            release,
            assets=[f"{i.asset.name}: {i.asset.eligibility_problem}" for i in gone],
        )


def _withdraw_items(release: Release, gone: list[ReleaseItem]) -> None:
    for item in gone:
        item.withdrawn_reason = item.asset.eligibility_problem[:255]
        item.save(update_fields=["withdrawn_reason"])
        record(
            "release.asset_withdrawn",
            obj=release,
            reason=item.withdrawn_reason,
            after={"asset": item.asset.canto_id, "name": item.asset.name},
        )
    notifications.notify(
        "auto_withdrawn", release, assets=[f"{i.asset.name}: {i.withdrawn_reason}" for i in gone]
    )
    if not release.items.filter(withdrawn_reason="").exists():
        publishing.take_down(release, "every asset left Approved in Canto")
        move(release, State.WITHDRAWN, "release.withdrawn", reason="every asset was withdrawn")
    else:
        bump(release)
        publishing.settle_locked(release)  # the withdrawn asset's write may have been the last


def _repin(release: Release, moved: list[ReleaseItem]) -> None:
    for item in moved:
        before = {"version": item.version_no, "md5": item.md5}
        item.version_no, item.md5 = item.asset.version_no, item.asset.md5
        item.save(update_fields=["version_no", "md5"])
        record(
            "release.item_repinned",
            obj=release,
            before=before,
            after={"asset": item.asset.canto_id, "version": item.version_no, "md5": item.md5},
        )


def _follow_versions(release: Release, moved: list[ReleaseItem]) -> None:
    _repin(release, moved)
    if release.state not in SENT_ON:
        bump(release)  # drafts follow; a review in progress must look at the new version
        return
    names = sorted(i.asset.name for i in moved)
    move(release, State.OUTDATED, "release.outdated", after={"assets": names})
    regulated = any(i.asset.regulated for i in moved)
    policy = release.on_new_version
    if policy == Release.OnNewVersion.AUTO and not regulated:
        for item in moved:
            item.approved_version_no, item.approved_md5 = item.version_no, item.md5
            item.approved_snapshot = snapshot(item.asset)
            item.save(update_fields=["approved_version_no", "approved_md5", "approved_snapshot"])
        move(release, State.APPROVED, "release.auto_updated", after={"assets": names})
        if release.publish_at is None or release.publish_at <= timezone.now():
            publishing.start(release)
        return
    _send_back(release, moved, f"new version of {', '.join(names)}")


def _send_back(release: Release, items: list[ReleaseItem], why: str) -> None:
    """Back to review; per policy the approved version stays shown or is taken down now."""
    if release.on_new_version == Release.OnNewVersion.WITHDRAW:
        for item in items:
            publishing.take_down_item(release, item, f"awaits review ({why})")
            item.approved_version_no, item.approved_md5 = None, ""
            item.save(update_fields=["approved_version_no", "approved_md5"])
        if release.kind == Release.Kind.KIT:
            kit_publishing.rewrite(release)
    move(release, State.IN_REVIEW, "release.resubmitted", reason=why)
    notifications.notify("review_waiting", release, resubmitted=why)


def sweep_expired_assets() -> int:
    """Beat: assets whose Canto expiry has passed (no Canto event says so) are withdrawn."""
    now = timezone.now()
    shown = Publication.objects.filter(state__in=publishing.SHOWN, asset__expires_at__lte=now)
    pending = ReleaseItem.objects.filter(
        withdrawn_reason="", asset__expires_at__lte=now, release__state__in=SENT_ON
    )
    ids = set(shown.values_list("asset_id", flat=True)) | set(
        pending.values_list("asset_id", flat=True)
    )
    if ids:
        with transaction.atomic():
            react(list(Asset.objects.filter(pk__in=ids)))
    return len(ids)
