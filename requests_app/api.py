"""``/api/v1/requests/``: the partner request operations of the UI for scripts, through the
services.

Lists and details show only requests of the caller's communities; every change goes through
``requests_app.services`` (and ``routing``, ``links``), which check role, grant and state and
write the audit trail. Their refusals keep their status (400, 403, 409) with
``{"detail": message}``.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from portal.api.errors import ServiceErrorsAnswered
from portal.api.permissions import ActionPermissions
from portal.models import Asset, Publication
from portal.releases.serializers import ErrorSerializer, ReasonSerializer
from requests_app import links, routing, services, sla
from requests_app.filters import RequestFilter
from requests_app.models import PartnerRequest, StatusLink
from requests_app.rules import CHANGE, VIEW, visible_requests
from requests_app.serializers import (
    AnswerSerializer,
    AssignSerializer,
    CloseSerializer,
    CommentSerializer,
    CommentWriteSerializer,
    DeliveredSerializer,
    DeliverSerializer,
    DeliveryReleaseSerializer,
    DueSerializer,
    IssuedLinkSerializer,
    IssueLinkSerializer,
    PartnerRequestSerializer,
    QuestionSerializer,
    QueuedSerializer,
    SendLinkSerializer,
    StatusLinkSerializer,
    TriageSerializer,
)

CHANGES = [
    "triage",
    "assign",
    "due",
    "start",
    "ask",
    "reject",
    "answer",
    "deliver",
    "close",
    "reopen",
    "add_comment",
    "issue_link",
    "revoke_link",
    "send_link",
]
READS = ["comments", "status_links"]


def with_details(queryset: QuerySet[PartnerRequest]) -> QuerySet[PartnerRequest]:
    """Everything the representation shows, in a fixed number of queries for any page size."""
    live = Publication.objects.filter(state=Publication.State.LIVE).select_related(
        "asset", "community"
    )
    return queryset.select_related(
        "community", "partner", "owner", "work_asset", "delivery_release"
    ).prefetch_related(
        Prefetch("assets", queryset=Asset.objects.order_by("name", "pk")),
        Prefetch("delivery_release__publications", queryset=live, to_attr="live_publications"),
    )


def standings(requests: list[PartnerRequest]) -> dict[int, str]:
    """``sla.standing`` of many requests at once, from the queries the queue filters use."""
    pks = [r.pk for r in requests]
    if not pks:
        return {}
    now = timezone.now()
    rows = PartnerRequest.objects.filter(pk__in=pks)
    breached = set(sla.breached(rows, now).values_list("pk", flat=True))
    soon = set(sla.due_soon(rows, now).values_list("pk", flat=True))
    result = {}
    for r in requests:
        if r.pk in breached:
            result[r.pk] = "breached"
        elif r.pk in soon:
            result[r.pk] = "due_soon"
        else:
            result[r.pk] = "on_track" if r.is_open and r.due_at is not None else ""
    return result


def _errors(*codes: int) -> dict:
    described = {
        400: "Refused: field errors, or a detail message saying what to fix.",
        403: "Your role, or the request's community, does not allow this.",
        404: "No such request among those your grants let you see.",
        409: "The request is not in a state that allows this; someone may have acted first.",
    }
    return {
        code: OpenApiResponse(
            OpenApiTypes.OBJECT if code == 400 else ErrorSerializer, described[code]
        )
        for code in codes
    }


def _step(summary: str, request=None, *, description: str = "", response=PartnerRequestSerializer):
    return extend_schema(
        summary=summary,
        description=description or None,
        request=request,
        responses={200: response, **_errors(400, 403, 404, 409)},
    )


LINK_ID = OpenApiParameter("link_id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(summary="Partner requests in your communities, with the queue's filters"),
    retrieve=extend_schema(
        summary="One partner request", responses={200: PartnerRequestSerializer, **_errors(404)}
    ),
)
class RequestViewSet(
    ServiceErrorsAnswered,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Partner requests from Trading Grid: triage, work, delivery, comments and status links."""

    serializer_class = PartnerRequestSerializer
    filterset_class = RequestFilter
    permission_classes = [ActionPermissions]
    queryset = PartnerRequest.objects.none()
    action_permissions = {
        **dict.fromkeys(CHANGES, CHANGE),
        **dict.fromkeys(READS, VIEW),
    }

    def get_queryset(self):
        requests = visible_requests(self.request.user)
        return with_details(requests) if self.action in ("list", "retrieve") else requests

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        context = {**self.get_serializer_context(), "standings": standings(page)}
        serializer = self.get_serializer(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)

    def _reply(self, req: PartnerRequest, code: int = status.HTTP_200_OK, **extra) -> Response:
        fresh = with_details(PartnerRequest.objects.filter(pk=req.pk)).get()
        data = PartnerRequestSerializer(fresh, context=self.get_serializer_context()).data
        body = {**extra, "request": data} if extra else data
        return Response(body, status=code)

    def _valid(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @_step(
        "Triage a new request: an owner, a due date and its work item in Canto",
        TriageSerializer,
    )
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        req = self.get_object()
        values = self._valid(TriageSerializer, data=request.data)
        services.triage(request.user, req, owner=values.get("owner"), due_at=values.get("due_at"))
        return self._reply(req)

    @_step("Give an open request to someone", AssignSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        req = self.get_object()
        owner = self._valid(AssignSerializer, data=request.data)["owner"]
        services.assign(request.user, req, owner)
        return self._reply(req)

    @_step("Change the due date, saying why", DueSerializer)
    @action(detail=True, methods=["post"])
    def due(self, request, pk=None):
        req = self.get_object()
        values = self._valid(DueSerializer, data=request.data)
        services.set_due(request.user, req, values["due_at"], reason=values["reason"])
        return self._reply(req)

    @_step("Start work on a triaged request")
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        req = self.get_object()
        services.start(request.user, req)
        return self._reply(req)

    @_step(
        "Ask the partner a question",
        QuestionSerializer,
        description="The question becomes a public comment; the request waits for the partner.",
    )
    @action(detail=True, methods=["post"])
    def ask(self, request, pk=None):
        req = self.get_object()
        question = self._valid(QuestionSerializer, data=request.data)["question"]
        services.ask_partner(request.user, req, question)
        return self._reply(req)

    @_step("Reject, giving the partner a reason", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        req = self.get_object()
        reason = self._valid(ReasonSerializer, data=request.data)["reason"]
        services.reject(request.user, req, reason)
        return self._reply(req)

    @_step("Answer with a text rather than a file (questions, findability)", AnswerSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        req = self.get_object()
        text = self._valid(AnswerSerializer, data=request.data)["text"]
        services.answer(request.user, req, text)
        return self._reply(req)

    @_step(
        "Deliver a Canto file to the partner through a release",
        DeliverSerializer,
        response=DeliveredSerializer,
        description="Creates and submits a release of the asset to the request's community and "
        "partner; the request is delivered once the release is live.",
    )
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        req = self.get_object()
        asset = self._valid(DeliverSerializer, data=request.data).get("asset")
        release = routing.deliver(request.user, req, asset=asset)
        return self._reply(req, release=DeliveryReleaseSerializer(release).data)

    @_step("Close the request", CloseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        req = self.get_object()
        reason = self._valid(CloseSerializer, data=request.data)["reason"]
        services.close(request.user, req, reason=reason)
        return self._reply(req)

    @_step("Reopen a finished request, saying why", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        req = self.get_object()
        reason = self._valid(ReasonSerializer, data=request.data)["reason"]
        services.reopen(request.user, req, reason=reason)
        return self._reply(req)

    # Comments ----------------------------------------------------------------------------------

    @extend_schema(
        summary="The request's comments, public and internal, oldest first",
        responses={200: CommentSerializer(many=True), **_errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def comments(self, request, pk=None):
        req = self.get_object()
        return Response(CommentSerializer(req.comments.all(), many=True).data)

    @extend_schema(
        summary="Comment: public ones reach the partner, internal ones stay with staff",
        request=CommentWriteSerializer,
        responses={201: CommentSerializer, **_errors(400, 403, 404)},
    )
    @comments.mapping.post
    def add_comment(self, request, pk=None):
        req = self.get_object()
        values = self._valid(CommentWriteSerializer, data=request.data)
        created = services.comment(request.user, req, values["body"], internal=values["internal"])
        return Response(CommentSerializer(created).data, status=status.HTTP_201_CREATED)

    # Status links ------------------------------------------------------------------------------

    @extend_schema(
        summary="The request's status links, newest first (never their tokens)",
        responses={200: StatusLinkSerializer(many=True), **_errors(404)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="status-links",
        pagination_class=None,
        filterset_class=None,
    )
    def status_links(self, request, pk=None):
        req = self.get_object()
        issued = req.status_links.select_related("created_by", "revoked_by")
        return Response(StatusLinkSerializer(issued, many=True).data)

    @extend_schema(
        summary="Issue a status link for the partner",
        description="The answer holds the link's URL; only a hash of its token is kept, so the "
        "URL cannot be shown again.",
        request=IssueLinkSerializer,
        responses={201: IssuedLinkSerializer, **_errors(400, 403, 404)},
    )
    @status_links.mapping.post
    def issue_link(self, request, pk=None):
        req = self.get_object()
        values = self._valid(IssueLinkSerializer, data=request.data)
        link, token = links.issue(
            request.user, req, days=values.get("days"), revoke_others=values["revoke_others"]
        )
        body = {
            "url": links.url_for(token),
            "token_shown_once": True,
            **StatusLinkSerializer(link).data,
        }
        return Response(body, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})

    @extend_schema(
        summary="Revoke a status link",
        request=None,
        parameters=[LINK_ID],
        responses={200: StatusLinkSerializer, **_errors(403, 404, 409)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"status-links/(?P<link_id>[0-9]+)/revoke",
    )
    def revoke_link(self, request, pk=None, link_id=None):
        req = self.get_object()
        link = StatusLink.objects.filter(request=req, pk=link_id).first()
        if link is None:
            raise NotFound("This request has no such status link.")
        revoked = links.revoke(request.user, link)
        return Response(StatusLinkSerializer(revoked).data)

    @extend_schema(
        summary="E-mail a new status link to the partner's contacts",
        description="A worker issues the link and sends it, so its token is never stored.",
        request=SendLinkSerializer,
        responses={202: QueuedSerializer, **_errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="status-links/send")
    def send_link(self, request, pk=None):
        req = self.get_object()
        days = self._valid(SendLinkSerializer, data=request.data).get("days")
        links.send_later(request.user, req, days=days)
        return Response(
            {"detail": "A new status link will be e-mailed to the partner's contacts."},
            status=status.HTTP_202_ACCEPTED,
        )
