from rest_framework import serializers, viewsets

from portal.catalog.filters import AssetFilter
from portal.models import Asset, AssetVersion


class AssetVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssetVersion
        fields = ["no", "md5", "owner_name", "comment", "canto_created"]


class AssetSerializer(serializers.ModelSerializer):
    eligible = serializers.SerializerMethodField()
    not_eligible_because = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = [
            "id",
            "canto_id",
            "scheme",
            "name",
            "version_no",
            "md5",
            "size",
            "mime_type",
            "approval_status",
            "expires_at",
            "category",
            "language",
            "region",
            "regulated",
            "tags",
            "keywords",
            "albums",
            "custom_fields",
            "owner_name",
            "canto_created",
            "canto_modified",
            "last_seen_at",
            "deleted_in_canto",
            "deleted_at",
            "eligible",
            "not_eligible_because",
        ]
        read_only_fields = fields

    def get_eligible(self, asset: Asset) -> bool:
        return not asset.eligibility_problem

    def get_not_eligible_because(self, asset: Asset) -> str:
        return asset.eligibility_problem


class AssetDetailSerializer(AssetSerializer):
    versions = AssetVersionSerializer(many=True, read_only=True)

    class Meta(AssetSerializer.Meta):
        fields = [*AssetSerializer.Meta.fields, "versions"]
        read_only_fields = fields


class AssetViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalog mirrored from Canto, with the filters of the catalog page."""

    queryset = Asset.objects.all()
    filterset_class = AssetFilter

    def get_serializer_class(self):
        return AssetDetailSerializer if self.action == "retrieve" else AssetSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("versions")
        return queryset
