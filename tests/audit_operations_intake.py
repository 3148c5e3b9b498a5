"""The operations on what arrives from Trading Grid (requests, comments, webhooks), the request
lifecycle's own step and the audit trail's writers (see ``tests.audit_operations``)."""

from __future__ import annotations

import json
import re

import responses
from django.utils import timezone

from audit import services as audit
from integrations import inbox
from integrations.models import InboxEvent
from integrations.tradinggrid.client import TradingGridClient
from requests_app import intake, lifecycle, partner_side
from requests_app.models import PartnerRequest
from tests.audit_operations import World, operation, refusal, then

S = PartnerRequest.State


def _serve_requests(w: World, *requests: dict, comments=()) -> None:
    """Let the faked Trading Grid answer for these requests and their comments."""
    api = re.escape(f"{w.trading_grid.base_url}/ac/v1")
    by_id = {r["id"]: r for r in requests}

    def answer(data) -> tuple:
        return 200, {"Content-Type": "application/json"}, json.dumps(data)

    def one(request):
        found = by_id.get(request.path_url.split("?")[0].rsplit("/", 1)[-1])
        return answer(found) if found else (404, {}, "{}")

    mock = w.trading_grid.mock
    mock.add_callback(
        responses.GET,
        re.compile(rf"{api}/requests/[^/?]+/comments(\?.*)?$"),
        callback=lambda r: answer({"data": list(comments)}),
    )
    mock.add_callback(responses.GET, re.compile(rf"{api}/requests/[^/?]+(\?.*)?$"), callback=one)
    mock.add_callback(  # communities other than those synced are unknown to Trading Grid too
        responses.GET,
        re.compile(rf"{api}/communities/[^/?]+(\?.*)?$"),
        callback=lambda r: (404, {}, "{}"),
    )
    mock.add_callback(
        responses.GET,
        re.compile(rf"{api}/communities/[^/]+/requests(\?.*)?$"),
        callback=lambda r: answer({"data": list(requests)}),
    )


def _remote(w: World, tg_id: str = "req_9", **fields) -> dict:
    now = timezone.now().isoformat()
    return {
        "id": tg_id,
        "community_id": w.emea.tg_id,
        "type": "question",
        "subject": "Where is the X200 sheet?",
        "status": "new",
        "created_at": now,
        "updated_at": now,
        **fields,
    }


PARTNER_COMMENT = {
    "id": "com_1",
    "author": {"type": "partner_contact", "name": "Ann Buyer"},
    "body": "Any news?",
    "visibility": "public",
}


def _received(tg_id: str = "req_9") -> PartnerRequest:
    return PartnerRequest.objects.get(tg_id=tg_id)


@operation("requests_app.intake.upsert_request")
def _(w):
    data = _remote(w)
    return lambda: then(intake.upsert_request(data, TradingGridClient.from_settings()), _received())


@operation("requests_app.intake.refresh_request")
def _(w):
    _serve_requests(w, _remote(w))
    return lambda: then(intake.refresh_request("req_9"), _received())


@operation("requests_app.intake.poll")
def _(w):
    _serve_requests(w, _remote(w, "req_1"), _remote(w, "req_2"))
    return lambda: then(intake.poll(), _received("req_1"), _received("req_2"))


@operation("requests_app.intake.sync_comments")
def _(w):
    request = w.request(tg_id="req_9")
    _serve_requests(w, _remote(w), comments=[PARTNER_COMMENT])
    return lambda: then(intake.sync_comments(request, TradingGridClient.from_settings()), request)


@refusal("requests_app.intake.upsert_request")
def _(w):
    _serve_requests(w)
    data = _remote(w, community_id="com_unknown")
    return lambda: intake.upsert_request(data, TradingGridClient.from_settings())


@operation("requests_app.partner_side.comment_seen")
def _(w):
    request = w.request(state=S.WAITING_FOR_PARTNER, tg_id="req_9")
    return lambda: then(partner_side.comment_seen(request, PARTNER_COMMENT), request)


@operation("requests_app.partner_side.status_changed")
def _(w):
    request = lifecycle.lock(w.request(state=S.DELIVERED))
    return lambda: then(partner_side.status_changed(request, "closed"), request)


@operation("requests_app.lifecycle.move")
def _(w):
    request = lifecycle.lock(w.request(state=S.TRIAGED))
    return lambda: then(lifecycle.move(request, S.IN_PROGRESS, "request.started"), request)


@operation("integrations.inbox.process")
def _(w):
    _serve_requests(w, _remote(w))
    body = {"id": "evt_1", "type": "request.created", "data": {"request": {"id": "req_9"}}}
    event = InboxEvent.objects.create(
        source="tradinggrid",
        event_type="request.created",
        fingerprint=inbox.fingerprint("tradinggrid", "request.created", "evt_1"),
        body=json.dumps(body),
        headers={},
    )
    return lambda: then(inbox.process(event.pk), _received())


@operation("audit.services.record")
def _(w):
    return lambda: then(audit.record("audit.exported", obj=w.auditor), w.auditor)


@operation("audit.services.record_many")
def _(w):
    entries = [
        {"action": "admin.changed", "obj": w.emea},
        {"action": "admin.added", "obj": w.admin},
    ]
    return lambda: then(audit.record_many(entries), "admin.changed", "admin.added")
