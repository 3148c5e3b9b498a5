"""Putting catalog assets into a release: the picker on the release, and the asset page form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal.catalog.filters import AssetFilter
from portal.models import Asset
from portal.numbers import plain_id
from portal.releases import services
from portal.releases.errors import ReleaseError
from portal.releases.views import visible_release

PAGE_SIZE = 25


def _add(request, release, asset) -> bool:
    try:
        services.add_item(request.user, release, asset)
    except ReleaseError as error:
        messages.error(request, str(error))
        return False
    messages.success(request, f"{asset.name} (version {asset.version_no}) added to {release.name}.")
    return True


@login_required
@permission_required("portal.change_release", raise_exception=True)
def pick_assets(request, pk: int):
    """Search the catalog; eligible assets can be added, the others say why they cannot."""
    release = visible_release(request, pk)
    if request.method == "POST":
        chosen = request.POST.get("asset", "")
        asset = Asset.objects.filter(pk=plain_id(chosen)).first() if plain_id(chosen) else None
        if asset is None:
            messages.error(request, "Choose an asset from the list.")
        else:
            _add(request, release, asset)
        return redirect(request.get_full_path())
    filterset = AssetFilter(request.GET or None, queryset=Asset.objects.all(), request=request)
    if filterset.is_bound and not filterset.is_valid():
        assets = Asset.objects.none()
    else:
        assets = filterset.qs if filterset.is_bound else filterset.queryset
    page = Paginator(assets, PAGE_SIZE).get_page(request.GET.get("page"))
    in_release = set(release.items.values_list("asset_id", flat=True))
    template = "releases/_picker_results.html" if request.htmx else "releases/picker.html"
    return render(
        request,
        template,
        {
            "release": release,
            "filter": filterset,
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "object_list": page.object_list,
            "in_release": in_release,
        },
    )


@login_required
@permission_required("portal.change_release", raise_exception=True)
@require_POST
def add_from_asset_page(request, asset_pk: int):
    """The "Add to release…" form on an asset page."""
    asset = get_object_or_404(Asset, pk=asset_pk)
    try:
        release = visible_release(request, int(request.POST.get("release", "")))
    except ValueError:
        messages.error(request, "Choose a release.")
        return redirect(asset)
    if _add(request, release, asset):
        return redirect(release)
    return redirect(asset)
