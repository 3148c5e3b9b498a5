"""Community and partner sync against the Trading Grid sandbox, and partner events."""

import hashlib
import hmac
import json
import time

import pytest
from django.conf import settings

from audit.models import AuditEvent
from integrations import inbox
from integrations.models import InboxEvent
from integrations.tradinggrid.sync import run_partner_sync
from portal.models import Community, Contact, Membership, Partner

pytestmark = pytest.mark.django_db


def test_full_sync_mirrors_communities_partners_and_contacts(tradinggrid):
    run = run_partner_sync(full=True)
    assert run.state == "succeeded" and run.kind == "tg_full"
    assert Community.objects.count() >= 8
    assert {c.region for c in Community.objects.all()} >= {"NA", "EMEA", "APAC", "LATAM"}
    assert Partner.objects.count() >= 50
    assert Contact.objects.exists()
    assert Membership.objects.filter(active=True).count() >= Partner.objects.count()
    assert AuditEvent.objects.filter(action="partners.sync_completed").exists()


def test_incremental_sync_reads_only_changed_partners(tradinggrid):
    run_partner_sync(full=True)
    partner = Partner.objects.order_by("pk").first()
    tradinggrid.control("POST", f"partners/{partner.tg_id}", {"tier": "platinum"})
    run = run_partner_sync(full=False)
    assert run.kind == "tg_incremental" and run.seen == 1
    partner.refresh_from_db()
    assert partner.tier == "platinum"


def test_a_partner_who_leaves_is_kept_with_the_membership_marked_left(tradinggrid):
    run_partner_sync(full=True)
    membership = Membership.objects.select_related("partner", "community").first()
    tradinggrid.control(
        "POST",
        f"partners/{membership.partner.tg_id}/leave",
        {"community_id": membership.community.tg_id},
    )
    run_partner_sync(full=True)
    membership.refresh_from_db()
    assert membership.active is False and membership.left_at is not None
    assert Partner.objects.filter(pk=membership.partner_id).exists()
    assert AuditEvent.objects.filter(
        action="partner.left", object_id=str(membership.partner_id)
    ).exists()


def test_an_event_for_an_unknown_partner_fetches_it(tradinggrid):
    run_partner_sync(full=True)
    community = Community.objects.first()
    joined = tradinggrid.control(
        "POST",
        "partners",
        {
            "community_id": community.tg_id,
            "company_name": "Nordlicht Distribution AB",
            "tier": "gold",
            "regions": ["EMEA"],
            "language": "sv",
        },
    )
    partner_id = joined["id"]
    body = json.dumps(
        {
            "id": "evt_join_1",
            "type": "partner.joined",
            "time": "2025-03-04T16:00:01Z",
            "tenant_id": "t",
            "community_id": community.tg_id,
            "data": {"partner": {"id": partner_id}},
        }
    ).encode()
    stamp = int(time.time())
    digest = hmac.new(
        settings.TRADINGGRID_WEBHOOK_SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    from django.test import Client

    answer = Client().post(
        "/webhooks/tradinggrid/",
        data=body,
        content_type="application/json",
        HTTP_X_AC_EVENT="partner.joined",
        HTTP_X_AC_SIGNATURE=f"t={stamp},v1={digest}",
    )
    assert answer.status_code == 202
    assert inbox.process(InboxEvent.objects.get().pk) == "created"
    partner = Partner.objects.get(tg_id=partner_id)
    assert partner.company_name == "Nordlicht Distribution AB"
    assert partner.memberships.get().community == community
    assert AuditEvent.objects.filter(action="partner.joined", object_id=str(partner.pk)).exists()
