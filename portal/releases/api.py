"""``/api/v1/releases/``: the release operations of the UI for scripts, through the services.

Every response about one release carries its ``ETag`` (the release's revision). Decisions
(approve, reject) require ``If-Match`` with the ETag the reviewer loaded: without it 428, with
an older one 412. Editing, submitting and withdrawing accept it too. Refusals of the services
keep their status (400, 403, 409, 412) with ``{"detail": message}``.
"""

from __future__ import annotations

import re

from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response

from integrations.models import OutboxMessage
from portal.api.errors import ServiceErrorsAnswered
from portal.api.permissions import ActionPermissions
from portal.models import Community, Partner, Publication, Release, ReleaseItem
from portal.releases import publishing, services
from portal.releases.errors import ReleaseError, StaleRevision
from portal.releases.filters import ReleaseFilter, visible_releases
from portal.releases.serializers import (
    ErrorSerializer,
    ItemAddSerializer,
    MoveSerializer,
    PlanSerializer,
    PreviewQuerySerializer,
    ReasonSerializer,
    ReleaseSerializer,
    ReleaseWriteSerializer,
    RetrySerializer,
)

ETAG = re.compile(r'^(?:W/)?"release-(\d+)-(\d+)"$')
# Actions that answer with a freshly read release (or a plan) need no details on the first read.
BARE = {
    "partial_update",
    "add_item",
    "remove_item",
    "move_item",
    "submit",
    "approve",
    "reject",
    "withdraw",
    "retry",
    "preview",
}


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = "Send the release's ETag in If-Match."
    default_code = "precondition_required"


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("release").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def with_details(queryset: QuerySet[Release]) -> QuerySet[Release]:
    """Everything the representation shows, in a fixed number of queries for any page size."""
    mine = Publication.objects.filter(release=OuterRef("pk"))
    dead = OutboxMessage.objects.filter(
        object_type="portal.publication",
        object_id=Cast(OuterRef("pk"), CharField()),
        status=OutboxMessage.Status.DEAD,
    )
    counts = {f"pub_{state}": _count(mine.filter(state=state)) for state in Publication.State}
    return (
        queryset.select_related("created_by", "submitted_by")
        .prefetch_related(
            Prefetch("items", queryset=ReleaseItem.objects.select_related("asset")),
            Prefetch("communities", queryset=Community.objects.order_by("name")),
            Prefetch("partners", queryset=Partner.objects.order_by("company_name")),
            "reviews",
        )
        .annotate(**counts, pub_failed=_count(mine.filter(Exists(dead))))
    )


def if_match(request, release: Release, *, required: bool) -> int | None:
    """The revision named by If-Match, None when absent (and allowed) or ``*``."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        if required:
            raise PreconditionRequired(
                f"{request.method} {request.path} needs If-Match with the ETag of the release "
                "as you reviewed it (GET the release; * is not enough)."
            )
        return None
    revisions = {
        int(m.group(2))
        for tag in header.split(",")
        if (m := ETAG.match(tag.strip())) and int(m.group(1)) == release.pk
    }
    if not revisions:
        raise StaleRevision("If-Match does not name a revision of this release; reload it.")
    if len(revisions) > 1:
        raise ReleaseError("Send one ETag in If-Match: the one you loaded.")
    return revisions.pop()


def _errors(*codes: int) -> dict:
    described = {
        400: "Refused: field errors, or a detail message saying what to fix.",
        403: "Your role, or a community the release targets, does not allow this.",
        404: "No such release among those your grants let you see.",
        409: "The release is not in a state that allows this; someone may have decided first.",
        412: "If-Match does not match the current revision: reload the release.",
        428: "If-Match with the release's ETag is required for this decision.",
    }
    return {
        code: OpenApiResponse(
            OpenApiTypes.OBJECT if code == 400 else ErrorSerializer, described[code]
        )
        for code in codes
    }


def _if_match(required: bool) -> OpenApiParameter:
    return OpenApiParameter(
        "If-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=required,
        description='The ETag of the release as you loaded it, e.g. "release-12-4".',
    )


def _etag(*codes: int) -> OpenApiParameter:
    return OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=list(codes),
        description="The release's current revision; send it back in If-Match.",
    )


def _decision(
    summary: str,
    request=None,
    *,
    required: bool = False,
    code: int = 200,
    description: str = "",
    parameters=(),
):
    return extend_schema(
        summary=summary,
        description=description or None,
        request=request,
        parameters=[_if_match(required), _etag(code), *parameters],
        responses={
            code: ReleaseSerializer,
            **_errors(400, 403, 404, 409, 412, *([428] if required else [])),
        },
    )


@extend_schema_view(
    list=extend_schema(summary="Releases in your communities, with the releases page's filters"),
    retrieve=extend_schema(
        summary="One release",
        parameters=[_etag(200)],
        responses={200: ReleaseSerializer, **_errors(404)},
    ),
    create=extend_schema(
        summary="Create a draft release",
        request=ReleaseWriteSerializer,
        parameters=[_etag(201)],
        responses={201: ReleaseSerializer, **_errors(400, 403)},
    ),
    partial_update=_decision("Edit a draft or rejected release", ReleaseWriteSerializer),
)
class ReleaseViewSet(ServiceErrorsAnswered, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Releases: chosen asset versions for chosen communities, their review and publishing."""

    serializer_class = ReleaseSerializer
    filterset_class = ReleaseFilter
    permission_classes = [ActionPermissions]
    queryset = Release.objects.none()
    action_permissions = {
        "add_item": "portal.change_release",
        "remove_item": "portal.change_release",
        "move_item": "portal.change_release",
        "submit": "portal.submit_release",
        "approve": "portal.review_release",
        "reject": "portal.review_release",
        "withdraw": "portal.withdraw_release",
        "retry": "portal.submit_release",
        "preview": "portal.view_release",
    }

    def get_queryset(self):
        releases = visible_releases(self.request.user)
        return releases if self.action in BARE else with_details(releases)

    def _reply(self, release: Release, code: int = status.HTTP_200_OK, **extra) -> Response:
        fresh = with_details(Release.objects.filter(pk=release.pk)).get()
        data = ReleaseSerializer(fresh, context=self.get_serializer_context()).data
        body = {**extra, "release": data} if extra else data
        return Response(body, status=code, headers={"ETag": fresh.etag})

    def _valid(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def retrieve(self, request, pk=None):
        release = self.get_object()
        return Response(self.get_serializer(release).data, headers={"ETag": release.etag})

    def create(self, request):
        values = self._valid(ReleaseWriteSerializer, data=request.data)
        communities, partners = values.pop("communities"), values.pop("partners", [])
        release = services.create(
            request.user, communities=communities, partners=partners, **values
        )
        response = self._reply(release, status.HTTP_201_CREATED)
        response["Location"] = reverse("api:release-detail", args=[release.pk])
        return response

    def partial_update(self, request, pk=None):
        release = self.get_object()
        revision = if_match(request, release, required=False)
        values = self._valid(ReleaseWriteSerializer, data=request.data, partial=True)
        services.update(request.user, release, revision=revision, **values)
        return self._reply(release)

    @_decision("Add an asset, pinned to its current Canto version", ItemAddSerializer, code=201)
    @action(detail=True, methods=["post"], url_path="items")
    def add_item(self, request, pk=None):
        release = self.get_object()
        revision = if_match(request, release, required=False)
        asset = self._valid(ItemAddSerializer, data=request.data)["asset"]
        services.add_item(request.user, release, asset, revision=revision)
        return self._reply(release, status.HTTP_201_CREATED)

    @_decision(
        "Remove an asset from the release",
        parameters=[OpenApiParameter("item_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["delete"], url_path=r"items/(?P<item_id>[0-9]+)")
    def remove_item(self, request, pk=None, item_id=None):
        release = self.get_object()
        revision = if_match(request, release, required=False)
        item = ReleaseItem.objects.select_related("asset").filter(release=release, pk=item_id)
        item = item.first()
        if item is None:
            raise NotFound("This release has no such item.")
        services.remove_item(request.user, release, item, revision=revision)
        return self._reply(release)

    @_decision(
        "Move an asset up or down: kits and onboarding programs are read in order",
        MoveSerializer,
        parameters=[OpenApiParameter("item_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], url_path=r"items/(?P<item_id>[0-9]+)/move")
    def move_item(self, request, pk=None, item_id=None):
        release = self.get_object()
        revision = if_match(request, release, required=False)
        direction = self._valid(MoveSerializer, data=request.data)["direction"]
        item = ReleaseItem.objects.select_related("asset").filter(release=release, pk=item_id)
        item = item.first()
        if item is None:
            raise NotFound("This release has no such item.")
        services.move_item(request.user, release, item, up=direction == "up", revision=revision)
        return self._reply(release)

    @_decision("Submit for compliance review")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        release = self.get_object()
        revision = if_match(request, release, required=False)
        services.submit(request.user, release, revision=revision)
        return self._reply(release)

    @_decision(
        "Approve exactly the versions of the revision in If-Match",
        required=True,
        description="Four-eyes: whoever submitted the release may not approve it. Approval "
        "queues the Trading Grid writes (now, or at the release's publication date).",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        release = self.get_object()
        revision = if_match(request, release, required=True)
        services.approve(request.user, release, revision=revision)
        return self._reply(release)

    @_decision(
        "Reject, saying why",
        ReasonSerializer,
        required=True,
        description="Four-eyes as for approval; the release goes back to editing with the reason.",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        release = self.get_object()
        revision = if_match(request, release, required=True)
        reason = self._valid(ReasonSerializer, data=request.data)["reason"]
        services.reject(request.user, release, reason=reason, revision=revision)
        return self._reply(release)

    @_decision("Withdraw from partners, saying why", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        release = self.get_object()
        revision = if_match(request, release, required=False)
        reason = self._valid(ReasonSerializer, data=request.data)["reason"]
        services.withdraw(request.user, release, reason=reason, revision=revision)
        return self._reply(release)

    @extend_schema(
        summary="Send again the Trading Grid writes of this release that gave up",
        request=None,
        parameters=[_etag(202)],
        responses={202: RetrySerializer, **_errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        release = self.get_object()
        retried = services.retry_publishing(request.user, release)
        return self._reply(release, status.HTTP_202_ACCEPTED, retried=retried)

    @extend_schema(
        summary="What partners will see: per community, what appears, changes or goes",
        parameters=[
            OpenApiParameter(
                "proposed",
                OpenApiTypes.BOOL,
                description="Plan the versions awaiting review (default while the release is "
                "being edited or reviewed) or the approved ones.",
            ),
            _etag(200),
        ],
        responses={200: PlanSerializer, **_errors(400, 404)},
    )
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        release = self.get_object()
        query = self._valid(PreviewQuerySerializer, data=request.query_params)
        proposed = query.get("proposed")
        if proposed is None:
            proposed = release.is_editable or release.state == Release.State.IN_REVIEW
        steps = publishing.plan(release, proposed=proposed)
        body = {"proposed": proposed, "revision": release.revision, "steps": steps}
        return Response(PlanSerializer(body).data, headers={"ETag": release.etag})
