from rest_framework import viewsets

from portal.api.serializers import JobRunSerializer
from portal.filters import JobRunFilter
from portal.models import JobRun


class JobRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Celery task runs: what the workers did, are doing and failed to do."""

    queryset = JobRun.objects.all()
    serializer_class = JobRunSerializer
    filterset_class = JobRunFilter
