"""``/api/v1/usage/``: daily usage rows, or their sums per asset, community, partner or day
(``?group=``), narrowed to the caller's communities; ``totals/`` sums the filtered rows."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.models import UsageDaily
from portal.usage.filters import UsageFilter, grouped, summed, visible_usage


class UsageDailySerializer(serializers.ModelSerializer):
    asset_name = serializers.CharField(source="asset.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    partner_tg_id = serializers.CharField(source="partner.tg_id", read_only=True)
    partner_name = serializers.CharField(source="partner.company_name", read_only=True)

    class Meta:
        model = UsageDaily
        fields = [
            "id",
            "day",
            "asset",
            "asset_name",
            "version_no",
            "community",
            "community_name",
            "partner",
            "partner_tg_id",
            "partner_name",
            "views",
            "downloads",
            "acknowledgements",
        ]
        read_only_fields = fields


class UsageGroupSerializer(serializers.Serializer):
    """One group's sums; only the keys of the chosen group are present."""

    asset = serializers.IntegerField(source="asset_id", required=False)
    asset_name = serializers.CharField(source="asset__name", required=False)
    community = serializers.IntegerField(source="community_id", required=False)
    community_name = serializers.CharField(source="community__name", required=False)
    partner = serializers.IntegerField(source="partner_id", required=False)
    partner_tg_id = serializers.CharField(source="partner__tg_id", required=False)
    partner_name = serializers.CharField(source="partner__company_name", required=False)
    day = serializers.DateField(required=False)
    views = serializers.IntegerField()
    downloads = serializers.IntegerField()
    acknowledgements = serializers.IntegerField()

    def to_representation(self, row):
        data = super().to_representation(row)
        return {k: v for k, v in data.items() if self.fields[k].source in row}


class UsageRowSerializer(UsageGroupSerializer):
    """A listed row, as documented: without ``group`` every key of a daily row; with it, the
    chosen group's keys and the sums."""

    id = serializers.IntegerField(required=False)
    version_no = serializers.IntegerField(required=False)


class TotalsSerializer(serializers.Serializer):
    views = serializers.IntegerField()
    downloads = serializers.IntegerField()
    acknowledgements = serializers.IntegerField()


class UsageViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Partners' views, downloads and acknowledgements per day, asset version, community and
    partner. With ``group`` the list holds one row per asset, community, partner or day."""

    serializer_class = UsageDailySerializer
    filterset_class = UsageFilter
    queryset = UsageDaily.objects.none()

    def get_queryset(self):
        return (
            visible_usage(self.request.user)
            .select_related("asset", "community", "partner")
            .order_by("-day", "pk")
        )

    def _group(self) -> str:
        filterset = self.filterset_class(
            self.request.query_params, queryset=UsageDaily.objects.none(), request=self.request
        )
        return filterset.chosen_group

    @extend_schema(responses=UsageRowSerializer(many=True))
    def list(self, request, *args, **kwargs):
        group = self._group()
        if not group:
            return super().list(request, *args, **kwargs)
        rows = grouped(self.filter_queryset(self.get_queryset()), group)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(UsageGroupSerializer(page, many=True).data)

    @extend_schema(responses=TotalsSerializer)
    @action(detail=False)
    def totals(self, request):
        """The sums of the filtered rows."""
        return Response(summed(self.filter_queryset(self.get_queryset())))
