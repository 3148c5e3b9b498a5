"""What the kit tests share: a kit put together, approved and delivered to a faked Trading Grid,
and partners' actions on it read through usage ingestion."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from portal.kits import services as kits
from portal.models import Contact, Kit, Publication, Release
from portal.releases import services
from portal.usage.ingest import ingest
from tests.release_support import deliver_all
from tests.usage_support import FakeUsage


def kit_of(manager, reviewer, communities, assets, *, deadline=None, **values) -> Kit:
    """A kit of these assets, submitted and (if it needs it) approved."""
    kit = kits.create(
        manager,
        name=values.pop("name", "Spring launch kit"),
        communities=communities,
        deadline=deadline or timezone.now() + timedelta(days=10),
        **values,
    )
    for asset in assets:
        services.add_item(manager, kit.release, asset)
    services.submit(manager, kit.release)
    kit.release.refresh_from_db()
    if kit.release.state == Release.State.IN_REVIEW:
        services.approve(reviewer, kit.release, revision=kit.release.revision)
    kit.release.refresh_from_db()
    return kit


def published(manager, reviewer, communities, assets, **values) -> Kit:
    kit = kit_of(manager, reviewer, communities, assets, **values)
    deliver_all()
    kit.release.refresh_from_db()
    assert kit.release.state == Release.State.PUBLISHED
    return kit


def kit_tg_id(kit: Kit, community) -> str:
    return (
        Publication.objects.filter(
            release=kit.release, community=community, state=Publication.State.LIVE
        )
        .values_list("tg_id", flat=True)
        .distinct()
        .get()
    )


class PartnerActions:
    """Partners acting on a published kit in Trading Grid, read back by usage ingestion."""

    def __init__(self, kit: Kit, community):
        self.tg_id = kit_tg_id(kit, community)
        self.usage = FakeUsage(timezone.now() - timedelta(hours=1))
        self.usage.publish(self.tg_id)

    def __call__(self, partner: str, *kinds: str) -> None:
        for kind in kinds:
            self.usage.advance(minutes=1)
            self.usage.act(self.tg_id, partner, kind)
        ingest(self.tg_id, self.usage)


def contact(partner, email: str) -> Contact:
    return Contact.objects.create(
        partner=partner, tg_id=f"con_{email}", email=email, first_name="Pat", status="active"
    )
