"""What release lists show per row, fetched in a constant number of queries whatever the size."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from portal.listing import iso, stream_csv
from portal.models import ReleaseItem


def with_row_facts(releases: QuerySet) -> QuerySet:
    """Item count, "has regulated content", communities and submitter for each release."""
    items = (
        ReleaseItem.objects.filter(release_id=OuterRef("pk"))
        .order_by()
        .values("release_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    regulated = ReleaseItem.objects.filter(release_id=OuterRef("pk"), asset__regulated=True)
    return (
        releases.annotate(
            item_count=Coalesce(Subquery(items, output_field=IntegerField()), Value(0)),
            has_regulated=Exists(regulated),
        )
        .select_related("submitted_by", "created_by")
        .prefetch_related("communities")
    )


CSV_HEADER = [
    "id",
    "name",
    "state",
    "communities",
    "items",
    "regulated",
    "created_by",
    "submitted_by",
    "submitted_at",
    "publish_at",
    "expire_at",
    "updated_at",
]


def releases_csv(filename: str, releases: QuerySet):
    """Stream the releases as CSV, one row per release."""
    return stream_csv(
        filename,
        CSV_HEADER,
        with_row_facts(releases).iterator(chunk_size=500),
        lambda r: [
            r.pk,
            r.name,
            r.state,
            ", ".join(sorted(c.name for c in r.communities.all())),
            r.item_count,
            r.has_regulated,
            r.created_by.get_username() if r.created_by else "",
            r.submitted_by.get_username() if r.submitted_by else "",
            iso(r.submitted_at),
            iso(r.publish_at),
            iso(r.expire_at),
            iso(r.updated_at),
        ],
    )
