"""The durable inbox: every received webhook is stored first, answered at once, and processed
by a worker. Copies of an event that is still waiting are stored once."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from integrations.models import InboxEvent
from integrations.reconnect import once_more_if_disconnected

log = logging.getLogger(__name__)
Handler = Callable[[InboxEvent], str]
MAX_ATTEMPTS = 8
_handlers: dict[str, Handler] = {}


def register_handler(source: str, handler: Handler) -> None:
    _handlers[source] = handler


def fingerprint(source: str, event_type: str, key: str) -> str:
    return hashlib.sha256(f"{source}\n{event_type}\n{key}".encode()).hexdigest()


def accept(
    *,
    source: str,
    event_type: str,
    body: str,
    key: str,
    headers: dict,
    remote_ip: str | None,
    dedup_seconds: int | None = None,
) -> tuple[InboxEvent, bool]:
    """Store an accepted event; returns (event, created).

    With ``dedup_seconds``, a copy of an event that is still waiting (not yet picked up by a
    worker) within that window is merged into it; once work on it has started, the same body
    is a new event (Canto's webhooks say which asset changed, not what, so a later identical
    hint may mean a later change). Without it, ``key`` is a unique event id: any earlier
    copy, whatever its state, makes this one a duplicate.

    A database connection lost on the way is replaced once before the sender is answered
    with an error: Canto does not send a webhook again.
    """
    args = (source, event_type, body, key, headers, remote_ip, dedup_seconds)
    return once_more_if_disconnected(_store, *args)


def _store(source, event_type, body, key, headers, remote_ip, dedup_seconds):
    print_ = fingerprint(source, event_type, key)
    earlier_events = InboxEvent.objects.select_for_update().filter(fingerprint=print_)
    if dedup_seconds is not None:
        window_start = timezone.now() - timedelta(seconds=dedup_seconds)
        earlier_events = earlier_events.filter(
            received_at__gte=window_start, status=InboxEvent.Status.PENDING
        )
    else:
        earlier_events = earlier_events.exclude(status=InboxEvent.Status.REJECTED)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two copies arriving at once: the second waits here and then finds the first.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(print_[:15], 16)])
        earlier = earlier_events.first()
        if earlier is not None:
            return earlier, False
        event = InboxEvent.objects.create(
            source=source,
            event_type=event_type[:64],
            fingerprint=print_,
            body=body,
            headers=headers,
            remote_ip=remote_ip,
        )
    from integrations.tasks import process_inbox_event
    from portal.jobs import enqueue

    enqueue(process_inbox_event, event.pk)
    return event, True


def reject(
    *, source: str, event_type: str, body: str, headers: dict, remote_ip: str | None, error: str
) -> InboxEvent:
    """Keep a refused delivery for inspection (bodies are cut to a few kilobytes; NUL
    characters, which some databases refuse in text, are dropped)."""
    return InboxEvent.objects.create(
        source=source,
        event_type=_printable(event_type)[:64],
        fingerprint=fingerprint(source, event_type, body),
        status=InboxEvent.Status.REJECTED,
        body=_printable(body[:4096]),
        headers={k: _printable(str(v)) for k, v in headers.items()},
        remote_ip=remote_ip,
        error=_printable(error)[:2000],
    )


def _printable(text: str) -> str:
    return text.replace("\x00", "")


def process(event_id: int) -> str:
    """Run the handler of one waiting event; it ends processed, or failed with the error."""
    with transaction.atomic():
        event = (
            InboxEvent.objects.select_for_update()
            .filter(pk=event_id, status__in=[InboxEvent.Status.PENDING, InboxEvent.Status.FAILED])
            .first()
        )
        if event is None:
            return "already processed or in progress"
        # Claimed under the row lock: a second worker given the same event finds it taken.
        InboxEvent.objects.filter(pk=event.pk).update(
            attempts=event.attempts + 1,
            status=InboxEvent.Status.PROCESSING,
            claimed_at=timezone.now(),
        )
    handler = _handlers.get(event.source)
    if handler is None:
        outcome, status = f"no handler for {event.source}", InboxEvent.Status.FAILED
    else:
        try:
            outcome, status = handler(event), InboxEvent.Status.PROCESSED
        except Exception as exc:
            _record(
                event.pk,
                status=InboxEvent.Status.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:2000],
            )
            raise
    _record(
        event.pk,
        status=status,
        processed_at=timezone.now(),
        error="" if status == InboxEvent.Status.PROCESSED else outcome,
    )
    return outcome


def _record(event_id: int, **values) -> None:
    """Write an event's outcome; when the database connection was lost during the work,
    once more on a new one, so that the event is not left looking claimed for the sweep's
    twenty minutes (a failed one is retried by its task at once)."""
    once_more_if_disconnected(lambda: InboxEvent.objects.filter(pk=event_id).update(**values))


def stalled(older_than: timedelta, limit: int = 500) -> list[int]:
    """Events that should be running but are not: never picked up (the broker was down when
    they arrived) or claimed by a worker that died."""
    now = timezone.now()
    waiting = InboxEvent.objects.filter(
        status=InboxEvent.Status.PENDING, received_at__lt=now - older_than
    )
    abandoned = InboxEvent.objects.filter(
        status=InboxEvent.Status.PROCESSING, claimed_at__lt=now - 10 * older_than
    )
    failed = InboxEvent.objects.filter(
        status=InboxEvent.Status.FAILED,
        attempts__lt=MAX_ATTEMPTS,
        claimed_at__lt=now - 5 * older_than,
    )
    ids = list(waiting.values_list("pk", flat=True)[:limit])
    ids += list(failed.values_list("pk", flat=True)[:limit])
    stuck = list(abandoned.values_list("pk", flat=True)[:limit])
    if stuck:
        InboxEvent.objects.filter(pk__in=stuck, status=InboxEvent.Status.PROCESSING).update(
            status=InboxEvent.Status.PENDING
        )
    return ids + stuck
