from django.urls import path

from portal.catalog import views
from portal.releases import trace_views

app_name = "catalog"
urlpatterns = [
    path("", views.AssetListView.as_view(), name="list"),
    path("export.csv", views.export_csv, name="export"),
    path("<int:pk>/", views.asset_detail, name="detail"),
    path("<int:pk>/preview", views.asset_preview, name="preview"),
    path("<int:pk>/releases.csv", trace_views.asset_releases_csv, name="releases-export"),
    path("sync/", views.sync_now, name="sync"),
    path("syncs/", views.SyncRunListView.as_view(), name="syncs"),
    path("syncs/<int:pk>/", views.sync_detail, name="sync-detail"),
]
