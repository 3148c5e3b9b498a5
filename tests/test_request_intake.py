"""Requests from Trading Grid: events and the polling backstop create and update them."""

import hashlib
import hmac
import json
import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from integrations import inbox
from integrations.models import InboxEvent
from integrations.tradinggrid.sync import run_partner_sync
from portal import grants
from requests_app.intake import poll
from requests_app.models import PartnerRequest

pytestmark = pytest.mark.django_db


def _deliver(event: dict):
    body = json.dumps(event).encode()
    stamp = int(time.time())
    digest = hmac.new(
        settings.TRADINGGRID_WEBHOOK_SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    response = Client().post(
        "/webhooks/tradinggrid/",
        data=body,
        content_type="application/json",
        HTTP_X_AC_EVENT=event["type"],
        HTTP_X_AC_SIGNATURE=f"t={stamp},v1={digest}",
    )
    assert response.status_code == 202
    return inbox.process(InboxEvent.objects.get(pk=response.json()["id"]).pk)


def test_the_poll_takes_in_the_open_requests_of_every_community(tradinggrid):
    run_partner_sync(full=True)
    run = poll()
    assert run.state == "succeeded" and run.seen >= 10
    kinds = set(PartnerRequest.objects.values_list("kind", flat=True))
    assert {"localized_version", "question"} <= kinds
    assert kinds & {"missing", "outdated", "hard_to_find"}
    assert PartnerRequest.objects.filter(comments__isnull=False).exists()
    assert poll().seen <= 2  # only what changed since the last poll (with the overlap)


def test_a_request_created_by_a_partner_arrives_by_its_event(tradinggrid):
    run_partner_sync(full=True)
    partner = tradinggrid.control("GET", "partners")[0]
    created = tradinggrid.control(
        "POST",
        "requests",
        {
            "community_id": partner["community_ids"][0],
            "partner_id": partner["id"],
            "type": "localization",
            "subject": "Brochure in Swedish",
            "description": "Please",
            "locale": "sv",
        },
    )
    outcome = _deliver(
        {
            "id": "evt_req_1",
            "type": "request.created",
            "time": "2025-03-04T16:00:01Z",
            "tenant_id": "t",
            "community_id": created["community_id"],
            "data": {"request": {"id": created["id"], "status": "new"}},
        }
    )
    assert outcome == "created"
    request = PartnerRequest.objects.get(tg_id=created["id"])
    assert (request.kind, request.locale, request.partner.tg_id) == (
        "localized_version",
        "sv",
        partner["id"],
    )
    assert AuditEvent.objects.filter(action="request.received", object_id=str(request.pk)).exists()

    tradinggrid.control("POST", f"requests/{created['id']}/comments", {"body": "Any news?"})
    _deliver(
        {
            "id": "evt_cmt_1",
            "type": "request.comment.created",
            "time": "2025-03-04T16:05:01Z",
            "tenant_id": "t",
            "community_id": created["community_id"],
            "data": {"comment": {"id": "x", "request_id": created["id"]}},
        }
    )
    assert [c.body for c in request.comments.all()] == ["Any news?"]


def test_open_requests_show_on_the_community_page(tradinggrid, client, manager):
    run_partner_sync(full=True)
    poll()
    request = PartnerRequest.objects.filter(tg_status__in=["new", "open"]).first()
    grants.grant_community(manager, request.community)
    client.force_login(manager)
    page = client.get(reverse("communities:detail", args=[request.community_id]))
    assert request.tg_id in page.content.decode()
