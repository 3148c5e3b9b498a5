"""Kit representations for ``/api/v1/kits/``: the kit, its partners, and what a script sends."""

from rest_framework import serializers

from portal.models import Kit, Membership
from portal.releases.serializers import (
    CommunityRefSerializer,
    PartnerRefSerializer,
    ReleaseItemSerializer,
    ReleaseWriteSerializer,
)


class KitSerializer(serializers.ModelSerializer):
    release = serializers.IntegerField(source="release_id", read_only=True)
    name = serializers.CharField(source="release.name", read_only=True)
    state = serializers.CharField(source="release.state", read_only=True)
    revision = serializers.IntegerField(source="release.revision", read_only=True)
    instructions = serializers.CharField(source="release.instructions", read_only=True)
    launch_at = serializers.DateTimeField(
        source="release.publish_at", read_only=True, allow_null=True
    )
    expire_at = serializers.DateTimeField(
        source="release.expire_at", read_only=True, allow_null=True
    )
    requires_acknowledgement = serializers.BooleanField(
        source="release.requires_acknowledgement", read_only=True
    )
    communities = CommunityRefSerializer(source="release.communities", many=True, read_only=True)
    tiers = serializers.ListField(
        source="release.tiers", child=serializers.CharField(), read_only=True
    )
    regions = serializers.ListField(
        source="release.regions", child=serializers.CharField(), read_only=True
    )
    items = ReleaseItemSerializer(source="release.items", many=True, read_only=True)
    item_count = serializers.IntegerField(read_only=True)
    acknowledged_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Kit
        fields = [
            "id",
            "release",
            "name",
            "state",
            "revision",
            "instructions",
            "communities",
            "tiers",
            "regions",
            "launch_at",
            "deadline",
            "expire_at",
            "requires_acknowledgement",
            "remind_hours_before",
            "reminded_at",
            "items",
            "item_count",
            "acknowledged_count",
            "created_at",
        ]
        read_only_fields = fields


class KitWriteSerializer(ReleaseWriteSerializer):
    """A release's fields (``publish_at`` is the launch date) plus the deadline."""

    deadline = serializers.DateTimeField()
    remind_hours_before = serializers.IntegerField(min_value=1, max_value=1440, required=False)


class KitPartnerSerializer(serializers.ModelSerializer):
    partner = PartnerRefSerializer(read_only=True)
    community = CommunityRefSerializer(read_only=True)
    progress = serializers.CharField(read_only=True)
    views = serializers.IntegerField(read_only=True)
    downloads = serializers.IntegerField(read_only=True)
    viewed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    last_at = serializers.DateTimeField(read_only=True, allow_null=True)
    acknowledged_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reminded_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = [
            "partner",
            "community",
            "progress",
            "views",
            "downloads",
            "viewed_at",
            "last_at",
            "acknowledged_at",
            "reminded_at",
        ]
        read_only_fields = fields
