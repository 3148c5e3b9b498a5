"""The onboarding FilterSets: each serves its page, its CSV export and its API list. Querysets
are narrowed to the person's communities (``rules``) before filtering."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django_filters.widgets import DateRangeWidget
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from portal.grants import communities_for
from portal.models import Community, Enrollment, FollowUp, OnboardingProgram, Release
from portal.numbers import MAX_ID
from portal.onboarding.rules import visible_programs

OPEN = [("open", "Open"), ("done", "Done")]


def _user(request):
    return getattr(request, "user", None)


def _communities(request):
    user = _user(request)
    return communities_for(user).order_by("name") if user is not None else Community.objects.none()


def _programs(request):
    user = _user(request)
    if user is None:
        return OnboardingProgram.objects.none()
    return visible_programs(user).select_related("release").order_by("release__name", "pk")


class ProgramFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    community = django_filters.ModelChoiceFilter(queryset=Community.objects.none())
    active = django_filters.BooleanFilter(label="Enrolls newcomers")
    state = django_filters.MultipleChoiceFilter(
        field_name="release__state", choices=Release.State.choices, label="Review state"
    )
    ordering = django_filters.OrderingFilter(
        fields=(("release__name", "name"), ("created_at", "created"), ("target_days", "target")),
        label="Sort by",
    )

    class Meta:
        model = OnboardingProgram
        fields = ["q", "community", "active", "state"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["community"].queryset = _communities(request)

    def search(self, queryset, name, value: str):
        value = value.strip()
        return queryset.filter(release__name__icontains=value) if value else queryset


class EnrollmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    program = django_filters.ModelChoiceFilter(queryset=OnboardingProgram.objects.none())
    community = django_filters.ModelChoiceFilter(
        field_name="program__community", queryset=Community.objects.none(), label="Community"
    )
    state = django_filters.MultipleChoiceFilter(choices=Enrollment.State.choices)
    overdue = django_filters.BooleanFilter(method="by_overdue", label="Overdue")
    partner = django_filters.NumberFilter(method="by_partner", label="Partner id")
    source = django_filters.ChoiceFilter(choices=Enrollment.Source.choices)
    enrolled = django_filters.DateFromToRangeFilter(
        field_name="enrolled_at",
        label="Enrolled between",
        widget=DateRangeWidget(attrs={"type": "date"}),
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("enrolled_at", "enrolled"),
            ("due_at", "due"),
            ("completed_at", "completed"),
            ("partner__company_name", "partner"),
        ),
        label="Sort by",
    )

    class Meta:
        model = Enrollment
        fields = ["q", "program", "community", "state", "overdue", "partner", "source"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["program"].queryset = _programs(request)
        self.filters["community"].queryset = _communities(request)

    def search(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(partner__company_name__icontains=value)
            | Q(partner__tg_id=value)
            | Q(program__release__name__icontains=value)
        )

    def by_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(state=Enrollment.State.ACTIVE, due_at__lt=timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)

    @extend_schema_field(OpenApiTypes.INT)
    def by_partner(self, queryset, name, value):
        if value is None:
            return queryset
        if value != value.to_integral_value() or not 0 < value <= MAX_ID:
            return queryset.none()
        return queryset.filter(partner_id=int(value))


class FollowUpFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OPEN, method="by_status", label="Open or done")
    mine = django_filters.BooleanFilter(method="by_mine", label="Assigned to me")
    program = django_filters.ModelChoiceFilter(
        field_name="enrollment__program", queryset=OnboardingProgram.objects.none()
    )
    community = django_filters.ModelChoiceFilter(
        field_name="enrollment__program__community",
        queryset=Community.objects.none(),
        label="Community",
    )
    enrollment = django_filters.NumberFilter(method="by_enrollment", label="Enrollment id")

    class Meta:
        model = FollowUp
        fields = ["status", "mine", "program", "community", "enrollment"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["program"].queryset = _programs(request)
        self.filters["community"].queryset = _communities(request)

    def by_status(self, queryset, name, value: str):
        return queryset.filter(done_at__isnull=(value == "open")) if value else queryset

    def by_mine(self, queryset, name, value):
        if value is None:
            return queryset
        user = _user(self.request)
        if user is None or not user.is_authenticated:
            return queryset.none()
        return queryset.filter(assigned_to=user) if value else queryset.exclude(assigned_to=user)

    @extend_schema_field(OpenApiTypes.INT)
    def by_enrollment(self, queryset, name, value):
        if value is None:
            return queryset
        if value != value.to_integral_value() or not 0 < value <= MAX_ID:
            return queryset.none()
        return queryset.filter(enrollment_id=int(value))
