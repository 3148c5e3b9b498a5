from django.urls import path

from requests_app import detail_views, findability_views, link_views, queue_views

app_name = "requests"
urlpatterns = [
    path("", queue_views.RequestListView.as_view(), name="list"),
    path("export.csv", queue_views.export_csv, name="export"),
    path("views/", queue_views.save_view, name="save-view"),
    path("views/<int:pk>/delete/", queue_views.delete_view, name="delete-view"),
    path("findability/", findability_views.overview, name="findability"),
    path("findability/terms/", findability_views.attach_term, name="attach-term"),
    path("findability/assets/<int:asset_pk>/", findability_views.improve, name="improve"),
    path("<int:pk>/", detail_views.detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", detail_views.act, name="act"),
    path("<int:pk>/replacement/", detail_views.replacement, name="replacement"),
    path("<int:pk>/links/", link_views.issue, name="issue-link"),
    path("<int:pk>/links/send/", link_views.send, name="send-link"),
    path("<int:pk>/links/<int:link_pk>/revoke/", link_views.revoke, name="revoke-link"),
]
