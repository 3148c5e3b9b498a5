"""Support for the end-to-end request tests: the Trading Grid sandbox's events aimed at the live
test server, the partner view driven like a browser, and waiting for the worker.

Partners act in the Trading Grid sandbox (its partner view's forms, or its control API); people
act through the request services; everything in between happens in a real Celery worker.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import requests
from django.conf import settings
from django.utils import translation

from audit.models import AuditEvent
from portal.context import USER, Actor, acting_as
from portal.models import Community, Partner
from requests_app.models import PartnerRequest, RequestComment
from tests.processes import ROOT, wait_until

UNWIRED_TG_WEBHOOK = "http://127.0.0.1:9/webhooks/tradinggrid/"  # what conftest starts it with
GERMAN_CATALOG = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.mo"


def wire_tradinggrid(tradinggrid, live_server_url: str) -> None:
    """Deliver the sandbox's events to the live server; a refused delivery is retried soon."""
    tradinggrid.control(
        "POST",
        "webhook",
        {
            "url": f"{live_server_url}/webhooks/tradinggrid/",
            "secret": settings.TRADINGGRID_WEBHOOK_SECRET,
            "enabled": True,
            "backoff_seconds": 0.2,
        },
    )


def unwire_tradinggrid(tradinggrid) -> None:
    """Back to the session's settings, so no later test's live server gets these events."""
    tradinggrid.control("GET", "events?wait=10")
    tradinggrid.control(
        "POST", "webhook", {"url": UNWIRED_TG_WEBHOOK, "backoff_seconds": 1.0, "enabled": True}
    )


def person(user):
    """Act as a signed-in person, the way the pages do."""
    return acting_as(Actor(USER, user.get_username(), user.pk), via="web")


@dataclass
class PartnerSide:
    """One partner contact in the Trading Grid sandbox, and the portal's view of that partner."""

    tradinggrid: object
    partner: Partner
    community: Community
    contact_id: str
    contact_name: str

    # The partner view (HTML) -------------------------------------------------------------------
    def page(self) -> str:
        response = requests.get(
            f"{self.tradinggrid.url}/_sandbox/",
            params={"partner": self.partner.tg_id, "contact": self.contact_id},
            timeout=10,
        )
        response.raise_for_status()
        return response.text

    def download(self, tg_id: str) -> None:
        """The partner view's download button: counted, then on to the file."""
        response = requests.post(
            f"{self.tradinggrid.url}/_sandbox/ui/publications/{tg_id}/download",
            data={"partner_id": self.partner.tg_id, "contact_id": self.contact_id},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code in (302, 303), response.text
        assert "Not done" not in response.headers.get("Location", "")

    def submit(self, path: str, **fields: str) -> str:
        """Post one of the partner view's forms like a browser; the page's message comes back."""
        data = {"partner_id": self.partner.tg_id, "contact_id": self.contact_id, **fields}
        response = requests.post(
            f"{self.tradinggrid.url}/_sandbox/ui/{path.lstrip('/')}",
            data=data,
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 303, response.text
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(response.headers["Location"]).query)
        message = query["msg"][0]
        assert not message.startswith("Not done"), message
        return message

    def open_request(self, **fields: str) -> str:
        """The request form; returns the new request's Trading Grid id."""
        values = {
            "community_id": self.community.tg_id,
            "category": "",
            "external_ref": "",
            "description": "",
            **fields,
        }
        message = self.submit("requests", **values)
        assert message.startswith("Opened ") and "(request.created sent)" in message, message
        return message.split()[1]

    def comment(self, tg_id: str, body: str) -> None:
        message = self.submit(f"requests/{tg_id}/comments", body=body)
        assert "(request.comment.created sent)" in message, message

    def confirm(self, tg_id: str) -> None:
        message = self.submit(f"requests/{tg_id}/confirm")
        assert message.startswith("Confirmed delivery"), message

    # What Trading Grid holds (control API) -----------------------------------------------------
    def remote(self, tg_id: str) -> dict:
        """The request in Trading Grid, with all its comments (internal ones too)."""
        found = [
            r
            for r in self.tradinggrid.control("GET", f"requests?partner_id={self.partner.tg_id}")
            if r["id"] == tg_id
        ]
        assert len(found) == 1, tg_id
        return found[0]

    def wait_for_remote_status(self, tg_id: str, status: str, timeout: float = 20) -> dict:
        return wait_until(
            lambda: (r := self.remote(tg_id))["status"] == status and r,
            timeout=timeout,
            message=f"{tg_id} did not become {status} in Trading Grid "
            f"(it is {self.remote(tg_id)['status']})",
        )


def partner_side(tradinggrid) -> PartnerSide:
    """An active partner (mirrored in the portal) with an active contact, in one community."""
    for data in tradinggrid.control("GET", "partners"):
        contacts = [c for c in data.get("contacts") or [] if c.get("status") == "active"]
        if data.get("status") != "active" or not contacts or not data.get("community_ids"):
            continue
        partner = Partner.objects.filter(tg_id=data["id"], status="active").first()
        if partner is None:
            continue
        membership = (
            partner.memberships.filter(active=True, community__tg_id__in=data["community_ids"])
            .select_related("community")
            .order_by("community__name")
            .first()
        )
        if membership is None:
            continue
        contact = contacts[0]
        return PartnerSide(
            tradinggrid,
            partner,
            membership.community,
            contact["id"],
            f"{contact['first_name']} {contact['last_name']}",
        )
    raise AssertionError("the Trading Grid sandbox has no active partner with an active contact")


def wait_for_request(tg_id: str, timeout: float = 20) -> PartnerRequest:
    """The portal's request for a Trading Grid request, once the worker took it in."""
    return wait_until(
        lambda: PartnerRequest.objects.filter(tg_id=tg_id).first(),
        timeout=timeout,
        message=f"request {tg_id} did not reach the portal",
    )


def state_of(request: PartnerRequest) -> str:
    request.refresh_from_db()
    return request.state


def wait_for_state(request: PartnerRequest, state: str, timeout: float = 30) -> None:
    wait_until(
        lambda: state_of(request) == state,
        timeout=timeout,
        message=f"{request.reference} did not become {state} (it is {request.state})",
    )


def audit_events(obj):
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


def assert_audited(obj, *actions: str) -> None:
    recorded = set(audit_events(obj).values_list("action", flat=True))
    missing = [a for a in actions if a not in recorded]
    assert not missing, f"not audited for {obj}: {missing}; recorded {sorted(recorded)}"


def portal_comments(request: PartnerRequest, body: str):
    return RequestComment.objects.filter(request=request, body=body)


def in_language(language: str, msgid: str, **values) -> str:
    """A message of requests_app.wording as the portal writes it in ``language``."""
    with translation.override(language):
        return translation.gettext(msgid) % values


def german_translations() -> bool:
    """Whether the portal has German translations (then the partner must read German)."""
    return GERMAN_CATALOG.exists() or any(
        Path(p, "de", "LC_MESSAGES", "django.mo").exists() for p in settings.LOCALE_PATHS
    )


# The sandbox's event deliveries -------------------------------------------------------------------
def sent_events(tradinggrid, event_type: str, **data_matches: dict) -> list[dict]:
    """Events of one type the sandbox delivered (after its queue drained), oldest first.

    ``data_matches`` names the event's object and its fields, e.g. ``comment={"id": ...}``.
    """
    snapshot = tradinggrid.control("GET", "events?wait=10")
    assert snapshot["pending"] == 0, "the sandbox still has event deliveries pending"
    found: dict[str, dict] = {}
    for delivery in snapshot["deliveries"]:
        event = delivery["event"]
        if event["type"] != event_type:
            continue
        if all(
            all(event["data"].get(key, {}).get(k) == v for k, v in wanted.items())
            for key, wanted in data_matches.items()
        ):
            assert delivery["status"] == "delivered", delivery
            found.setdefault(event["id"], event)
    return list(found.values())


def redeliver(tradinggrid, event: dict) -> None:
    """Send an event again (same id) and wait until the portal answered it."""
    answer = tradinggrid.control("POST", "events/redeliver", {"event_id": event["id"]})
    assert answer["deliveries"], "the sandbox has nowhere to deliver the event"
    snapshot = tradinggrid.control("GET", "events?wait=10")
    again = [d for d in snapshot["deliveries"] if d["id"] in answer["deliveries"]]
    assert [d["status"] for d in again] == ["delivered"] * len(answer["deliveries"]), again
