"""A campaign kit end to end: a real worker, the Trading Grid sandbox delivering its events to
the live test server, and the Canto sandbox receiving the totals in its custom fields.

A kit holding a regulated launch guide waits for compliance review, is published as one kit in
the partner's community, and what the partner does with it in the sandbox's partner view shows
on the kit page and reaches both files' custom fields in Canto.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from integrations.canto.runs import run_catalog_sync
from integrations.tradinggrid.sync import run_partner_sync
from portal import grants
from portal.kits import services as kits
from portal.kits import tracking
from portal.models import Asset, Publication, Release, UsageFields
from portal.releases import services
from tests.processes import wait_until
from tests.request_flow_support import partner_side, person

pytestmark = pytest.mark.django_db(transaction=True)
FIELDS = {
    "downloads_field": "Partner downloads",
    "views_field": "Partner views",
    "acknowledgements_field": "Partner acknowledgements",
    "communities_field": "Shared in communities",
}


def _eligible(regulated: bool) -> Asset:
    return (
        Asset.objects.filter(
            approval_status="Approved", expires_at=None, regulated=regulated, deleted_in_canto=False
        )
        .order_by("pk")
        .first()
    )


def test_a_kit_with_a_regulated_file_is_reviewed_published_and_followed_per_partner(
    client, wired_canto, wired_tradinggrid, manager, reviewer, quick_worker
):
    run_catalog_sync(full=True)
    run_partner_sync(full=True)
    side = partner_side(wired_tradinggrid)
    for someone in (manager, reviewer):
        grants.grant_community(someone, side.community)
    for name in FIELDS.values():
        wired_canto.control("POST", "fields", {"name": name})
    UsageFields.objects.create(**FIELDS)
    banner, guide = _eligible(regulated=False), _eligible(regulated=True)

    with person(manager):
        kit = kits.create(
            manager,
            name="Pump X200 launch kit",
            instructions="Share the banner on launch day; read the guide first.",
            communities=[side.community],
            partners=[side.partner],
            deadline=timezone.now() + timedelta(days=7),
        )
        services.add_item(manager, kit.release, banner)
        services.add_item(manager, kit.release, guide)
        services.submit(manager, kit.release)
    kit.release.refresh_from_db()
    assert kit.release.state == Release.State.IN_REVIEW
    with person(reviewer):
        services.approve(reviewer, kit.release, revision=kit.release.revision)

    rows = wait_until(
        lambda: (
            list(Publication.objects.filter(release=kit.release, state="live").exclude(tg_id=""))
            if Publication.objects.filter(release=kit.release, state="live")
            .exclude(tg_id="")
            .count()
            == 2
            else None
        ),
        message="the kit was not published",
    )
    (tg_id,) = {p.tg_id for p in rows}
    listed = wired_tradinggrid.control("GET", f"publications?community_id={side.community.tg_id}")
    (remote,) = [p for p in listed if p["id"] == tg_id]
    assert remote["type"] == "kit"
    assert [f["name"] for f in remote["files"]] == [banner.name, guide.name]
    page = side.page()
    assert "Campaign kits" in page and "Pump X200 launch kit" in page
    assert banner.name in page and guide.name in page

    side.submit(f"publications/{tg_id}/view")
    side.download(tg_id)
    side.submit(f"publications/{tg_id}/acknowledge", status="acknowledged")

    def progress() -> tuple:
        row = tracking.partner_rows(kit).get(partner=side.partner)
        return row.progress, row.views, row.downloads

    wait_until(
        lambda: progress() == ("acknowledged", 1, 1),
        message=f"the kit page did not follow the partner: {progress()}",
    )
    client.force_login(manager)
    html = client.get(reverse("kits:detail", args=[kit.pk])).content.decode()
    assert side.partner.company_name in html and "Acknowledged" in html

    def in_canto(asset: Asset) -> dict:
        return wired_canto.control("GET", f"assets/{asset.canto_id}")["additional"]

    expected = {"Partner downloads": "1", "Partner acknowledgements": "1"}
    for asset in (banner, guide):
        wait_until(
            lambda a=asset: all(in_canto(a).get(k) == v for k, v in expected.items()),
            timeout=30,
            message=f"Canto's custom fields of {asset.name} did not get the totals",
        )
    assert AuditEvent.objects.filter(action="kit.created", actor_name=manager.username).exists()
    assert AuditEvent.objects.filter(
        action="release.approved", actor_name=reviewer.username
    ).exists()
