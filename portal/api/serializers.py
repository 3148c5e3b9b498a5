from rest_framework import serializers

from portal.models import JobRun


class JobRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobRun
        fields = [
            "id",
            "task_id",
            "task_name",
            "state",
            "trigger",
            "requested_by",
            "request_id",
            "arguments",
            "worker",
            "attempts",
            "queued_at",
            "started_at",
            "finished_at",
            "duration",
            "result",
            "error",
        ]
        read_only_fields = fields
