"""What kit lists show per row, in a constant number of queries, and the two CSV exports."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from portal.listing import iso, stream_csv
from portal.models import Community, Kit, Publication, ReleaseItem, UsageTotal


def with_row_facts(kits: QuerySet[Kit]) -> QuerySet[Kit]:
    """Files in the kit and how many partners acknowledged it, per kit."""
    items = (
        ReleaseItem.objects.filter(release_id=OuterRef("release_id"))
        .order_by()
        .values("release_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    tg_ids = (
        Publication.objects.filter(release_id=OuterRef(OuterRef("release_id")))
        .exclude(tg_id="")
        .values("tg_id")
    )
    acknowledged = (
        UsageTotal.objects.filter(tg_id__in=Subquery(tg_ids), ack_status="acknowledged")
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(n=Count("partner_id", distinct=True))
        .values("n")
    )
    return (
        kits.annotate(
            item_count=Coalesce(Subquery(items, output_field=IntegerField()), Value(0)),
            acknowledged_count=Coalesce(
                Subquery(acknowledged, output_field=IntegerField()), Value(0)
            ),
        )
        .select_related("release")
        .prefetch_related(
            Prefetch("release__communities", queryset=Community.objects.order_by("name"))
        )
    )


KITS_HEADER = [
    "id",
    "release_id",
    "name",
    "state",
    "communities",
    "files",
    "acknowledged_by",
    "launch",
    "deadline",
    "remind_hours_before",
    "reminded_at",
]


def kits_csv(kits: QuerySet[Kit]):
    return stream_csv(
        "kits",
        KITS_HEADER,
        with_row_facts(kits).iterator(chunk_size=500),
        lambda k: [
            k.pk,
            k.release_id,
            k.release.name,
            k.release.state,
            ", ".join(sorted(c.name for c in k.release.communities.all())),
            k.item_count,
            k.acknowledged_count,
            iso(k.release.publish_at),
            iso(k.deadline),
            k.remind_hours_before,
            iso(k.reminded_at),
        ],
    )


PARTNERS_HEADER = [
    "partner_id",
    "partner",
    "community",
    "tier",
    "progress",
    "views",
    "downloads",
    "first_viewed_at",
    "last_activity_at",
    "acknowledged_at",
    "reminded_at",
]


def partners_csv(kit: Kit, rows: QuerySet):
    return stream_csv(
        f"kit-{kit.pk}-partners",
        PARTNERS_HEADER,
        rows.iterator(chunk_size=500),
        lambda r: [
            r.partner.tg_id,
            r.partner.company_name,
            r.community.name,
            r.partner.tier,
            r.progress,
            r.views,
            r.downloads,
            iso(r.viewed_at),
            iso(r.last_at),
            iso(r.acknowledged_at),
            iso(r.reminded_at),
        ],
    )
