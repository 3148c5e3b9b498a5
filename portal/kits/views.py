"""Kit pages: the list and its export, the form, and the kit page with what each partner did.

Assets, their order, review and publishing are the kit's release page; every change goes
through the services, and what they refuse becomes a form error or a message.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from portal.errors import ServiceError
from portal.kits import listing, services, tracking
from portal.kits.filters import KitFilter, KitPartnerFilter, visible_kits
from portal.kits.forms import KitForm
from portal.listing import FilteredListView
from portal.models import Kit
from portal.releases.rules import acts_on_all


def visible_kit(request, pk: int) -> Kit:
    return get_object_or_404(visible_kits(request.user), pk=pk)


def _posted(request):
    return request.POST if request.method == "POST" else None


class KitListView(FilteredListView):
    model = Kit
    filterset_class = KitFilter
    permission_required = "portal.view_release"
    template_name = "kits/list.html"
    partial_template_name = "kits/_table.html"

    def get_base_queryset(self):
        return listing.with_row_facts(visible_kits(self.request.user))

    def get_context_data(self, **kwargs):
        return super().get_context_data(now=timezone.now(), **kwargs)


@login_required
@permission_required("portal.view_release", raise_exception=True)
def export_csv(request):
    filterset = KitFilter(request.GET or None, queryset=visible_kits(request.user), request=request)
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, "The export filter is not valid: " + filterset.errors.as_text())
        return redirect("kits:list")
    return listing.kits_csv(filterset.qs if filterset.is_bound else filterset.queryset)


@login_required
@permission_required("portal.add_release", raise_exception=True)
def create(request):
    form = KitForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            kit = services.create(request.user, **form.service_arguments())
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Kit “{kit.release.name}” created. Now add its assets.")
            return redirect("releases:add", kit.release_id)
    return render(request, "kits/form.html", {"form": form, "kit": None})


@login_required
@permission_required("portal.change_release", raise_exception=True)
def edit(request, pk: int):
    kit = visible_kit(request, pk)
    if not kit.release.is_editable:
        messages.error(
            request,
            f"This kit is {kit.release.get_state_display().lower()}; only drafts and rejected "
            "kits can be edited.",
        )
        return redirect(kit)
    form = KitForm(_posted(request), user=request.user, kit=kit)
    if request.method == "POST" and form.is_valid():
        try:
            services.update(request.user, kit, **form.service_arguments())
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Kit saved.")
            return redirect(kit)
    return render(request, "kits/form.html", {"form": form, "kit": kit})


def _partner_filter(request, kit: Kit) -> KitPartnerFilter:
    return KitPartnerFilter(request.GET or None, queryset=tracking.partner_rows(kit, request.user))


def _labelled(rows) -> list:
    labels = dict(tracking.PROGRESS)
    rows = list(rows)
    for row in rows:
        row.progress_label = labels[row.progress]
    return rows


@login_required
@permission_required("portal.view_release", raise_exception=True)
def detail(request, pk: int):
    kit = visible_kit(request, pk)
    release = kit.release
    partners = _partner_filter(request, kit)
    invalid = partners.is_bound and not partners.is_valid()
    rows = partners.queryset.none() if invalid else partners.qs
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    now = timezone.now()
    user = request.user
    context = {
        "kit": kit,
        "release": release,
        "items": release.items.select_related("asset").order_by("position", "id"),
        "communities": release.communities.order_by("name"),
        "summary": tracking.summary(kit, user),
        "filter": partners,
        "page_obj": page,
        "rows": _labelled(page.object_list),
        "now": now,
        "past_deadline": kit.deadline <= now,
        "remind_at": kit.deadline - timedelta(hours=kit.remind_hours_before),
        "can_edit": release.is_editable
        and user.has_perm("portal.change_release")
        and acts_on_all(user, release),
    }
    if getattr(request, "htmx", False):
        return render(request, "kits/_partners.html", context)
    return render(request, "kits/detail.html", context)


@login_required
@permission_required("portal.view_release", raise_exception=True)
def partners_csv(request, pk: int):
    kit = visible_kit(request, pk)
    partners = _partner_filter(request, kit)
    if partners.is_bound and not partners.is_valid():
        messages.error(request, "The export filter is not valid: " + partners.errors.as_text())
        return redirect(kit)
    return listing.partners_csv(kit, partners.qs if partners.is_bound else partners.queryset)
