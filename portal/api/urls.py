from rest_framework.routers import DefaultRouter

from audit.api import AuditEventViewSet
from portal.api.views import JobRunViewSet
from portal.catalog.api import AssetViewSet

router = DefaultRouter()
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("jobs", JobRunViewSet, basename="job")
router.register("assets", AssetViewSet, basename="asset")
urlpatterns = router.urls
