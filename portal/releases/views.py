"""Release pages: the list and its export, the form, the detail page and its actions.

Every change goes through ``portal.releases.services``; what a service refuses is shown to
the person as a form error or a message, never as a server error.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from integrations.models import OutboxMessage
from portal.listing import FilteredListView
from portal.models import Asset, Membership, Publication, Release
from portal.releases import publishing, services
from portal.releases.errors import ReleaseError
from portal.releases.filters import ReleaseFilter, visible_releases
from portal.releases.forms import ReasonForm, ReleaseForm
from portal.releases.listing import releases_csv, with_row_facts
from portal.releases.rules import acts_on_all

FAILED_WRITES = (OutboxMessage.Status.DEAD, OutboxMessage.Status.RETRYING)


def visible_release(request, pk: int) -> Release:
    """The release if the person may see it; 404 otherwise (its existence is not revealed)."""
    return get_object_or_404(visible_releases(request.user), pk=pk)


def run_action(
    request, release: Release, action: Callable[[], object], done: str | Callable[[object], str]
) -> HttpResponse:
    """Run a service call; its refusal becomes an error message on the release page."""
    try:
        result = action()
    except ReleaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done(result) if callable(done) else done)
    return redirect(release)


def _posted(request):
    return request.POST if request.method == "POST" else None


class ReleaseListView(FilteredListView):
    model = Release
    filterset_class = ReleaseFilter
    permission_required = "portal.view_release"
    template_name = "releases/list.html"
    partial_template_name = "releases/_table.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return export_csv(request)
        return super().get(request, *args, **kwargs)

    def get_base_queryset(self):
        return with_row_facts(visible_releases(self.request.user))


@login_required
@permission_required("portal.view_release", raise_exception=True)
def export_csv(request):
    """The releases of the list, with the same filters, narrowed to the person's communities."""
    query = request.GET.copy()
    query.pop("format", None)
    filterset = ReleaseFilter(
        query or None, queryset=visible_releases(request.user), request=request
    )
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, "The export filter is not valid: " + filterset.errors.as_text())
        return redirect("releases:list")
    return releases_csv("releases", filterset.qs if filterset.is_bound else filterset.queryset)


@login_required
@permission_required("portal.add_release", raise_exception=True)
def create(request):
    form = ReleaseForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            release = services.create(request.user, **form.service_arguments())
        except ReleaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Release “{release.name}” created. Now add assets.")
            return redirect("releases:add", release.pk)
    return render(request, "releases/form.html", {"form": form, "release": None})


@login_required
@permission_required("portal.change_release", raise_exception=True)
def edit(request, pk: int):
    release = visible_release(request, pk)
    if not release.is_editable:
        messages.error(
            request,
            f"This release is {release.get_state_display().lower()}; only drafts and "
            "rejected releases can be edited.",
        )
        return redirect(release)
    form = ReleaseForm(_posted(request), user=request.user, release=release)
    if request.method == "POST" and form.is_valid():
        try:
            services.update(request.user, release, **form.service_arguments())
        except ReleaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Release saved.")
            return redirect(release)
    return render(request, "releases/form.html", {"form": form, "release": release})


def _latest_writes(release: Release) -> dict[int, OutboxMessage]:
    """The newest outbox write of each publication of the release."""
    latest: dict[int, OutboxMessage] = {}
    for message in publishing.messages(release).order_by("-id"):
        latest.setdefault(int(message.object_id), message)
    return latest


def _review_rows(release: Release) -> list:
    reviews = list(release.reviews.all())
    ids = {int(pk) for review in reviews for pk in review.versions}
    names = dict(Asset.objects.filter(pk__in=ids).values_list("pk", "name"))
    for review in reviews:
        review.version_rows = [
            (names.get(int(pk), f"asset {pk}"), pinned[0], pinned[1])
            for pk, pinned in sorted(review.versions.items(), key=lambda kv: int(kv[0]))
        ]
    return reviews


@login_required
@permission_required("portal.view_release", raise_exception=True)
def detail(request, pk: int):
    release = visible_release(request, pk)
    user = request.user
    publications = list(
        Publication.objects.filter(release=release)
        .select_related("community", "asset")
        .order_by("community__name", "asset__name", "-id")
    )
    writes = _latest_writes(release)
    for publication in publications:
        publication.write = writes.get(publication.pk)
    failed = [p for p in publications if p.write and p.write.status in FAILED_WRITES]
    dead = sum(1 for p in failed if p.write.status == OutboxMessage.Status.DEAD)
    may_act = acts_on_all(user, release)
    editable = release.is_editable and may_act
    context = {
        "release": release,
        "communities": release.communities.order_by("name"),
        "partners": release.partners.order_by("company_name"),
        "items": release.items.select_related("asset").order_by("position", "id"),
        "publications": publications,
        "failed_writes": len(failed),
        "dead_writes": dead,
        "reviews": _review_rows(release),
        "withdraw_form": ReasonForm(),
        "can_edit": editable and user.has_perm("portal.change_release"),
        "can_submit": editable and user.has_perm("portal.submit_release"),
        "can_withdraw": may_act
        and release.state not in Release.CLOSED
        and user.has_perm("portal.withdraw_release"),
        "can_retry": dead and may_act and user.has_perm("portal.submit_release"),
        "can_review": release.state == Release.State.IN_REVIEW
        and may_act
        and release.submitted_by_id != user.pk
        and user.has_perm("portal.review_release"),
    }
    return render(request, "releases/detail.html", context)


@login_required
@require_POST
def submit(request, pk: int):
    release = visible_release(request, pk)
    return run_action(
        request,
        release,
        lambda: services.submit(request.user, release),
        "Release submitted. A compliance reviewer decides next.",
    )


@login_required
@permission_required("portal.withdraw_release", raise_exception=True)
@require_POST
def withdraw(request, pk: int):
    release = visible_release(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, error)
        return redirect(release)
    reason = form.cleaned_data["reason"]
    return run_action(
        request,
        release,
        lambda: services.withdraw(request.user, release, reason=reason),
        "Release withdrawn; partners will no longer see its assets.",
    )


@login_required
@require_POST
def remove_item(request, pk: int, item_pk: int):
    release = visible_release(request, pk)
    item = get_object_or_404(release.items.select_related("asset"), pk=item_pk)
    return run_action(
        request,
        release,
        lambda: services.remove_item(request.user, release, item),
        f"{item.asset.name} removed from the release.",
    )


@login_required
@require_POST
def move_item(request, pk: int, item_pk: int):
    release = visible_release(request, pk)
    item = get_object_or_404(release.items.select_related("asset"), pk=item_pk)
    up = request.POST.get("direction") != "down"
    return run_action(
        request,
        release,
        lambda: services.move_item(request.user, release, item, up=up),
        f"{item.asset.name} moved {'up' if up else 'down'}.",
    )


@login_required
@require_POST
def retry(request, pk: int):
    release = visible_release(request, pk)
    return run_action(
        request,
        release,
        lambda: services.retry_publishing(request.user, release),
        lambda n: f"{n} failed write{'s' if n != 1 else ''} to Trading Grid queued again.",
    )


PLAN_ACTIONS = ("publish", "replace", "withdraw", "keep")


@login_required
@permission_required("portal.view_release", raise_exception=True)
def preview(request, pk: int):
    """What partners will see, per community, once the release is (or was) approved."""
    release = visible_release(request, pk)
    proposed = release.state in (
        Release.State.DRAFT,
        Release.State.IN_REVIEW,
        Release.State.REJECTED,
    )
    named: dict[int, list[str]] = {}
    for membership in (
        Membership.objects.filter(
            partner__in=release.partners.all(), community__in=release.communities.all(), active=True
        )
        .select_related("partner")
        .order_by("partner__company_name")
    ):
        named.setdefault(membership.community_id, []).append(membership.partner.company_name)

    def entry(community):
        return {
            "community": community,
            "partners": named.get(community.pk, []),
            **{action: [] for action in PLAN_ACTIONS},
        }

    communities = {c.pk: entry(c) for c in release.communities.order_by("name")}
    # Withdrawals may concern a community the release no longer targets.
    for step in publishing.plan(release, proposed=proposed):
        communities.setdefault(step.community.pk, entry(step.community))[step.action].append(step)
    return render(
        request,
        "releases/preview.html",
        {"release": release, "proposed": proposed, "communities": list(communities.values())},
    )
