from rest_framework import serializers, viewsets

from portal.communities.filters import CommunityFilter, PartnerFilter
from portal.communities.views import visible_partners
from portal.grants import communities_for
from portal.models import Community, Partner


class CommunitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = [
            "id",
            "tg_id",
            "name",
            "description",
            "status",
            "regions",
            "tiers",
            "tg_updated_at",
            "last_synced_at",
        ]
        read_only_fields = fields


class PartnerSerializer(serializers.ModelSerializer):
    communities = serializers.SerializerMethodField()

    class Meta:
        model = Partner
        fields = [
            "id",
            "tg_id",
            "company_name",
            "status",
            "tier",
            "regions",
            "language",
            "tags",
            "joined_at",
            "tg_updated_at",
            "communities",
        ]
        read_only_fields = fields

    def get_communities(self, partner: Partner) -> list[str]:
        """Only the communities the caller may see."""
        granted = self.context.get("granted_ids", set())
        return [
            m.community.tg_id
            for m in partner.memberships.all()
            if m.active and m.community_id in granted
        ]


class CommunityViewSet(viewsets.ReadOnlyModelViewSet):
    """Partner communities, narrowed to those granted to the caller."""

    serializer_class = CommunitySerializer
    filterset_class = CommunityFilter
    queryset = Community.objects.none()

    def get_queryset(self):
        return communities_for(self.request.user)


class PartnerViewSet(viewsets.ReadOnlyModelViewSet):
    """Partners of the caller's communities."""

    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter
    queryset = Partner.objects.none()

    def get_queryset(self):
        return visible_partners(self.request.user).prefetch_related("memberships__community")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["granted_ids"] = set(
            communities_for(self.request.user).values_list("pk", flat=True)
        )
        return context
