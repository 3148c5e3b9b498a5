"""Real changes in both sandboxes, announced to the portal's web server by signed events that
the scenario posts itself (so that it decides how often and in which order), and the counting
of their effects in the portal.

Half the events are Canto ``new-version`` webhooks (each for a new version made in the Canto
sandbox), half Trading Grid ``request.created`` events (each for a request a partner opened in
the Trading Grid sandbox). Each one's effect is a single audit event: the new version is
``catalog.asset_new_version`` on the asset, the request ``request.received``. The sandboxes'
own deliveries are switched off, so that only the scenario's copies arrive.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.db.models import Count

from audit.models import AuditEvent
from benchmarks.chaos.report import Row
from integrations.canto.runs import run_catalog_sync
from integrations.inbox import fingerprint
from integrations.models import InboxEvent
from integrations.tradinggrid.sync import run_partner_sync
from portal.models import Asset
from requests_app.models import PartnerRequest

CLIENTS = 8


@dataclass
class Event:
    source: str
    key: str  # the Canto asset id, or the Trading Grid request id
    path: str
    body: bytes
    event_type: str
    event_id: str = ""

    def inbox_print(self) -> str:
        """The inbox fingerprint the receiver gives this event (the Canto body minus its
        token, the Trading Grid event id)."""
        if self.source == "canto":
            data = json.loads(self.body)
            data.pop("secure_token", None)
            return fingerprint("canto", self.event_type, json.dumps(data, sort_keys=True))
        return fingerprint("tradinggrid", self.event_type, self.event_id)

    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.source == "tradinggrid":
            stamp = int(time.time())
            secret = settings.TRADINGGRID_WEBHOOK_SECRET.encode()
            digest = hmac.new(secret, f"{stamp}.".encode() + self.body, hashlib.sha256)
            headers.update(
                {
                    "X-AC-Event": self.event_type,
                    "X-AC-Delivery": f"dlv_{random.getrandbits(48):x}",
                    "X-AC-Signature": f"t={stamp},v1={digest.hexdigest()}",
                }
            )
        return headers


@dataclass
class Deliveries:
    answers: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return sum(n for status, n in self.answers.items() if not str(status).startswith("2"))


def prepare(stack, n: int, *, mirror: bool = True, exclude=()) -> list[Event]:
    """Make ``n`` changes in the sandboxes, half in each, on assets other than ``exclude``;
    returns their events. ``mirror`` first copies both sandboxes into the portal."""
    stack.canto.control("POST", "webhooks", {"enabled": False})
    stack.tradinggrid.control("POST", "webhook", {"enabled": False})
    if mirror:
        run_catalog_sync(full=True)
        run_partner_sync(full=True)
    canto_count, tg_count = n - n // 2, n // 2
    assets = list(
        Asset.objects.filter(deleted_in_canto=False)
        .exclude(pk__in=list(exclude))
        .order_by("pk")[:canto_count]
    )
    if len(assets) < canto_count:
        raise RuntimeError(f"chaos: only {len(assets)} Canto assets for {canto_count} events")
    events = []
    for asset in assets:
        stack.canto.control("POST", f"assets/{asset.canto_id}/version", {"comment": "chaos"})
        body = {
            "secure_token": settings.CANTO_WEBHOOK_TOKEN,
            "scheme": asset.scheme,
            "id": asset.canto_id,
            "album": "",
            "displayname": asset.name,
        }
        events.append(
            Event(
                "canto",
                asset.canto_id,
                "/webhooks/canto/new-version/",
                json.dumps(body).encode(),
                "new-version",
            )
        )
    partners = [p for p in stack.tradinggrid.control("GET", "partners") if p["community_ids"]]
    for number in range(tg_count):
        partner = partners[number % len(partners)]
        opened = stack.tradinggrid.control(
            "POST",
            "requests",
            {"partner_id": partner["id"], "type": "question", "subject": f"Chaos {number}"},
        )
        event = {
            "id": f"evt_chaos_{number:05d}_{random.getrandbits(32):08x}",
            "type": "request.created",
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "tenant_id": settings.TRADINGGRID_TENANT_ID,
            "community_id": opened["community_id"],
            "data": {"request": {"id": opened["id"], "partner_id": partner["id"], "status": "new"}},
        }
        events.append(
            Event(
                "tradinggrid",
                opened["id"],
                "/webhooks/tradinggrid/",
                json.dumps(event, separators=(",", ":")).encode(),
                "request.created",
                event["id"],
            )
        )
    return events


def post(events: list[Event], copies: int = 1, shuffle: bool = False) -> Deliveries:
    """Every event ``copies`` times from ``CLIENTS`` concurrent clients; shuffled on request.

    As the real senders do, a Trading Grid delivery not answered 2xx is tried again (after 1,
    2, 4 and 8 s), a Canto one is not."""
    queue = [event for event in events for _ in range(copies)]
    if shuffle:
        random.Random(9).shuffle(queue)
    result = Deliveries()
    lock = threading.Lock()
    local = threading.local()
    base = settings.PORTAL_BASE_URL

    def deliver(event: Event) -> None:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        attempts = 5 if event.source == "tradinggrid" else 1
        for attempt in range(attempts):
            try:
                answer = session.post(
                    base + event.path, data=event.body, headers=event.headers(), timeout=60
                )
                status = answer.status_code
            except requests.RequestException as exc:
                status = "error"
                with lock:
                    result.errors.append(f"{type(exc).__name__}: {exc}"[:200])
            with lock:
                result.answers[status] += 1
            if str(status).startswith("2"):
                return
            time.sleep(2**attempt)

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(deliver, queue))
    return result


@dataclass
class Effects:
    applied: int  # events whose effect is in the portal
    twice: int  # events whose effect was applied more than once
    missing: int
    inbox_rows: Counter  # stored inbox rows by source
    stored_again: int  # Canto copies stored again after the first began processing
    unfinished: int  # inbox rows still waiting, running or failed
    failed: int
    rejected: int


def effects(events: list[Event], since_seq: int) -> Effects:
    """What the events did in the portal: one audit event each is right."""
    canto_ids = [e.key for e in events if e.source == "canto"]
    request_ids = [e.key for e in events if e.source == "tradinggrid"]
    asset_pks = dict(Asset.objects.filter(canto_id__in=canto_ids).values_list("pk", "canto_id"))
    request_pks = dict(
        PartnerRequest.objects.filter(tg_id__in=request_ids).values_list("pk", "tg_id")
    )
    audited = Counter()
    for action, pks, model in (
        ("catalog.asset_new_version", asset_pks, Asset),
        ("request.received", request_pks, PartnerRequest),
    ):
        rows = (
            AuditEvent.objects.filter(
                seq__gt=since_seq, action=action, object_type=model._meta.label_lower
            )
            .filter(object_id__in=[str(pk) for pk in pks])
            .values_list("object_id", flat=True)
        )
        for object_id in rows:
            audited[pks[int(object_id)]] += 1
    keys = canto_ids + request_ids
    rows = InboxEvent.objects.exclude(status=InboxEvent.Status.REJECTED)
    per_print = dict(
        rows.values("fingerprint").annotate(n=Count("id")).values_list("fingerprint", "n")
    )
    stored_again = sum(
        max(0, per_print.get(e.inbox_print(), 0) - 1) for e in events if e.source == "canto"
    )
    tg_twice = sum(
        1 for e in events if e.source == "tradinggrid" and per_print.get(e.inbox_print(), 0) > 1
    )
    statuses = Counter(InboxEvent.objects.values_list("status", flat=True))
    return Effects(
        applied=sum(1 for key in keys if audited[key] >= 1),
        twice=sum(1 for key in keys if audited[key] > 1) + tg_twice,
        missing=sum(1 for key in keys if audited[key] == 0),
        inbox_rows=Counter(rows.values_list("source", flat=True)),
        stored_again=stored_again,
        unfinished=sum(
            statuses[s]
            for s in (
                InboxEvent.Status.PENDING,
                InboxEvent.Status.PROCESSING,
                InboxEvent.Status.FAILED,
            )
        ),
        failed=statuses[InboxEvent.Status.FAILED],
        rejected=statuses[InboxEvent.Status.REJECTED],
    )


def outbound_and_events_row(
    out: dict, found: Effects, events: list[Event], seconds, note: str, problems: list[str]
):
    """One table row for a release's publications and a batch of events counted together."""
    return Row(
        "",
        sent=out["sent"] + len(events),
        delivered=out["delivered"] + found.applied,
        duplicated=out["duplicated"] + found.twice,
        lost=out["lost"] + found.missing,
        dead=out["dead"] + found.failed,
        seconds=seconds,
        note=note,
        error="; ".join(problems),
    )
