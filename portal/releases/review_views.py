"""Compliance review: the queue, the review page and the two decisions.

A decision carries the release revision the reviewer looked at, so a release that changed (or
was decided by someone else) in the meantime is refused with a message instead of approved
blindly.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.listing import FilteredListView
from portal.models import AssetVersion, Release
from portal.releases import services
from portal.releases.errors import Conflict, ReleaseError, StaleRevision
from portal.releases.filters import ReleaseFilter, review_queue
from portal.releases.forms import ApproveForm, RejectForm
from portal.releases.listing import with_row_facts
from portal.releases.rules import snapshot
from portal.releases.views import visible_release

SNAPSHOT_LABELS = {
    "version": "Version",
    "md5": "MD5",
    "name": "File name",
    "size": "Size (bytes)",
    "mime_type": "File type",
    "approval_status": "Canto status",
    "category": "Category",
    "language": "Language",
    "region": "Region",
    "regulated": "Regulated",
    "expires_at": "Expires",
}


class ReviewQueueView(FilteredListView):
    """Releases waiting for this reviewer: not their own, every community granted to them."""

    model = Release
    filterset_class = ReleaseFilter
    permission_required = "portal.review_release"
    template_name = "releases/queue.html"
    partial_template_name = "releases/_queue_table.html"

    def get_base_queryset(self):
        return with_row_facts(review_queue(self.request.user)).order_by("submitted_at", "id")


def snapshot_changes(before: dict, after: dict) -> list[tuple[str, object, object]]:
    """(label, approved value, current value) for every fact that changed."""
    keys = [k for k in SNAPSHOT_LABELS if k in before or k in after]
    keys += sorted(k for k in {*before, *after} if k not in SNAPSHOT_LABELS)
    return [
        (SNAPSHOT_LABELS.get(k, k), before.get(k), after.get(k))
        for k in keys
        if before.get(k) != after.get(k)
    ]


def _items_for_review(release: Release) -> list:
    items = list(release.items.select_related("asset").order_by("position", "id"))
    rereviewed = [
        i
        for i in items
        if i.approved_version_no is not None
        and (i.awaits_approval or snapshot_changes(i.approved_snapshot, snapshot(i.asset)))
    ]
    comments: dict[int, list[AssetVersion]] = {}
    if rereviewed:
        for version in AssetVersion.objects.filter(
            asset_id__in=[i.asset_id for i in rereviewed]
        ).order_by("no"):
            comments.setdefault(version.asset_id, []).append(version)
    for item in items:
        item.rereview = item in rereviewed
        if item.rereview:
            item.changes = snapshot_changes(item.approved_snapshot, snapshot(item.asset))
            low, high = sorted((item.approved_version_no, item.version_no))
            item.new_versions = [v for v in comments.get(item.asset_id, []) if low < v.no <= high]
    return items


def _render_review(request, release: Release, reject_form: RejectForm | None = None):
    waiting = release.state == Release.State.IN_REVIEW
    own = release.submitted_by_id == request.user.pk
    initial = {"revision": release.revision}
    return render(
        request,
        "releases/review.html",
        {
            "release": release,
            "items": _items_for_review(release),
            "communities": release.communities.order_by("name"),
            "waiting": waiting,
            "own": own,
            "approve_form": ApproveForm(initial=initial),
            "reject_form": reject_form or RejectForm(initial=initial),
            "last_review": release.reviews.first(),
        },
    )


@login_required
@permission_required("portal.review_release", raise_exception=True)
def review(request, pk: int):
    return _render_review(request, visible_release(request, pk))


def _refused(request, release: Release, error: ReleaseError):
    """Say why a decision was refused; someone else deciding first is said plainly."""
    if isinstance(error, Conflict) and not isinstance(error, StaleRevision):
        release.refresh_from_db()
        last = release.reviews.first()
        if last is not None and release.state != Release.State.IN_REVIEW:
            when = timezone.localtime(last.decided_at).strftime("%Y-%m-%d %H:%M")
            messages.error(
                request,
                f"Another reviewer decided first: {last.reviewer_name} "
                f"{last.get_decision_display().lower()} this release at {when}. "
                "Your decision was not recorded.",
            )
            return redirect(release)
    messages.error(request, str(error))
    return redirect("releases:review", release.pk)


@login_required
@permission_required("portal.review_release", raise_exception=True)
@require_POST
def approve(request, pk: int):
    release = visible_release(request, pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The review form was incomplete; reload the page and try again.")
        return redirect("releases:review", release.pk)
    try:
        approved = services.approve(request.user, release, revision=form.cleaned_data["revision"])
    except ReleaseError as error:
        return _refused(request, release, error)
    if approved.state == Release.State.APPROVED and approved.publish_at:
        when = timezone.localtime(approved.publish_at).strftime("%Y-%m-%d %H:%M")
        messages.success(request, f"Release approved; it will be published from {when}.")
    else:
        messages.success(request, "Release approved; publishing to Trading Grid is queued.")
    return redirect(release)


@login_required
@permission_required("portal.review_release", raise_exception=True)
@require_POST
def reject(request, pk: int):
    release = visible_release(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _render_review(request, release, reject_form=form)
    try:
        services.reject(
            request.user,
            release,
            reason=form.cleaned_data["reason"],
            revision=form.cleaned_data["revision"],
        )
    except ReleaseError as error:
        return _refused(request, release, error)
    messages.success(request, "Release rejected; the submitter has been told why.")
    return redirect(release)
