"""Onboarding representations for the API: programs, enrollments and follow-ups, and what a
script may send. Writes are checked here for shape only; the services decide the rest."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.communities.views import visible_partners
from portal.grants import communities_for
from portal.models import (
    Asset,
    Community,
    Enrollment,
    FollowUp,
    OnboardingProgram,
    Partner,
    ReleaseItem,
)
from portal.onboarding.programs import MAX_TARGET_DAYS
from portal.releases.serializers import CommunityRefSerializer, PartnerRefSerializer


class MaterialSerializer(serializers.ModelSerializer):
    asset = serializers.IntegerField(source="asset_id", read_only=True)
    name = serializers.CharField(source="asset.name", read_only=True)
    regulated = serializers.BooleanField(source="asset.regulated", read_only=True)
    eligibility_problem = serializers.CharField(source="asset.eligibility_problem", read_only=True)

    class Meta:
        model = ReleaseItem
        fields = [
            "id",
            "asset",
            "name",
            "regulated",
            "position",
            "needs_acknowledgement",
            "version_no",
            "approved_version_no",
            "eligibility_problem",
            "withdrawn_reason",
        ]
        read_only_fields = fields


class ReleaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    state = serializers.CharField(read_only=True)
    revision = serializers.IntegerField(read_only=True)


class ProgramSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="release.name", read_only=True)
    instructions = serializers.CharField(source="release.instructions", read_only=True)
    community = CommunityRefSerializer(read_only=True)
    release = ReleaseRefSerializer(read_only=True)
    materials = MaterialSerializer(source="release.items.all", many=True, read_only=True)
    in_progress = serializers.IntegerField(read_only=True)
    completed = serializers.IntegerField(read_only=True)
    left = serializers.IntegerField(read_only=True)
    overdue = serializers.IntegerField(read_only=True)
    median_days_to_complete = serializers.SerializerMethodField()

    class Meta:
        model = OnboardingProgram
        fields = [
            "id",
            "name",
            "instructions",
            "community",
            "release",
            "target_days",
            "active",
            "created_at",
            "materials",
            "in_progress",
            "completed",
            "left",
            "overdue",
            "median_days_to_complete",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_median_days_to_complete(self, program: OnboardingProgram) -> float | None:
        return self.context.get("medians", {}).get(program.pk)


class _Common(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    instructions = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    target_days = serializers.IntegerField(min_value=1, max_value=MAX_TARGET_DAYS, required=False)
    active = serializers.BooleanField(required=False)


class ProgramCreateSerializer(_Common):
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["community"].queryset = communities_for(request.user)


class ProgramChangeSerializer(_Common):
    name = serializers.CharField(max_length=200, required=False)


class MaterialWriteSerializer(serializers.Serializer):
    asset = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.all())
    needs_acknowledgement = serializers.BooleanField(default=True)


class MaterialsWriteSerializer(serializers.Serializer):
    materials = MaterialWriteSerializer(many=True, allow_empty=True)


class EnrollSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["partner"].queryset = visible_partners(request.user)


class ProgramRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="release.name", read_only=True)


class EnrollmentSerializer(serializers.ModelSerializer):
    program = ProgramRefSerializer(read_only=True)
    community = CommunityRefSerializer(source="program.community", read_only=True)
    partner = PartnerRefSerializer(read_only=True)
    required = serializers.IntegerField(read_only=True, help_text="Materials to acknowledge.")
    acknowledged = serializers.IntegerField(read_only=True, help_text="Of those, acknowledged.")
    overdue = serializers.BooleanField(read_only=True)
    open_follow_ups = serializers.IntegerField(read_only=True)
    questions = serializers.IntegerField(source="questions_count", read_only=True)

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "program",
            "community",
            "partner",
            "state",
            "source",
            "enrolled_at",
            "due_at",
            "completed_at",
            "left_at",
            "overdue",
            "required",
            "acknowledged",
            "open_follow_ups",
            "questions",
        ]
        read_only_fields = fields


class MaterialStatusSerializer(serializers.Serializer):
    item = serializers.IntegerField(read_only=True)
    asset = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    needs_acknowledgement = serializers.BooleanField(read_only=True)
    status = serializers.ChoiceField(
        choices=["open", "acknowledged", "declined"],
        read_only=True,
        help_text="What Trading Grid last reported for the partner.",
    )
    at = serializers.DateTimeField(read_only=True, allow_null=True)


class QuestionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    subject = serializers.CharField(read_only=True)
    state = serializers.CharField(read_only=True)


class EnrollmentDetailSerializer(EnrollmentSerializer):
    materials = MaterialStatusSerializer(many=True, read_only=True, source="material_rows")
    question_list = QuestionRefSerializer(many=True, read_only=True, source="question_rows")

    class Meta(EnrollmentSerializer.Meta):
        fields = [*EnrollmentSerializer.Meta.fields, "materials", "question_list"]
        read_only_fields = fields


class FollowUpSerializer(serializers.ModelSerializer):
    enrollment = serializers.IntegerField(source="enrollment_id", read_only=True)
    program = ProgramRefSerializer(source="enrollment.program", read_only=True)
    partner = PartnerRefSerializer(source="enrollment.partner", read_only=True)
    material = MaterialSerializer(source="item", read_only=True)
    assigned_to = serializers.CharField(
        source="assigned_to.username", read_only=True, allow_null=True, default=None
    )
    done_by = serializers.CharField(
        source="done_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "enrollment",
            "program",
            "partner",
            "material",
            "assigned_to",
            "created_at",
            "done_at",
            "done_by",
            "note",
        ]
        read_only_fields = fields


class DoneSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
