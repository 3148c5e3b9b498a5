"""The one way to write to the audit trail, and the one way to check it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from audit import registry
from audit.chain import event_hash, normalise_json
from audit.models import AuditChainHead, AuditEvent
from portal.context import Actor, current


def object_ref(obj: models.Model) -> tuple[str, str, str]:
    return obj._meta.label_lower, str(obj.pk), str(obj)[:255]


def _lock_head() -> AuditChainHead:
    """Lock the chain head row (creating it on an empty trail) for this transaction."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(pk=1, seq=0, hash="")
    except IntegrityError:
        pass  # another writer created it first
    return AuditChainHead.objects.select_for_update().get(pk=1)


def record(
    action: str,
    *,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
    actor: Actor | None = None,
) -> AuditEvent:
    """Append one event to the trail, in the caller's transaction.

    The actor, request id, IP and entry point come from the current request context unless
    ``actor`` is given. Writers are serialised on the chain head row, so the chain stays a
    single line under any number of concurrent web and worker processes.
    """
    entry = {
        "action": action,
        "obj": obj,
        "object_type": object_type,
        "object_id": object_id,
        "object_label": object_label,
        "before": before,
        "after": after,
        "reason": reason,
    }
    return record_many([entry], actor=actor)[0]


def record_many(entries: list[dict[str, Any]], actor: Actor | None = None) -> list[AuditEvent]:
    """Append many events in one locked transaction (a sync's per-asset changes).

    Each entry takes the keyword arguments of ``record`` except ``actor``.
    """
    if not entries:
        return []
    for entry in entries:
        registry.get(entry["action"])
    ctx = current()
    who = actor or ctx.resolved_actor()
    with transaction.atomic():
        head = _lock_head()
        seq, prev_hash, now = head.seq, head.hash, timezone.now()
        rows = []
        for entry in entries:
            obj = entry.get("obj")
            object_type, object_id, object_label = (
                object_ref(obj)
                if obj is not None
                else (
                    entry.get("object_type", ""),
                    entry.get("object_id", ""),
                    entry.get("object_label", ""),
                )
            )
            seq += 1
            fields = {
                "seq": seq,
                "time": now,
                "actor_type": who.type,
                "actor_name": who.name[:150],
                "actor_id": who.id,
                "via": ctx.via,
                "action": entry["action"],
                "object_type": object_type,
                "object_id": str(object_id)[:64],
                "object_label": object_label[:255],
                "before": normalise_json(entry.get("before")),
                "after": normalise_json(entry.get("after")),
                "reason": entry.get("reason", ""),
                "request_id": ctx.request_id,
                "ip": ctx.ip,
            }
            digest = event_hash(fields, prev_hash)
            rows.append(AuditEvent(**fields, prev_hash=prev_hash, hash=digest))
            prev_hash = digest
        AuditEvent.objects.bulk_create(rows, batch_size=500)
        head.seq, head.hash = seq, prev_hash
        head.save(update_fields=["seq", "hash"])
    return rows


def history(obj: models.Model, limit: int = 20) -> Iterable[AuditEvent]:
    object_type, object_id, _ = object_ref(obj)
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id)[:limit]


@dataclass
class Verification:
    verified: int
    intact: bool
    first_bad_seq: int | None = None
    problem: str = ""


_VERIFY_COLUMNS = (
    "seq",
    "time",
    "actor_type",
    "actor_name",
    "actor_id",
    "via",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "before",
    "after",
    "reason",
    "request_id",
    "ip",
    "prev_hash",
    "hash",
)


def verify(chunk_size: int = 5000) -> Verification:
    """Walk the chain in order up to its head; report the first sequence number that does
    not hold.

    Detects an altered row (its hash no longer matches), a removed or reordered row (a gap
    or a broken link to the previous hash) and removed rows at the end (the head is ahead).
    The head is read first, so events appended while the walk runs are not mistaken for
    tampering; they are checked by the next verification. An event inserted after the head
    without moving it is reported too.
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    expected_seq, prev_hash, count = 1, "", 0
    rows = AuditEvent.objects.order_by("seq").values_list(*_VERIFY_COLUMNS)
    if head is not None:
        rows = rows.filter(seq__lte=head.seq)
    for row in rows.iterator(chunk_size=chunk_size):
        fields = dict(zip(_VERIFY_COLUMNS, row, strict=True))
        seq = fields["seq"]
        if seq != expected_seq:
            return Verification(count, False, expected_seq, f"event #{expected_seq} is missing")
        if fields["prev_hash"] != prev_hash:
            return Verification(count, False, seq, f"event #{seq} does not link to #{seq - 1}")
        if event_hash(fields, prev_hash) != fields["hash"]:
            return Verification(count, False, seq, f"event #{seq} was altered")
        prev_hash, expected_seq, count = fields["hash"], seq + 1, count + 1
    if head is None:
        if count:
            return Verification(count, False, count, "the chain head is missing")
        return Verification(0, True)
    if head.seq > count:
        return Verification(
            count, False, count + 1, f"events #{count + 1} to #{head.seq} are missing"
        )
    if head.hash != prev_hash:
        return Verification(count, False, head.seq, "the chain head does not match the events")
    beyond = _beyond_head(head.seq)
    if beyond is not None:
        return Verification(count, False, beyond, f"event #{beyond} lies beyond the chain head")
    return Verification(count, True)


def _beyond_head(seq: int) -> int | None:
    """The first event after ``seq`` that no append put there: an append writes its event and
    moves the head in one transaction, so an event the head, read after it, still does not
    reach was inserted some other way."""
    first = AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values_list("seq", flat=True)
    first = first.first()
    if first is None:
        return None
    head = AuditChainHead.objects.get(pk=1)
    return first if first > head.seq else None
