from django.urls import path

from portal.releases import asset_views, review_views, views

app_name = "releases"
urlpatterns = [
    path("", views.ReleaseListView.as_view(), name="list"),
    path("export.csv", views.export_csv, name="export"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/add/", asset_views.pick_assets, name="add"),
    path("<int:pk>/items/<int:item_pk>/remove/", views.remove_item, name="remove-item"),
    path("<int:pk>/items/<int:item_pk>/move/", views.move_item, name="move-item"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/review/", review_views.review, name="review"),
    path("<int:pk>/approve/", review_views.approve, name="approve"),
    path("<int:pk>/reject/", review_views.reject, name="reject"),
    path("add-asset/<int:asset_pk>/", asset_views.add_from_asset_page, name="add-asset"),
]

# The review queue lives at /reviews/, a page of its own for compliance reviewers.
review_patterns = (
    [path("", review_views.ReviewQueueView.as_view(), name="queue")],
    "reviews",
)
