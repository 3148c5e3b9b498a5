"""Findability: which assets partners report, which search words found nothing, and the tags
and keywords a manager pushes to Canto to settle them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal.errors import ServiceError
from portal.models import Asset
from requests_app import findability
from requests_app.forms import ImproveForm, TermForm
from requests_app.views import CHANGE, VIEW

SHOWN_ASSETS = 50
SHOWN_TERMS = 50


def _errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _answered(request, asset: Asset, answered: list) -> None:
    if answered:
        refs = ", ".join(r.reference for r in answered)
        messages.success(request, f"Queued for {asset.name} in Canto; answered {refs}.")
    else:
        messages.success(request, f"Queued for {asset.name} in Canto; no open report to answer.")


@login_required
@permission_required(VIEW, raise_exception=True)
def overview(request):
    user = request.user
    assets = list(findability.ranked_assets(user)[:SHOWN_ASSETS])
    terms = findability.unmatched_terms(user, limit=SHOWN_TERMS)
    can_act = user.has_perm(CHANGE)
    for term in terms:
        initial = {"term": term["term"]}
        term["form"] = TermForm(initial=initial, prefix="term", auto_id=False) if can_act else None
    return render(
        request,
        "requests/findability.html",
        {
            "assets": assets,
            "terms": terms,
            "can_act": can_act,
            "improve_form": ImproveForm(prefix="improve", auto_id=False),
        },
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def improve(request, asset_pk: int):
    """Push tags and keywords to one asset and answer the open reports about it."""
    asset = get_object_or_404(Asset, pk=asset_pk)
    form = ImproveForm(request.POST, prefix="improve")
    if not form.is_valid():
        _errors(request, form)
        return redirect("requests:findability")
    data = form.cleaned_data
    try:
        answered = findability.improve(
            request.user,
            asset,
            tags=data["tags"],
            keywords=data["keywords"],
            message=data["message"],
        )
    except ServiceError as error:
        messages.error(request, f"{asset.name}: {error}")
    else:
        _answered(request, asset, answered)
    return redirect("requests:findability")


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def attach_term(request):
    """Make a search word find an asset (a Canto keyword) and answer the reports that used it."""
    form = TermForm(request.POST, prefix="term")
    if not form.is_valid():
        _errors(request, form)
        return redirect("requests:findability")
    asset, term = form.cleaned_data["asset"], form.cleaned_data["term"]
    try:
        answered = findability.improve(
            request.user,
            asset,
            keywords=term,
            term=term,
            message=form.cleaned_data["message"],
        )
    except ServiceError as error:
        messages.error(request, f"“{term}”: {error}")
    else:
        _answered(request, asset, answered)
    return redirect("requests:findability")
