from django.urls import path

from integrations import views

app_name = "operations"
urlpatterns = [
    path("outbox/", views.OutboxListView.as_view(), name="outbox"),
    path("outbox/<int:pk>/<slug:action>/", views.outbox_action, name="outbox-action"),
    path("reconcile/", views.reconcile_now, name="reconcile"),
]
