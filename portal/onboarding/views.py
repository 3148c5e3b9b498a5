"""Program pages: the list, creating and editing a program with its materials, and the program
page with its partners by progress, overdue ones, follow-ups and questions.

Every change goes through the onboarding services; what they refuse is shown as a form error
or a message, never as a server error. Reviewing and publishing are the release pages'.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.catalog.filters import AssetFilter
from portal.errors import ServiceError
from portal.grants import may_act_on
from portal.listing import FilteredListView
from portal.models import Asset, Enrollment, OnboardingProgram
from portal.numbers import plain_id
from portal.onboarding import enrollments, programs, progress
from portal.onboarding.filters import ProgramFilter
from portal.onboarding.forms import DoneForm, EnrollForm, MaterialsForm, ProgramForm
from portal.onboarding.rules import (
    ADD,
    CHANGE,
    CHANGE_FOLLOW_UP,
    ENROLL,
    VIEW,
    visible_follow_ups,
    visible_programs,
)

SHOWN = 50  # enrollments, follow-ups and questions on the program page; the rest are listed


def visible_program(request, pk: int) -> OnboardingProgram:
    """The program if the person may see it; 404 otherwise (its existence is not revealed)."""
    return get_object_or_404(
        progress.with_figures(visible_programs(request.user)).select_related("release"), pk=pk
    )


def _posted(request):
    return request.POST if request.method == "POST" else None


def run(request, program, action: Callable[[], object], done: str) -> HttpResponse:
    """Run a service call; its refusal becomes an error message on the program page."""
    try:
        action()
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(program)


class ProgramListView(FilteredListView):
    model = OnboardingProgram
    filterset_class = ProgramFilter
    permission_required = VIEW
    template_name = "onboarding/list.html"
    partial_template_name = "onboarding/_table.html"

    def get_base_queryset(self):
        return progress.with_figures(visible_programs(self.request.user)).order_by(
            "community__name", "release__name", "pk"
        )


@login_required
@permission_required(ADD, raise_exception=True)
def create(request):
    form = ProgramForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            program = programs.create_program(request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Program “{program}” created. Now add its materials.")
            return redirect("onboarding:add", program.pk)
    return render(request, "onboarding/form.html", {"form": form, "program": None})


def _materials_form(program, data=None) -> MaterialsForm:
    items = list(program.release.items.select_related("asset").order_by("position", "id"))
    return MaterialsForm(data, items=items, prefix="m")


@login_required
@permission_required(CHANGE, raise_exception=True)
def edit(request, pk: int):
    """The program's details, and its materials (order, acknowledgement, removal)."""
    program = visible_program(request, pk)
    form = ProgramForm(_posted(request), user=request.user, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            programs.update_program(request.user, program, **form.changes())
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Program saved.")
            return redirect(program)
    return _edit_page(request, program, form, _materials_form(program))


def _edit_page(request, program, form, materials) -> HttpResponse:
    context = {"form": form, "program": program, "materials": materials}
    return render(request, "onboarding/form.html", context)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def save_materials(request, pk: int):
    program = visible_program(request, pk)
    materials = _materials_form(program, request.POST)
    if materials.is_valid():
        try:
            programs.set_materials(request.user, program, materials.materials())
        except ServiceError as error:
            materials.add_error(None, str(error))
        else:
            messages.success(request, "Materials saved.")
            return redirect("onboarding:edit", program.pk)
    form = ProgramForm(None, user=request.user, program=program)
    return _edit_page(request, program, form, materials)


@login_required
@permission_required(CHANGE, raise_exception=True)
def add_materials(request, pk: int):
    """Search the catalog; eligible assets become materials, the others say why they cannot."""
    program = visible_program(request, pk)
    if request.method == "POST":
        chosen = plain_id(request.POST.get("asset", ""))
        asset = Asset.objects.filter(pk=chosen).first() if chosen else None
        needs = request.POST.get("needs_acknowledgement", "on") == "on"
        if asset is None:
            messages.error(request, "Choose an asset from the list.")
        else:
            try:
                programs.add_material(request.user, program, asset, needs_acknowledgement=needs)
            except ServiceError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, f"{asset.name} (version {asset.version_no}) added.")
        return redirect(request.get_full_path())
    filterset = AssetFilter(request.GET or None, queryset=Asset.objects.all(), request=request)
    if filterset.is_bound and not filterset.is_valid():
        assets = Asset.objects.none()
    else:
        assets = filterset.qs if filterset.is_bound else filterset.queryset
    page = Paginator(assets, 25).get_page(request.GET.get("page"))
    template = "onboarding/_picker_results.html" if request.htmx else "onboarding/picker.html"
    return render(
        request,
        template,
        {
            "program": program,
            "release": program.release,
            "filter": filterset,
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "object_list": page.object_list,
            "in_program": set(program.release.items.values_list("asset_id", flat=True)),
        },
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def remove_material(request, pk: int, item_pk: int):
    program = visible_program(request, pk)
    item = get_object_or_404(program.release.items.select_related("asset"), pk=item_pk)
    run(
        request,
        program,
        lambda: programs.remove_material(request.user, program, item),
        f"{item.asset.name} removed from the materials.",
    )
    return redirect("onboarding:edit", program.pk)


def _page_rows(program, now):
    """Partners by progress: overdue first, then in progress, completed, left."""
    rank = Case(
        When(state=Enrollment.State.ACTIVE, due_at__lt=now, then=Value(0)),
        When(state=Enrollment.State.ACTIVE, then=Value(1)),
        When(state=Enrollment.State.COMPLETED, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    mine = Enrollment.objects.filter(program=program)
    return list(
        progress.with_progress(mine, now)
        .annotate(rank=rank)
        .order_by("rank", "due_at", "partner__company_name", "pk")[:SHOWN]
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def detail(request, pk: int):
    from requests_app.models import PartnerRequest

    program = visible_program(request, pk)
    user, now = request.user, timezone.now()
    release = program.release
    follow_ups = (
        visible_follow_ups(user)
        .filter(enrollment__program=program, done_at=None)
        .select_related("enrollment__partner", "item__asset", "assigned_to")
        .order_by("created_at", "pk")
    )
    may_act = may_act_on(user, program.community)
    late = progress.overdue(Enrollment.objects.filter(program=program), now)
    context = {
        "program": program,
        "release": release,
        "summary": progress.summary(program, now),
        "materials": list(release.items.select_related("asset").order_by("position", "id")),
        "enrollments": _page_rows(program, now),
        "overdue": list(progress.with_progress(late, now).order_by("due_at", "pk")[:SHOWN]),
        "follow_ups": list(follow_ups[:SHOWN]),
        "questions": list(
            PartnerRequest.objects.filter(enrollment__program=program)
            .select_related("partner", "enrollment")
            .order_by("-received_at", "-pk")[:SHOWN]
        ),
        "not_enrollable": enrollments.enrollable(program, release),
        "enroll_form": EnrollForm(program=program) if may_act and user.has_perm(ENROLL) else None,
        "done_form": DoneForm(),
        "can_edit": may_act and user.has_perm(CHANGE),
        "can_close_follow_ups": may_act and user.has_perm(CHANGE_FOLLOW_UP),
    }
    return render(request, "onboarding/detail.html", context)


@login_required
@permission_required(ENROLL, raise_exception=True)
@require_POST
def enroll(request, pk: int):
    program = visible_program(request, pk)
    form = EnrollForm(request.POST, program=program)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(program)
    partner = form.cleaned_data["partner"]
    return run(
        request,
        program,
        lambda: enrollments.enroll_partner(request.user, program, partner),
        f"{partner.company_name} enrolled; the materials are on their way to them.",
    )
