"""Reconciliation against the Trading Grid sandbox: drift made behind the portal's back is
found, audited and repaired through the outbox."""

import pytest

from audit.models import AuditEvent
from integrations import outbox
from integrations.tradinggrid.reconcile import publication_body, reconcile
from integrations.tradinggrid.sync import run_partner_sync
from portal.models import Community, Publication
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(tradinggrid):
    run_partner_sync(full=True)
    asset = AssetFactory(name="SDS-X200.pdf", version_no=2, md5="9e107d9d372bb6826bd81d3542a419d6")
    publication = Publication.objects.create(
        asset=asset,
        community=Community.objects.first(),
        version_no=2,
        md5=asset.md5,
        title="Pump X200 safety data sheet",
        external_ref=f"asset:{asset.pk}",
    )
    outbox.add(
        "tradinggrid.publish",
        {"community_id": publication.community.tg_id, "publication": publication_body(publication)},
        obj=publication,
    )
    assert outbox.relay() == {"sent": 1}
    publication.refresh_from_db()
    assert publication.state == "live" and publication.tg_id
    return publication


def _remote(tradinggrid, publication):
    everything = tradinggrid.control(
        "GET", f"publications?community_id={publication.community.tg_id}"
    )
    return {p["id"]: p for p in everything}


def test_nothing_to_repair_when_trading_grid_agrees(tradinggrid, live):
    assert reconcile() == {"checked": 1, "drift": 0}
    assert not AuditEvent.objects.filter(action="publication.drift_found").exists()


def test_a_publication_removed_behind_our_back_is_published_again(tradinggrid, live):
    tradinggrid.control("POST", f"publications/{live.tg_id}/drift", {"action": "delete"})
    assert reconcile() == {"checked": 1, "drift": 1}
    assert outbox.relay() == {"sent": 1}
    old_id = live.tg_id
    live.refresh_from_db()
    assert live.state == "live" and live.tg_id != old_id and live.drift == ""
    assert _remote(tradinggrid, live)[live.tg_id]["version"] == "2"
    event = AuditEvent.objects.get(action="publication.drift_found")
    assert event.reason == "missing from Trading Grid"


def test_a_changed_version_is_corrected(tradinggrid, live):
    tradinggrid.control(
        "POST", f"publications/{live.tg_id}/drift", {"action": "change_version", "version": "1"}
    )
    assert reconcile()["drift"] == 1
    outbox.relay()
    assert _remote(tradinggrid, live)[live.tg_id]["version"] == "2"
    assert reconcile() == {"checked": 1, "drift": 0}


def test_content_still_shown_after_withdrawal_is_archived(tradinggrid, live):
    Publication.objects.filter(pk=live.pk).update(state="withdrawn")
    assert reconcile()["drift"] == 1
    outbox.relay()
    assert _remote(tradinggrid, live)[live.tg_id]["status"] == "archived"


def test_drift_shows_on_the_community_page_and_admins_reconcile_on_demand(
    tradinggrid, live, client, portal_admin, manager
):
    from django.urls import reverse

    tradinggrid.control("POST", f"publications/{live.tg_id}/drift", {"action": "delete"})
    reconcile()
    client.force_login(portal_admin)
    page = client.get(reverse("communities:detail", args=[live.community_id]))
    assert b"missing from Trading Grid" in page.content
    client.force_login(manager)
    assert client.post(reverse("operations:reconcile")).status_code == 403
    client.force_login(portal_admin)
    response = client.post(reverse("operations:reconcile"), follow=True)
    assert b"Reconciliation with Trading Grid was queued" in response.content


def test_reconciling_again_before_the_repair_is_sent_queues_no_second_repair(tradinggrid, live):
    from integrations.models import OutboxMessage

    tradinggrid.control("POST", f"publications/{live.tg_id}/drift", {"action": "delete"})
    assert reconcile()["drift"] == 1
    assert reconcile()["drift"] == 0
    assert OutboxMessage.objects.filter(status="pending").count() == 1
    outbox.relay()
    community = live.community.tg_id
    shown = [
        p
        for p in tradinggrid.control("GET", f"publications?community_id={community}")
        if p["status"] == "published"
    ]
    assert len(shown) == 1


def test_drift_in_a_granted_community_shows_on_the_managers_dashboard(
    tradinggrid, live, client, manager, reviewer
):
    from django.urls import reverse

    from portal import grants

    tradinggrid.control("POST", f"publications/{live.tg_id}/drift", {"action": "delete"})
    reconcile()
    grants.grant_community(manager, live.community)
    client.force_login(manager)
    assert "missing from Trading Grid" in client.get(reverse("dashboard")).content.decode()
    client.force_login(reviewer)  # no grant on that community
    assert "missing from Trading Grid" not in client.get(reverse("dashboard")).content.decode()
