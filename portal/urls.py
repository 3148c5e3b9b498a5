from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from integrations.canto import webhooks as canto_webhooks
from integrations.tradinggrid import webhooks as tradinggrid_webhooks
from portal.releases.urls import review_patterns
from portal.views import account, dashboard, health, jobs
from requests_app import status_views

handler404 = "portal.views.errors.not_found"
admin.site.site_header = "Partner content portal administration"
admin.site.site_title = "Partner content portal"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("jobs/", jobs.JobListView.as_view(), name="jobs"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job-detail"),
    path("audit/", include("audit.urls")),
    path("catalog/", include("portal.catalog.urls")),
    path("communities/", include("portal.communities.urls")),
    path("releases/", include("portal.releases.urls")),
    path("kits/", include("portal.kits.urls")),
    path("onboarding/", include("portal.onboarding.urls")),
    path("reviews/", include(review_patterns)),
    path("requests/", include("requests_app.urls")),
    path("usage/", include("portal.usage.urls")),
    path("status/<str:token>/", status_views.status_page, name="request_status"),
    path("account/notifications/", account.notification_settings, name="notification-settings"),
    path("operations/", include("integrations.urls")),
    path("webhooks/canto/<slug:event>/", canto_webhooks.receive, name="canto-webhook"),
    path("webhooks/tradinggrid/", tradinggrid_webhooks.receive, name="tradinggrid-webhook"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include(("portal.api.urls", "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
