"""The release FilterSet: the releases page, the review queue, ``/api/v1/releases/`` and the
CSV export use it. Querysets are narrowed to what the person may see before filtering."""

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from portal.grants import communities_for, sees_everything
from portal.models import Community, Release, ReleaseItem


def visible_releases(user) -> QuerySet[Release]:
    """Releases targeting at least one community the person may act on (all for admins)."""
    if not user.is_authenticated or not user.has_perm("portal.view_release"):
        return Release.objects.none()
    if sees_everything(user):
        return Release.objects.all()
    allowed = communities_for(user)
    return Release.objects.filter(
        Exists(
            Release.communities.through.objects.filter(
                release_id=OuterRef("pk"), community__in=allowed
            )
        )
    )


def review_queue(user) -> QuerySet[Release]:
    """In review, not submitted by the person, every targeted community granted to them."""
    if not user.is_authenticated or not user.has_perm("portal.review_release"):
        return Release.objects.none()
    waiting = Release.objects.filter(state=Release.State.IN_REVIEW).exclude(submitted_by=user)
    if sees_everything(user):
        return waiting
    allowed = communities_for(user)
    targets = Release.communities.through.objects.filter(release_id=OuterRef("pk"))
    outside = targets.exclude(community__in=allowed)
    # EXISTS rather than a join: no DISTINCT to sort wide rows by.
    return waiting.filter(~Exists(outside), Exists(targets))


class ReleaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    state = django_filters.MultipleChoiceFilter(choices=Release.State.choices)
    kind = django_filters.ChoiceFilter(choices=Release.Kind.choices, label="Kind")
    community = django_filters.ModelChoiceFilter(
        queryset=Community.objects.none(), method="by_community", label="Community"
    )
    regulated = django_filters.BooleanFilter(method="by_regulated", label="Has regulated content")
    mine = django_filters.BooleanFilter(method="by_mine", label="Created or submitted by me")
    updated_since = django_filters.DateFilter(
        field_name="updated_at", lookup_expr="date__gte", label="Changed since"
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("updated_at", "changed"),
            ("name", "name"),
            ("state", "state"),
            ("submitted_at", "submitted"),
            ("publish_at", "publish_at"),
        ),
        label="Sort by",
    )

    class Meta:
        model = Release
        fields = ["q", "state", "kind", "community", "regulated", "mine", "updated_since"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["community"].queryset = (
            communities_for(user).order_by("name") if user is not None else Community.objects.none()
        )

    def search(self, queryset, name, value: str):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value) | Q(items__asset__name__icontains=value)
        ).distinct()

    @extend_schema_field(OpenApiTypes.INT)
    def by_community(self, queryset, name, value):
        return queryset.filter(communities=value) if value else queryset

    def by_regulated(self, queryset, name, value):
        if value is None:
            return queryset
        regulated = ReleaseItem.objects.filter(release_id=OuterRef("pk"), asset__regulated=True)
        return queryset.filter(Exists(regulated) if value else ~Exists(regulated))

    def by_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return queryset
        return queryset.filter(Q(created_by=user) | Q(submitted_by=user))
