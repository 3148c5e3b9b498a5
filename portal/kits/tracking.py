"""What each partner of a kit's audience did with it, as Trading Grid counted it.

The audience is every active member of the kit's communities that its tiers, regions and named
partners select (Trading Grid's rule: nothing named means everyone). Views, downloads and the
acknowledgement come from the usage totals of the kit's Trading Grid publications, one row per
partner and community, in a constant number of queries.
"""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateTimeField,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from integrations.tradinggrid.bodies import publication_url
from portal.grants import communities_for
from portal.models import Kit, KitReminder, Membership, Publication, UsageTotal

PROGRESS = (
    ("acknowledged", "Acknowledged"),
    ("declined", "Declined"),
    ("downloaded", "Downloaded"),
    ("opened", "Opened"),
    ("not_opened", "Not opened"),
)


def audience(kit: Kit, user=None) -> QuerySet[Membership]:
    """The kit's audience; with ``user``, only in the communities granted to that person."""
    release = kit.release
    communities = release.communities.all()
    if user is not None:
        communities = communities.filter(pk__in=communities_for(user).values("pk"))
    members = Membership.objects.filter(community__in=communities, active=True).exclude(
        partner__status="inactive"
    )
    named = Q(pk__in=[])
    partner_ids = list(release.partners.values_list("pk", flat=True))
    if partner_ids:
        named |= Q(partner_id__in=partner_ids)
    for tier in release.tiers:
        named |= Q(partner__tier__iexact=tier)
    for region in release.regions:
        named |= Q(partner__regions__icontains=f'"{region}"')
    if partner_ids or release.tiers or release.regions:
        members = members.filter(named)
    return members


def _totals(kit: Kit):
    """The usage totals of one member on the kit's publications in its community."""
    tg_ids = (
        Publication.objects.filter(
            release_id=kit.release_id, community_id=OuterRef(OuterRef("community_id"))
        )
        .exclude(tg_id="")
        .values("tg_id")
    )
    return UsageTotal.objects.filter(
        partner_id=OuterRef("partner_id"), tg_id__in=Subquery(tg_ids)
    ).order_by()


def _one(totals, aggregate, output) -> Subquery:
    return Subquery(
        totals.values("partner_id").annotate(v=aggregate).values("v")[:1], output_field=output
    )


def partner_rows(kit: Kit, user=None) -> QuerySet[Membership]:
    """The audience with ``views``, ``downloads``, ``viewed_at``, ``acknowledged_at``,
    ``declined``, ``reminded_at`` and ``progress`` per member."""
    totals = _totals(kit)
    acknowledged = totals.filter(ack_status="acknowledged")
    rows = audience(kit, user).annotate(
        views=Coalesce(_one(totals, Sum("views"), IntegerField()), Value(0)),
        downloads=Coalesce(_one(totals, Sum("downloads"), IntegerField()), Value(0)),
        viewed_at=_one(totals, Min("viewed_at"), DateTimeField()),
        last_at=_one(totals, Max("last_at"), DateTimeField()),
        acknowledged_at=_one(acknowledged, Max("acknowledged_at"), DateTimeField()),
        declined=Exists(totals.filter(ack_status="declined")),
        reminded_at=Subquery(
            KitReminder.objects.filter(kit=kit, partner_id=OuterRef("partner_id")).values(
                "sent_at"
            )[:1]
        ),
    )
    return (
        rows.annotate(
            progress=Case(
                When(
                    Q(acknowledged_at__isnull=False) | Exists(acknowledged),
                    then=Value("acknowledged"),
                ),
                When(declined=True, then=Value("declined")),
                When(downloads__gt=0, then=Value("downloaded")),
                When(Q(views__gt=0) | Q(viewed_at__isnull=False), then=Value("opened")),
                default=Value("not_opened"),
                output_field=CharField(),
            ),
            opened=Case(
                When(Q(views__gt=0) | Q(downloads__gt=0) | Q(viewed_at__isnull=False), then=True),
                default=False,
                output_field=BooleanField(),
            ),
        )
        .select_related("partner", "community")
        .order_by("community__name", "partner__company_name")
    )


def waiting(kit: Kit) -> QuerySet[Membership]:
    """Who has not yet done what the kit asks: acknowledged it, or (without that) opened it."""
    rows = partner_rows(kit)
    if kit.release.requires_acknowledgement:
        return rows.exclude(progress__in=["acknowledged", "declined"])
    return rows.filter(opened=False)


def summary(kit: Kit, user=None) -> dict[str, int]:
    counts = {key: 0 for key, _ in PROGRESS}
    for progress in partner_rows(kit, user).values_list("progress", flat=True):
        counts[progress] += 1
    counts["audience"] = sum(counts[key] for key, _ in PROGRESS)
    counts["opened"] = counts["audience"] - counts["not_opened"]
    return counts


def partner_url(kit: Kit, row: Membership) -> str:
    """Where the partner opens the kit in Trading Grid ("" before it is published there)."""
    publication = (
        Publication.objects.filter(release_id=kit.release_id, community_id=row.community_id)
        .exclude(tg_id="")
        .select_related("community")
        .order_by("-pk")
        .first()
    )
    return publication_url(publication, row.partner.tg_id) if publication else ""
