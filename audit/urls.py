from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("", views.AuditEventListView.as_view(), name="list"),
    path("export.csv", views.export_csv, name="export"),
    path("verify/", views.verify_now, name="verify"),
    path("<int:seq>/", views.event_detail, name="detail"),
]
