"""``/api/v1/kits/``: campaign kits for scripts, through the services.

Files, their order, submitting, review and publishing are the kit's release
(``/api/v1/releases/{release}/``); here are the kit's own fields and what each partner did.
Refusals of the services keep their status (400, 403, 409, 412) with ``{"detail": message}``.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from portal.api.errors import ServiceErrorsAnswered
from portal.api.permissions import ActionPermissions
from portal.kits import services, tracking
from portal.kits.filters import KitFilter, KitPartnerFilter, visible_kits
from portal.kits.listing import with_row_facts
from portal.kits.serializers import KitPartnerSerializer, KitSerializer, KitWriteSerializer
from portal.models import Kit, ReleaseItem
from portal.releases.serializers import ErrorSerializer

ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, "Refused: field errors, or what to fix."),
    403: OpenApiResponse(ErrorSerializer, "Your role or a targeted community does not allow it."),
    404: OpenApiResponse(ErrorSerializer, "No such kit among those your grants let you see."),
    409: OpenApiResponse(ErrorSerializer, "Only draft or rejected kits can be edited."),
}


def with_details(kits):
    return with_row_facts(kits).prefetch_related(
        Prefetch(
            "release__items",
            queryset=ReleaseItem.objects.select_related("asset").order_by("position", "id"),
        ),
    )


@extend_schema_view(
    list=extend_schema(summary="Campaign kits in your communities, with the kits page's filters"),
    retrieve=extend_schema(summary="One kit", responses={200: KitSerializer, 404: ERRORS[404]}),
    create=extend_schema(
        summary="Create a draft kit (then add files to its release)",
        request=KitWriteSerializer,
        responses={201: KitSerializer, **{c: ERRORS[c] for c in (400, 403)}},
    ),
    partial_update=extend_schema(
        summary="Edit a draft or rejected kit",
        request=KitWriteSerializer,
        responses={200: KitSerializer, **ERRORS},
    ),
)
class KitViewSet(
    ServiceErrorsAnswered,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Campaign kits: files released together to partners, with a deadline."""

    serializer_class = KitSerializer
    filterset_class = KitFilter
    permission_classes = [ActionPermissions]
    queryset = Kit.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_permissions = {
        "list": "portal.view_release",
        "retrieve": "portal.view_release",
        "partners": "portal.view_release",
        "create": "portal.add_release",
        "partial_update": "portal.change_release",
    }

    def get_queryset(self):
        return with_details(visible_kits(self.request.user))

    def get_object(self):
        if self.action != "partners":
            return super().get_object()
        # The partners list filters partners, not kits: find the kit without its filters.
        kit = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, kit)
        return kit

    def _valid(self, **kwargs) -> dict:
        serializer = KitWriteSerializer(context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _reply(self, kit: Kit, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=kit.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request):
        values = self._valid(data=request.data)
        kit = services.create(request.user, **values)
        return self._reply(kit, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        kit = self.get_object()
        values = self._valid(data=request.data, partial=True)
        services.update(request.user, kit, **values)
        return self._reply(kit)

    @extend_schema(
        summary="What each partner of the audience did with the kit",
        filters=True,
        responses={200: KitPartnerSerializer(many=True), 404: ERRORS[404]},
    )
    @action(
        detail=True,
        methods=["get"],
        filterset_class=KitPartnerFilter,
        serializer_class=KitPartnerSerializer,
    )
    def partners(self, request, pk=None):
        kit = self.get_object()
        rows = self.filter_queryset(tracking.partner_rows(kit, request.user))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(KitPartnerSerializer(page, many=True).data)
