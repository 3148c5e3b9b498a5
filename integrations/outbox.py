"""The outbox: external writes saved in the same transaction as the decision behind them and
delivered by a relay with the message's idempotency key.

A message rolled back with its decision is never sent. Relays claim due messages row by row
(``skip_locked`` where the database has it; SQLite serialises writers), so two relays never
send the same message; a relay that dies mid-send leaves a claim that expires, and the
idempotency key makes the repeated write harmless. A relay task that claims a full batch asks
for one more (up to ``OUTBOX_RELAYS`` in a chain), so a backlog is shared by idle workers.
Throttling and failures set the next attempt time in the database; after
``OUTBOX_MAX_ATTEMPTS`` a message is dead until someone retries it.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from audit.services import record
from integrations.http import TransientError
from integrations.models import OutboxMessage
from integrations.reconnect import CONNECTION_LOST, disconnected, once_more_if_disconnected
from portal.context import current

log = logging.getLogger(__name__)
Operation = Callable[[dict, str], dict]
_operations: dict[str, Operation] = {}
_on_sent: dict[str, Callable[[OutboxMessage], None]] = {}
_on_dead: dict[str, Callable[[OutboxMessage], None]] = {}


def operation(
    name: str,
    *,
    on_sent: Callable[[OutboxMessage], None] | None = None,
    on_dead: Callable[[OutboxMessage], None] | None = None,
):
    """Register how an operation is performed: ``fn(payload, idempotency_key) -> result``.

    ``on_sent`` updates the portal after the write; ``on_dead`` tells someone it was given up.
    """

    def decorate(fn: Operation) -> Operation:
        _operations[name] = fn
        if on_sent is not None:
            _on_sent[name] = on_sent
        if on_dead is not None:
            _on_dead[name] = on_dead
        return fn

    return decorate


def follow(
    name: str,
    *,
    on_sent: Callable[[OutboxMessage], None] | None = None,
    on_dead: Callable[[OutboxMessage], None] | None = None,
) -> None:
    """Let another app update the portal after an operation it queues was sent or given up."""
    if on_sent is not None:
        _on_sent[name] = on_sent
    if on_dead is not None:
        _on_dead[name] = on_dead


def add(name: str, payload: dict, *, obj: models.Model | None = None) -> OutboxMessage:
    """Owe one external write; call inside the transaction of the decision that causes it."""
    if name not in _operations:
        raise ValueError(f"Unknown outbox operation {name!r}.")
    ctx = current()
    message = OutboxMessage.objects.create(
        operation=name,
        payload=payload,
        idempotency_key=uuid.uuid4().hex,
        next_attempt_at=timezone.now(),
        requested_by=ctx.resolved_actor().name[:150],
        request_id=ctx.request_id,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
    )
    _wake_relay()
    return message


def _relay_now() -> None:
    from integrations.tasks import relay_outbox

    try:
        relay_outbox.delay()
    except (OperationalError, OSError) as exc:
        # The messages are committed; beat's periodic relay sends them once the broker is back.
        log.warning("Could not ask for an outbox relay now: %s", exc)


def _wake_relay() -> None:
    """Ask for a relay once the transaction commits: once per transaction, however many
    messages it adds (a relay sends everything that is due)."""
    if any(entry[1] is _relay_now for entry in connection.run_on_commit):
        return
    transaction.on_commit(_relay_now)


def _claim(limit: int) -> list[OutboxMessage]:
    now = timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    due = OutboxMessage.objects.filter(
        models.Q(
            status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.RETRYING],
            next_attempt_at__lte=now,
        )
        | models.Q(status=OutboxMessage.Status.SENDING, claimed_at__lt=stale)
    ).order_by("next_attempt_at", "id")
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        claimed = list(due[:limit])
        OutboxMessage.objects.filter(pk__in=[m.pk for m in claimed]).update(
            status=OutboxMessage.Status.SENDING, claimed_at=now
        )
    for message in claimed:
        message.status, message.claimed_at = OutboxMessage.Status.SENDING, now
    return claimed


def _renew(message: OutboxMessage) -> bool:
    """Refresh this relay's claim just before sending; False if another relay took it over."""
    now = timezone.now()
    renewed = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxMessage.Status.SENDING, claimed_at=message.claimed_at
    ).update(claimed_at=now)
    message.claimed_at = now
    return bool(renewed)


def _delay(message: OutboxMessage, error: Exception) -> float:
    if isinstance(error, TransientError) and error.retry_after is not None:
        return max(1.0, error.retry_after)
    ceiling = min(settings.OUTBOX_MAX_DELAY, settings.OUTBOX_BASE_DELAY * 2**message.attempts)
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311  (jitter)


def send(message: OutboxMessage) -> str:
    """Perform one claimed message and record the outcome (only while the claim is ours)."""
    attempts = message.attempts + 1
    mine = OutboxMessage.objects.filter(
        pk=message.pk, claimed_at=message.claimed_at, status=OutboxMessage.Status.SENDING
    )
    try:
        result = _operations[message.operation](message.payload, message.idempotency_key)
    except Exception as exc:  # any failure is recorded on the message, never lost
        dead = attempts >= settings.OUTBOX_MAX_ATTEMPTS
        status = OutboxMessage.Status.DEAD if dead else OutboxMessage.Status.RETRYING
        once_more_if_disconnected(_mark_failed, mine, message, attempts, exc, dead)
        return status
    # The sent mark and the portal's own update commit together: a database connection lost
    # in between must not leave a message sent whose publication never learns it. Once more
    # on a new connection; after that the claim expires and the write is repeated (same key).
    once_more_if_disconnected(_mark_sent, mine, message, attempts, result)
    return OutboxMessage.Status.SENT


def _mark_failed(mine, message: OutboxMessage, attempts: int, exc: Exception, dead: bool):
    """Record a failed attempt; a dead letter, its audit event and its follow-up commit
    together, so that a lost connection cannot leave a message dead that nobody was told of."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    with transaction.atomic():
        marked = mine.update(
            status=OutboxMessage.Status.DEAD if dead else OutboxMessage.Status.RETRYING,
            attempts=attempts,
            last_error=error,
            last_status=getattr(exc, "status", None),
            claimed_at=None,
            next_attempt_at=timezone.now() + timedelta(seconds=_delay(message, exc)),
        )
        if not (dead and marked):
            return
        record(
            "outbox.dead",
            obj=message,
            reason=str(exc)[:500],
            after={"operation": message.operation, "attempts": attempts},
        )
        message.last_error = error
        callback = _on_dead.get(message.operation)
        if callback is None:
            return
        try:
            with transaction.atomic():
                callback(message)
        except Exception as failure:
            if isinstance(failure, CONNECTION_LOST) and disconnected(failure):
                raise
            log.exception("Outbox message %s went dead but its follow-up failed", message.pk)


def _mark_sent(mine, message: OutboxMessage, attempts: int, result: dict) -> None:
    with transaction.atomic():
        marked = mine.update(
            status=OutboxMessage.Status.SENT,
            attempts=attempts,
            result=result,
            sent_at=timezone.now(),
            claimed_at=None,
            last_error="",
            last_status=None,
        )
        message.result, message.status = result, OutboxMessage.Status.SENT
        callback = _on_sent.get(message.operation)
        if callback is None or not marked:
            return  # not ours any more: the relay that holds the claim follows it up
        try:
            with transaction.atomic():
                callback(message)
        except Exception as exc:
            if isinstance(exc, CONNECTION_LOST) and disconnected(exc):
                raise  # the sent mark is gone with the connection: sent again, same key
            # The write happened; say so, and keep the failure of the portal's own update.
            log.exception("Outbox message %s was sent but its follow-up failed", message.pk)
            OutboxMessage.objects.filter(pk=message.pk).update(
                last_error=f"Sent, but updating the portal failed: {exc}"[:2000]
            )


def pending_for(obj: models.Model) -> bool:
    """Whether a write for this object is still owed (not yet sent, dead or cancelled)."""
    return OutboxMessage.objects.filter(
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        status__in=[
            OutboxMessage.Status.PENDING,
            OutboxMessage.Status.SENDING,
            OutboxMessage.Status.RETRYING,
        ],
    ).exists()


def relay(
    limit: int | None = None, *, helper: Callable[[], object] | None = None
) -> dict[str, int]:
    """Send every due message, a batch at a time; returns counts by outcome.

    ``helper`` asks for one more relay the first time a full batch is claimed (more may be
    due), so that idle workers share a backlog instead of one relay sending it alone.
    """
    counts: dict[str, int] = {}
    batch = limit or settings.OUTBOX_BATCH
    while True:
        claimed = _claim(batch)
        if not claimed:
            return counts
        if helper is not None and len(claimed) == batch:
            try:
                helper()
            except Exception:  # best effort: this relay sends its batch all the same
                log.warning("Could not ask for another outbox relay", exc_info=True)
            helper = None  # one helper per relay: a chain, not a flood
        for message in claimed:
            try:
                if not once_more_if_disconnected(_renew, message):
                    continue
                outcome = send(message)
            except CONNECTION_LOST:
                if connection.in_atomic_block:
                    raise
                # Its write may have been made: the key makes the repeat harmless, so it is due
                # again shortly (or, with the database still away, when its claim expires).
                log.warning("Outbox message %s interrupted by a lost connection", message.pk)
                connection.close()
                _release(message)
                outcome = "interrupted"
            counts[outcome] = counts.get(outcome, 0) + 1
        if limit is not None:
            return counts


def _release(message: OutboxMessage) -> None:
    try:
        OutboxMessage.objects.filter(
            pk=message.pk, status=OutboxMessage.Status.SENDING, claimed_at=message.claimed_at
        ).update(
            status=OutboxMessage.Status.RETRYING,
            claimed_at=None,
            next_attempt_at=timezone.now() + timedelta(seconds=settings.OUTBOX_BASE_DELAY),
        )
    except CONNECTION_LOST:
        connection.close()


def retry(message: OutboxMessage, *, reason: str = "") -> None:
    """A person sends a failed or dead message again (audited)."""
    allowed = [
        OutboxMessage.Status.DEAD,
        OutboxMessage.Status.RETRYING,
        OutboxMessage.Status.CANCELLED,
    ]
    with transaction.atomic():
        changed = OutboxMessage.objects.filter(pk=message.pk, status__in=allowed).update(
            status=OutboxMessage.Status.PENDING, next_attempt_at=timezone.now(), attempts=0
        )
        if not changed:
            raise ValueError("Only a dead, waiting or cancelled message can be retried.")
        record(
            "outbox.retried",
            obj=message,
            reason=reason,
            before={"status": message.status},
            after={"status": "pending"},
        )
        _wake_relay()


def cancel(message: OutboxMessage, *, reason: str) -> None:
    """A person gives up on a message that is not being sent (audited; reason required)."""
    if not reason.strip():
        raise ValueError("Say why the message is cancelled.")
    allowed = [
        OutboxMessage.Status.PENDING,
        OutboxMessage.Status.RETRYING,
        OutboxMessage.Status.DEAD,
    ]
    with transaction.atomic():
        changed = OutboxMessage.objects.filter(pk=message.pk, status__in=allowed).update(
            status=OutboxMessage.Status.CANCELLED
        )
        if not changed:
            raise ValueError("A message that is sent or being sent cannot be cancelled.")
        record(
            "outbox.cancelled",
            obj=message,
            reason=reason,
            before={"status": message.status},
            after={"status": "cancelled"},
        )
