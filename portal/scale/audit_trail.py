"""Audit events about the run's objects, appended to the hash chain exactly as
``audit.services.record_many`` appends them, a batch per locked transaction.

Events are made, hashed and inserted a batch at a time, so a million of them never sit in
memory together. Each batch continues from the chain head it locked, so writers that append
between batches only interleave; the chain stays one valid line throughout. Times rise with
the sequence over the three years before the run.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db import transaction

from audit import registry
from audit.chain import HASHED_FIELDS, event_hash, normalise_json
from audit.models import AuditEvent
from audit.services import _lock_head
from portal.context import SYSTEM, TASK, USER, WEBHOOK, Actor
from portal.scale.base import BATCH, Ref, Run, insert
from portal.scale.people import ADMIN, AUDITOR, MANAGER, REVIEWER
from portal.scale.releases import STATE_WEIGHTS as RELEASE_STATES
from requests_app.models import PartnerRequest

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NEVER = ("audit.verify_failed", "demo.seeded", "admin.deleted")
# (weight, action names or a prefix, what the events are about, who acts)
FAMILIES = (
    (30, "catalog.asset_", "assets", ("canto", "worker")),
    (20, "release.", "releases", (MANAGER, REVIEWER, "worker")),
    (22, "request.", "requests", (MANAGER, "tradinggrid", "worker")),
    (6, "publication.", "publications", ("worker",)),
    (8, ("auth.login", "auth.logout"), "users", (MANAGER, REVIEWER, AUDITOR, ADMIN)),
    (3, ("partner.joined", "partner.left", "partner.updated"), "partners", ("tradinggrid",)),
    (4, ("catalog.sync_completed", "partners.sync_completed"), None, ("worker",)),
    (1, ("grant.community_granted",), "communities", (ADMIN,)),
    (1, ("audit.verified", "audit.exported"), None, ("scheduler", AUDITOR)),
)
BY_REVIEWER = ("release.approved", "release.rejected")
BY_WORKER = (
    "release.published",
    "release.publishing_started",
    "release.outdated",
    "release.expired",
    "release.auto_updated",
    "release.asset_withdrawn",
    "request.breached",
    "request.content_arrived",
)
FROM_PARTNERS = (
    "request.received",
    "request.changed_in_tradinggrid",
    "request.comment_received",
    "request.partner_answered",
)
# The hashed fields, then the two links.
COLUMNS = (*HASHED_FIELDS, "prev_hash", "hash")
RELEASE_STATE_NAMES = [s.value for s, _ in RELEASE_STATES]
REQUEST_STATE_NAMES = [s.value for s in PartnerRequest.State]


def _actions(spec) -> list[str]:
    names = [name for name, _ in registry.choices() if name not in NEVER]
    if isinstance(spec, str):
        return [n for n in names if n.startswith(spec)]
    return [n for n in names if n in spec]


def _who(action: str, actors: tuple[str, ...], pick: Callable) -> str:
    if action in BY_REVIEWER:
        return REVIEWER
    if action in BY_WORKER:
        return "worker"
    if action in FROM_PARTNERS:
        return "tradinggrid"
    return pick(actors)


def _actors(run: Run) -> dict[str, tuple[Actor, str]]:
    people = {
        name: (Actor(USER, user.get_username(), user.pk), "web") for name, user in run.users.items()
    }
    return {
        **people,
        "worker": (Actor(TASK, "worker"), "task"),
        "canto": (Actor(WEBHOOK, "Canto webhook"), "webhook"),
        "tradinggrid": (Actor(WEBHOOK, "Trading Grid event"), "webhook"),
        "scheduler": (Actor(SYSTEM, "scheduler"), "beat"),
    }


def _targets(run: Run) -> dict[str, tuple[str, list[Ref]]]:
    users = [Ref(u.pk, u.get_username()) for u in run.users.values()]
    return {
        "assets": ("portal.asset", run.assets),
        "releases": ("portal.release", run.releases),
        "requests": ("requests_app.partnerrequest", run.requests),
        "publications": ("portal.publication", run.publications),
        "users": ("auth.user", users),
        "partners": ("portal.partner", run.partners),
        "communities": ("portal.community", run.communities),
    }


def _change(rng, action: str) -> tuple[dict | None, dict | None]:
    """A small, plausible before/after for the action's kind of object."""
    if action.startswith("release."):
        before, after = rng.sample(RELEASE_STATE_NAMES, 2)
        return {"state": before}, {"state": after}
    if action.startswith("request."):
        before, after = rng.sample(REQUEST_STATE_NAMES, 2)
        return {"state": before}, {"state": after}
    if action.startswith("catalog.asset_"):
        version = rng.randint(1, 6)
        return {"version_no": version}, {"version_no": version + 1, "approval_status": "Approved"}
    if action.startswith(("auth.", "partner.")):
        return None, None
    return None, {"count": rng.randint(1, 5000)}


def events(run: Run, count: int) -> int:
    """Append ``count`` events; return how many were written."""
    if count <= 0:
        return 0
    rng = run.rng("audit")
    actors, targets = _actors(run), _targets(run)
    families = []
    for weight, spec, about, who in FAMILIES:
        names = _actions(spec)
        if names and (about is None or targets[about][1]):
            families.append((weight, names, about, who))
    weights = [f[0] for f in families]
    start = (run.since - _EPOCH) // timedelta(microseconds=1)
    step = max(((run.now - run.since) // timedelta(microseconds=1)) // count, 1)

    written = 0
    while written < count:
        size = min(BATCH, count - written)
        with transaction.atomic():
            head = _lock_head()
            seq, prev_hash = head.seq, head.hash
            rows = []
            for i in range(written, written + size):
                _, names, about, who = rng.choices(families, weights)[0]
                action = rng.choice(names)
                actor, via = actors[_who(action, who, rng.choice)]
                object_type = object_id = object_label = ""
                if about is not None:
                    object_type, refs = targets[about]
                    ref = rng.choice(refs)
                    object_id, object_label = str(ref.pk), ref.label[:255]
                before, after = _change(rng, action)
                human = actor.type == USER
                seq += 1
                fields = {
                    "seq": seq,
                    "time": _EPOCH + timedelta(microseconds=start + i * step + rng.randrange(step)),
                    "actor_type": actor.type,
                    "actor_name": actor.name[:150],
                    "actor_id": actor.id,
                    "via": via if not human or rng.random() < 0.9 else "api",
                    "action": action,
                    "object_type": object_type,
                    "object_id": object_id[:64],
                    "object_label": object_label,
                    "before": normalise_json(before),
                    "after": normalise_json(after),
                    "reason": "",
                    "request_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "ip": f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
                    if human
                    else None,
                }
                digest = event_hash(fields, prev_hash)
                rows.append([*(fields[name] for name in HASHED_FIELDS), prev_hash, digest])
                prev_hash = digest
            insert(AuditEvent, COLUMNS, rows)
            head.seq, head.hash = seq, prev_hash
            head.save(update_fields=["seq", "hash"])
        written += size
    return written
