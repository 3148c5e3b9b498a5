"""Catalog pages: the list, an asset, thumbnails, the CSV export and catalog syncs."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from integrations.filters import SyncRunFilter
from integrations.models import SyncRun
from portal.catalog import services
from portal.catalog.filters import AssetFilter
from portal.listing import FilteredListView, stream_csv
from portal.models import Asset
from portal.releases import trace
from requests_app.catalog_panels import language_family, open_requests_about

PLACEHOLDER = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" '
    'fill="#e8ecf3"/><text x="32" y="36" font-size="9" text-anchor="middle" fill="#5d6778">'
    "no preview</text></svg>"
)


EDITABLE_RELEASES_SHOWN = 50


class AssetListView(FilteredListView):
    model = Asset
    filterset_class = AssetFilter
    permission_required = "portal.view_asset"
    template_name = "catalog/list.html"
    partial_template_name = "catalog/_table.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["last_run"] = SyncRun.objects.first()
        return context


@login_required
@permission_required("portal.view_asset", raise_exception=True)
def asset_detail(request, pk: int):
    asset = get_object_or_404(Asset, pk=pk)
    context = {
        "asset": asset,
        "other_fields": services.unmapped_fields(asset),
        "versions": asset.versions.all()[:50],
        "canto_url": services.canto_link(asset),
    }
    if request.user.has_perm("portal.view_release"):
        # Where the asset is shared, which version, who approved it.
        context["shared_in"] = trace.asset_releases(request.user, asset)
        # The drafts changed most recently, by name: a long-lived installation has thousands.
        recent = trace.editable_releases(request.user).exclude(items__asset=asset)
        recent = recent.order_by("-updated_at", "-id")[:EDITABLE_RELEASES_SHOWN]
        context["editable_releases"] = sorted(recent, key=lambda r: r.name.casefold())
    context["family"] = language_family(asset)
    if request.user.has_perm("requests_app.view_partnerrequest"):
        context["open_requests"] = list(open_requests_about(request.user, asset)[:50])
    return render(request, "catalog/detail.html", context)


@login_required
@permission_required("portal.view_asset", raise_exception=True)
@cache_control(private=True, max_age=600)
def asset_preview(request, pk: int):
    """The Canto thumbnail, fetched with the portal's token, for staff pages only."""
    asset = get_object_or_404(Asset, pk=pk)
    key = f"preview:{asset.canto_id}:{asset.version_no}"
    cached = cache.get(key)
    if cached is None:
        fetched = services.fetch_preview(asset)
        # A passing failure is tried again within a minute; a real preview is kept an hour.
        cached = fetched or (PLACEHOLDER.encode(), "image/svg+xml")
        cache.set(key, cached, 3600 if fetched else 60)
    content, content_type = cached
    response = HttpResponse(content, content_type=content_type)
    # Previews can be SVG: never let one run script or load anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


@login_required
@permission_required("portal.view_asset", raise_exception=True)
def export_csv(request):
    filterset = AssetFilter(request.GET or None, queryset=Asset.objects.all())
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, "The export filter is not valid: " + filterset.errors.as_text())
        return redirect("catalog:list")
    assets = filterset.qs if filterset.is_bound else filterset.queryset
    return stream_csv(
        "catalog",
        [
            "canto_id",
            "scheme",
            "name",
            "version",
            "md5",
            "canto_status",
            "category",
            "language",
            "region",
            "regulated",
            "tags",
            "albums",
            "changed_in_canto",
            "deleted_in_canto",
        ],
        assets.iterator(chunk_size=2000),
        lambda a: [
            a.canto_id,
            a.scheme,
            a.name,
            a.version_no,
            a.md5,
            a.approval_status,
            a.category,
            a.language,
            a.region,
            a.regulated,
            ", ".join(a.tags),
            ", ".join(album["name"] for album in a.albums),
            a.canto_modified.isoformat() if a.canto_modified else "",
            a.deleted_in_canto,
        ],
    )


@login_required
@permission_required("portal.start_sync", raise_exception=True)
@require_POST
def sync_now(request):
    full = request.POST.get("kind") == "full"
    services.request_sync(full=full)
    messages.success(request, f"{'Full' if full else 'Incremental'} catalog sync queued.")
    return redirect("catalog:syncs")


class SyncRunListView(FilteredListView):
    model = SyncRun
    permission_required = "integrations.view_syncrun"
    template_name = "catalog/syncs.html"
    partial_template_name = "catalog/_syncs_table.html"
    paginate_by = 25
    filterset_class = SyncRunFilter


@login_required
@permission_required("integrations.view_syncrun", raise_exception=True)
def sync_detail(request, pk: int):
    run = get_object_or_404(SyncRun, pk=pk)
    template = "catalog/_sync_progress.html" if request.htmx else "catalog/sync_detail.html"
    return render(
        request,
        template,
        {"run": run, "failures": run.failures.all()[:200], "canto_sandbox": settings.CANTO_SANDBOX},
    )
