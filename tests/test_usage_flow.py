"""Usage feedback end to end: a real worker, the Trading Grid sandbox delivering its events to
the live test server, and the Canto sandbox receiving the totals in its custom fields.

The worker publishes an approved release; a partner views, downloads twice and acknowledges it
in the Trading Grid sandbox's partner view; the daily rows hold exactly that however often the
events arrive, and the write-back puts the totals into the asset's Canto custom fields.
"""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from integrations.canto.runs import run_catalog_sync
from integrations.tradinggrid.sync import run_partner_sync
from portal import grants
from portal.models import Asset, Publication, Release, UsageDaily, UsageFields
from portal.releases import services
from portal.usage.ingest import poll
from tests.processes import wait_until
from tests.request_flow_support import (
    partner_side,
    person,
    redeliver,
    sent_events,
)

pytestmark = pytest.mark.django_db(transaction=True)
FIELDS = {
    "downloads_field": "Partner downloads",
    "views_field": "Partner views",
    "acknowledgements_field": "Partner acknowledgements",
    "communities_field": "Shared in communities",
}


def _published(manager, reviewer, community, asset) -> Publication:
    """An approved release of one asset to one community, published by the worker."""
    with person(manager):
        release = services.create(manager, communities=[community], name="Pump X200 launch")
        services.add_item(manager, release, asset)
        services.submit(manager, release)
    release.refresh_from_db()
    if release.state == Release.State.IN_REVIEW:
        with person(reviewer):
            services.approve(reviewer, release, revision=release.revision)
    return wait_until(
        lambda: Publication.objects.filter(release=release, state="live").exclude(tg_id="").first(),
        message="the release was not published",
    )


def _stored(publication: Publication, partner) -> tuple[int, int, int]:
    rows = UsageDaily.objects.filter(
        asset=publication.asset,
        version_no=publication.version_no,
        community=publication.community,
        partner=partner,
    )
    return (
        sum(r.views for r in rows),
        sum(r.downloads for r in rows),
        sum(r.acknowledgements for r in rows),
    )


def test_partner_usage_reaches_the_daily_rows_and_cantos_custom_fields(
    wired_canto, wired_tradinggrid, manager, reviewer, quick_worker
):
    run_catalog_sync(full=True)
    run_partner_sync(full=True)
    side = partner_side(wired_tradinggrid)
    for someone in (manager, reviewer):
        grants.grant_community(someone, side.community)
    for name in FIELDS.values():
        wired_canto.control("POST", "fields", {"name": name})
    UsageFields.objects.create(**FIELDS)
    asset = (
        Asset.objects.filter(approval_status="Approved", expires_at=None, regulated=False)
        .order_by("pk")
        .first()
    )
    publication = _published(manager, reviewer, side.community, asset)

    side.submit(f"publications/{publication.tg_id}/view")
    side.download(publication.tg_id)
    side.download(publication.tg_id)
    side.submit(f"publications/{publication.tg_id}/acknowledge", status="acknowledged")

    wait_until(
        lambda: _stored(publication, side.partner) == (1, 2, 1),
        message=f"usage did not add up: {_stored(publication, side.partner)}",
    )
    # Trading Grid delivers at least once, and beat reads everything again: nothing changes.
    events = [
        event
        for kind in ("viewed", "downloaded", "acknowledged")
        for event in sent_events(
            side.tradinggrid, f"publication.{kind}", publication={"id": publication.tg_id}
        )
    ]
    assert len(events) == 4
    recorded = AuditEvent.objects.filter(action="usage.recorded").count()
    for event in reversed(events):
        redeliver(side.tradinggrid, event)
    assert poll() == {"read": 1, "changed": 0, "failed": 0}
    assert _stored(publication, side.partner) == (1, 2, 1)
    assert AuditEvent.objects.filter(action="usage.recorded").count() == recorded
    assert 1 <= recorded <= 4
    row = UsageDaily.objects.get(asset=asset, partner=side.partner)
    assert (row.version_no, row.community) == (asset.version_no, side.community)

    def in_canto() -> dict:
        return wired_canto.control("GET", f"assets/{asset.canto_id}")["additional"]

    expected = {
        "Partner views": "1",
        "Partner downloads": "2",
        "Partner acknowledgements": "1",
        "Shared in communities": side.community.name,
    }
    wait_until(
        lambda: all(in_canto().get(k) == v for k, v in expected.items()),
        timeout=30,
        message=f"Canto's custom fields did not receive the totals: {in_canto()}",
    )
    written = AuditEvent.objects.filter(
        action="usage.written_to_canto", object_type="portal.asset", object_id=str(asset.pk)
    ).order_by("seq")
    assert written.last().after == expected
