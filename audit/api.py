from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from audit.filters import AuditEventFilter
from audit.models import AuditEvent
from portal.paging import SeqCursorPagination


class AuditEventSerializer(serializers.ModelSerializer):
    action_label = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "time",
            "actor_type",
            "actor_name",
            "actor_id",
            "via",
            "action",
            "action_label",
            "object_type",
            "object_id",
            "object_label",
            "before",
            "after",
            "reason",
            "request_id",
            "ip",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_action_label(self, event: AuditEvent) -> str:
        return event.label


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail, newest first; filters as in the viewer. Pages are keyset cursors
    (``next``/``previous`` links), so reading a million events costs the same per page."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    lookup_field = "seq"
    pagination_class = SeqCursorPagination
