"""``/api/v1/onboarding-programs/``, ``/api/v1/enrollments/`` and ``/api/v1/follow-ups/``: the
onboarding pages' operations for scripts, through the services.

Every list and detail is narrowed to the caller's communities (others answer 404). Reviewing
and publishing a program is the release API's (``/api/v1/releases/{release.id}/submit``...).
Refusals of the services keep their status (400, 403, 409) with ``{"detail": message}``.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.errors import ServiceErrorsAnswered
from portal.api.permissions import ActionPermissions
from portal.models import Enrollment, FollowUp, OnboardingProgram, ReleaseItem
from portal.onboarding import enrollments, follow_ups, programs, progress
from portal.onboarding.filters import EnrollmentFilter, FollowUpFilter, ProgramFilter
from portal.onboarding.rules import (
    CHANGE,
    CHANGE_FOLLOW_UP,
    ENROLL,
    visible_enrollments,
    visible_follow_ups,
    visible_programs,
)
from portal.onboarding.serializers import (
    DoneSerializer,
    EnrollmentDetailSerializer,
    EnrollmentSerializer,
    EnrollSerializer,
    FollowUpSerializer,
    MaterialsWriteSerializer,
    ProgramChangeSerializer,
    ProgramCreateSerializer,
    ProgramSerializer,
)
from portal.releases.serializers import ErrorSerializer

DESCRIBED = {
    400: "Refused: field errors, or a detail message saying what to fix.",
    403: "Your role, or the program's community, does not allow this.",
    404: "Not among those your community grants let you see.",
    409: "Not in a state that allows this; someone may have acted first.",
}


def _errors(*codes: int) -> dict:
    return {
        code: OpenApiResponse(
            OpenApiTypes.OBJECT if code == 400 else ErrorSerializer, DESCRIBED[code]
        )
        for code in codes
    }


def _valid(view, serializer_class, **kwargs) -> dict:
    serializer = serializer_class(context=view.get_serializer_context(), **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def program_details(queryset: QuerySet[OnboardingProgram]) -> QuerySet[OnboardingProgram]:
    """Everything a program's representation shows, in a fixed number of queries."""
    items = ReleaseItem.objects.select_related("asset").order_by("position", "id")
    return progress.with_figures(queryset).prefetch_related(
        Prefetch("release__items", queryset=items)
    )


def medians(programs_: list[OnboardingProgram]) -> dict[int, float | None]:
    """Median days to complete per program, in one query for all of them."""
    days = defaultdict(list)
    rows = Enrollment.objects.filter(
        program__in=programs_, state=Enrollment.State.COMPLETED, completed_at__isnull=False
    ).values_list("program_id", "enrolled_at", "completed_at")
    for program_id, start, done in rows:
        days[program_id].append(max((done - start).total_seconds(), 0) / 86400)
    return {p.pk: progress.median_of(days.get(p.pk, [])) for p in programs_}


@extend_schema_view(
    list=extend_schema(summary="Onboarding programs in your communities"),
    retrieve=extend_schema(
        summary="One onboarding program", responses={200: ProgramSerializer, **_errors(404)}
    ),
)
class ProgramViewSet(
    ServiceErrorsAnswered, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Onboarding programs: materials for partners new to a community, and who went through."""

    serializer_class = ProgramSerializer
    filterset_class = ProgramFilter
    permission_classes = [ActionPermissions]
    queryset = OnboardingProgram.objects.none()
    action_permissions = {"materials": CHANGE, "enroll": ENROLL}

    def get_queryset(self):
        return program_details(visible_programs(self.request.user))

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), "medians": medians(page)}
        return self.get_paginated_response(
            self.get_serializer(page, many=True, context=context).data
        )

    def retrieve(self, request, pk=None):
        return self._reply(self.get_object())

    def _reply(self, program: OnboardingProgram, code: int = status.HTTP_200_OK) -> Response:
        fresh = program_details(OnboardingProgram.objects.filter(pk=program.pk)).get()
        context = {**self.get_serializer_context(), "medians": medians([fresh])}
        return Response(ProgramSerializer(fresh, context=context).data, status=code)

    @extend_schema(
        summary="Create a draft program for one community",
        description="Add its materials next (PUT materials), then submit its release for review.",
        request=ProgramCreateSerializer,
        responses={201: ProgramSerializer, **_errors(400, 403)},
    )
    def create(self, request):
        values = _valid(self, ProgramCreateSerializer, data=request.data)
        program = programs.create_program(request.user, **values)
        response = self._reply(program, status.HTTP_201_CREATED)
        response["Location"] = reverse("api:onboarding-program-detail", args=[program.pk])
        return response

    @extend_schema(
        summary="Change the name, instructions, target days or whether newcomers are enrolled",
        request=ProgramChangeSerializer,
        responses={200: ProgramSerializer, **_errors(400, 403, 404, 409)},
    )
    def partial_update(self, request, pk=None):
        program = self.get_object()
        values = _valid(self, ProgramChangeSerializer, data=request.data, partial=True)
        programs.update_program(request.user, program, **values)
        return self._reply(program)

    @extend_schema(
        summary="Set the materials: these assets, in this order",
        description="Assets left out are removed; new ones are pinned to their current Canto "
        "version. Only while the program's release is a draft or rejected.",
        request=MaterialsWriteSerializer,
        responses={200: ProgramSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["put"])
    def materials(self, request, pk=None):
        program = self.get_object()
        wanted = _valid(self, MaterialsWriteSerializer, data=request.data)["materials"]
        programs.set_materials(
            request.user,
            program,
            [programs.Material(m["asset"], m["needs_acknowledgement"]) for m in wanted],
        )
        return self._reply(program)

    @extend_schema(
        summary="Enroll a member of the program's community",
        description="Partners joining the community are enrolled on their own; this enrolls "
        "one who is already a member. The program must have been approved.",
        request=EnrollSerializer,
        responses={201: EnrollmentDetailSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def enroll(self, request, pk=None):
        program = self.get_object()
        partner = _valid(self, EnrollSerializer, data=request.data)["partner"]
        enrollment = enrollments.enroll_partner(request.user, program, partner)
        fresh = progress.with_progress(Enrollment.objects.filter(pk=enrollment.pk)).get()
        data = EnrollmentDetailSerializer(progress.with_details(fresh)).data
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Enrollments in your communities: filter by program, state, overdue, partner"
    ),
    retrieve=extend_schema(
        summary="One enrollment, with each material's acknowledgement and its questions",
        responses={200: EnrollmentDetailSerializer, **_errors(404)},
    ),
)
class EnrollmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Partners going through onboarding programs, and how far they are."""

    serializer_class = EnrollmentSerializer
    filterset_class = EnrollmentFilter
    permission_classes = [ActionPermissions]
    queryset = Enrollment.objects.none()

    def get_queryset(self):
        return progress.with_progress(visible_enrollments(self.request.user))

    def retrieve(self, request, pk=None):
        enrollment = progress.with_details(self.get_object())
        return Response(EnrollmentDetailSerializer(enrollment).data)


@extend_schema_view(
    list=extend_schema(summary="Follow-ups of overdue onboarding material in your communities"),
    retrieve=extend_schema(
        summary="One follow-up", responses={200: FollowUpSerializer, **_errors(404)}
    ),
)
class FollowUpViewSet(
    ServiceErrorsAnswered, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Materials still open after a partner's target time, for the community's manager."""

    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter
    permission_classes = [ActionPermissions]
    queryset = FollowUp.objects.none()
    action_permissions = {"done": CHANGE_FOLLOW_UP}

    def get_queryset(self):
        return visible_follow_ups(self.request.user).select_related(
            "enrollment__program__release",
            "enrollment__partner",
            "item__asset",
            "assigned_to",
            "done_by",
        )

    @extend_schema(
        summary="Mark the follow-up done, saying what was done",
        request=DoneSerializer,
        responses={200: FollowUpSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        follow_up = self.get_object()
        note = _valid(self, DoneSerializer, data=request.data)["note"]
        follow_ups.mark_done(request.user, follow_up, note=note)
        fresh = self.get_queryset().get(pk=follow_up.pk)
        return Response(FollowUpSerializer(fresh).data)
