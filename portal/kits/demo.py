"""The demo's campaign kit: approved and published to one seeded community, with a deadline."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.demo import DemoDataMissing, _person
from portal.kits import services as kits
from portal.models import Asset, Community, Kit, Release
from portal.releases import services

NAME = "Spring campaign kit"
COMMUNITY = "EMEA Resellers"
FILES = 3


def seed_demo_kit() -> Kit | None:
    """Create the demo kit unless it exists; the worker publishes it as it does any release."""
    if Kit.objects.filter(release__name=NAME).exists():
        return None
    community = Community.objects.filter(name=COMMUNITY).first()
    if community is None:
        raise DemoDataMissing(f"The demo kit needs the community {COMMUNITY}.")
    files = list(
        Asset.objects.filter(approval_status="Approved", deleted_in_canto=False)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now() + timedelta(days=30)))
        .exclude(release_items__release__kind=Release.Kind.KIT)
        .order_by("-regulated", "name", "pk")[:FILES]
    )
    if not files:
        raise DemoDataMissing("No asset in the catalog may go into the demo kit.")
    users = get_user_model().objects
    manager, reviewer = users.get(username="manager"), users.get(username="reviewer")
    with transaction.atomic():
        with _person(manager):
            kit = kits.create(
                manager,
                name=NAME,
                instructions="Post the banners on launch day and share the guide with your team.",
                communities=[community],
                deadline=timezone.now() + timedelta(days=14),
            )
            for asset in files:
                services.add_item(manager, kit.release, asset)
            services.submit(manager, kit.release)
        kit.release.refresh_from_db()
        if kit.release.state == Release.State.IN_REVIEW:
            with _person(reviewer):
                services.approve(reviewer, kit.release, revision=kit.release.revision)
    return kit
