from rest_framework.routers import DefaultRouter

from audit.api import AuditEventViewSet
from portal.api.views import JobRunViewSet

router = DefaultRouter()
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("jobs", JobRunViewSet, basename="job")
urlpatterns = router.urls
