"""Release representations for ``/api/v1/releases/``: what is read, and what a script may send.

Writes are validated here for shape only (types, dates, ids the caller may target); the
services decide everything else and their refusals become ``{"detail": ...}`` responses.
"""

from rest_framework import serializers

from portal.communities.views import visible_partners
from portal.grants import communities_for
from portal.models import Asset, Community, Partner, Publication, Release, ReleaseItem, Review


class CommunityRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = ["id", "tg_id", "name"]
        read_only_fields = fields


class PartnerRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partner
        fields = ["id", "tg_id", "company_name"]
        read_only_fields = fields


class ReleaseItemSerializer(serializers.ModelSerializer):
    asset = serializers.IntegerField(source="asset_id", read_only=True)
    canto_id = serializers.CharField(source="asset.canto_id", read_only=True)
    name = serializers.CharField(source="asset.name", read_only=True)
    regulated = serializers.BooleanField(source="asset.regulated", read_only=True)
    current_version_no = serializers.IntegerField(source="asset.version_no", read_only=True)
    eligibility_problem = serializers.CharField(source="asset.eligibility_problem", read_only=True)
    awaits_approval = serializers.BooleanField(read_only=True)

    class Meta:
        model = ReleaseItem
        fields = [
            "id",
            "asset",
            "canto_id",
            "name",
            "regulated",
            "position",
            "version_no",
            "md5",
            "approved_version_no",
            "approved_md5",
            "awaits_approval",
            "current_version_no",
            "eligibility_problem",
            "withdrawn_reason",
            "added_at",
        ]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer_name", read_only=True)

    class Meta:
        model = Review
        fields = ["id", "reviewer", "decision", "reason", "revision", "versions", "decided_at"]
        read_only_fields = fields


class PublicationSummarySerializer(serializers.Serializer):
    """How many publications of the release are in each state, and how many writes gave up."""

    publishing = serializers.IntegerField(source="pub_publishing", read_only=True)
    live = serializers.IntegerField(source="pub_live", read_only=True)
    withdrawing = serializers.IntegerField(source="pub_withdrawing", read_only=True)
    withdrawn = serializers.IntegerField(source="pub_withdrawn", read_only=True)
    superseded = serializers.IntegerField(source="pub_superseded", read_only=True)
    failed_writes = serializers.IntegerField(
        source="pub_failed", read_only=True, help_text="Publications with a write given up."
    )


class ReleaseSerializer(serializers.ModelSerializer):
    etag = serializers.CharField(read_only=True)
    communities = CommunityRefSerializer(many=True, read_only=True)
    partners = PartnerRefSerializer(many=True, read_only=True)
    items = ReleaseItemSerializer(many=True, read_only=True)
    reviews = ReviewSerializer(many=True, read_only=True)
    publications = PublicationSummarySerializer(source="*", read_only=True)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    submitted_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    tiers = serializers.ListField(child=serializers.CharField(), read_only=True)
    regions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Release
        fields = [
            "id",
            "name",
            "kind",
            "instructions",
            "state",
            "revision",
            "etag",
            "requires_acknowledgement",
            "publish_at",
            "expire_at",
            "on_new_version",
            "communities",
            "partners",
            "tiers",
            "regions",
            "items",
            "created_by",
            "created_at",
            "submitted_by",
            "submitted_at",
            "rejection_reason",
            "reviews",
            "publications",
            "state_changed_at",
            "updated_at",
        ]
        read_only_fields = fields


class TargetField(serializers.PrimaryKeyRelatedField):
    """An id among those the caller may target; others read as not existing."""

    def __init__(self, narrow, **kwargs):
        self.narrow = narrow
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return self.narrow(user) if user is not None else self.queryset.none()


class ReleaseWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    instructions = serializers.CharField(required=False, allow_blank=True)
    requires_acknowledgement = serializers.BooleanField(required=False)
    publish_at = serializers.DateTimeField(required=False, allow_null=True)
    expire_at = serializers.DateTimeField(required=False, allow_null=True)
    on_new_version = serializers.ChoiceField(choices=Release.OnNewVersion.choices, required=False)
    tiers = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, max_length=50
    )
    regions = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, max_length=50
    )
    communities = TargetField(
        communities_for,
        queryset=Community.objects.all(),
        many=True,
        allow_empty=False,
        help_text="Ids of communities granted to you.",
    )
    partners = TargetField(
        visible_partners,
        queryset=Partner.objects.all(),
        many=True,
        required=False,
        help_text="Ids of partners (members of the chosen communities); none means all members.",
    )

    def validate(self, attrs):
        if self.partial and not attrs:
            raise serializers.ValidationError("Send at least one field to change.")
        return attrs


class ItemAddSerializer(serializers.Serializer):
    asset = serializers.PrimaryKeyRelatedField(
        queryset=Asset.objects.all(), help_text="Id of a catalog asset (see /api/v1/assets/)."
    )


class MoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["up", "down"])


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, trim_whitespace=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class PublicationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Publication
        fields = ["id", "tg_id", "version_no", "md5", "state"]
        read_only_fields = fields


class AssetRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Asset
        fields = ["id", "canto_id", "name"]
        read_only_fields = fields


class PlanStepSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["publish", "replace", "keep", "withdraw"])
    community = CommunityRefSerializer(read_only=True)
    asset = AssetRefSerializer(read_only=True)
    version_no = serializers.IntegerField(allow_null=True)
    md5 = serializers.CharField(allow_blank=True)
    current = PublicationRefSerializer(
        allow_null=True, read_only=True, help_text="What partners see now, if anything."
    )


class PlanSerializer(serializers.Serializer):
    proposed = serializers.BooleanField(
        help_text="True: the versions awaiting review; false: the approved versions."
    )
    revision = serializers.IntegerField()
    steps = PlanStepSerializer(many=True)


class PreviewQuerySerializer(serializers.Serializer):
    proposed = serializers.BooleanField(required=False, allow_null=True, default=None)


class RetrySerializer(serializers.Serializer):
    retried = serializers.IntegerField(help_text="Writes queued again.")
    release = ReleaseSerializer()
