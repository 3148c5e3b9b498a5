from rest_framework.routers import DefaultRouter

from audit.api import AuditEventViewSet
from portal.api.views import JobRunViewSet
from portal.catalog.api import AssetViewSet
from portal.communities.api import CommunityViewSet, PartnerViewSet
from portal.kits.api import KitViewSet
from portal.onboarding.api import EnrollmentViewSet, FollowUpViewSet, ProgramViewSet
from portal.releases.api import ReleaseViewSet
from portal.usage.api import UsageViewSet
from requests_app.api import RequestViewSet

# No ``.json``-style suffix routes: the viewsets' own actions do not take a ``format``
# argument, and ``?format=`` or the Accept header choose the renderer anyway.
router = DefaultRouter()
router.include_format_suffixes = False
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("jobs", JobRunViewSet, basename="job")
router.register("assets", AssetViewSet, basename="asset")
router.register("communities", CommunityViewSet, basename="community")
router.register("partners", PartnerViewSet, basename="partner")
router.register("releases", ReleaseViewSet, basename="release")
router.register("kits", KitViewSet, basename="kit")
router.register("onboarding-programs", ProgramViewSet, basename="onboarding-program")
router.register("enrollments", EnrollmentViewSet, basename="enrollment")
router.register("follow-ups", FollowUpViewSet, basename="follow-up")
router.register("requests", RequestViewSet, basename="partner-request")
router.register("usage", UsageViewSet, basename="usage")
urlpatterns = router.urls
