"""Scenario 5, PostgreSQL connections dropped mid-transaction: while ``size`` publications go
out through the outbox and ``size`` events come in, the server side of every connection the
worker, beat and web processes hold is terminated (``pg_terminate_backend``) again and again,
at random moments of their transactions.

Then the fault stops and everything must converge, with nothing half-written: every message
marked sent has its publication live under the Trading Grid id it got, the release is
published, every event's effect is in once, no inbox row or outbox message is left behind.
"""

from __future__ import annotations

import random
import threading
import time

from django.conf import settings
from django.db import connection, connections
from django.db.models import Max
from django_celery_beat.models import PeriodicTask

from audit.models import AuditEvent
from benchmarks.chaos.events import effects, outbound_and_events_row, post, prepare
from benchmarks.chaos.report import Row
from benchmarks.chaos.workload import Outbound, environment, wait_for
from integrations.models import OutboxMessage
from portal.models import Publication, Release

TERMINATE = """
SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> ALL(%s)
  AND backend_type = 'client backend'
"""


class Dropper(threading.Thread):
    """Terminates the other processes' connections every 0.1 to 0.5 s until stopped."""

    def __init__(self, spared: list[int]):
        super().__init__(daemon=True)
        self.spared = spared
        self.rounds = 0
        self.terminated = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        pace = random.Random(5)
        try:
            while not self.stopping.wait(pace.uniform(0.1, 0.5)):
                with connection.cursor() as cursor:
                    cursor.execute(TERMINATE, [self.spared])
                    self.terminated += cursor.fetchone()[0]
                self.rounds += 1
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=30)


def half_written(outbound: Outbound) -> list[str]:
    """Messages sent whose publication does not say so, and releases left on the way."""
    found = []
    for message in outbound.messages().filter(status=OutboxMessage.Status.SENT):
        publication = Publication.objects.filter(pk=message.object_id).first()
        tg_id = str((message.result or {}).get("id", ""))
        if publication is None or publication.state != Publication.State.LIVE:
            found.append(f"message {message.pk} sent, publication {message.object_id} not live")
        elif publication.tg_id != tg_id:
            found.append(f"publication {publication.pk} shows {publication.tg_id}, sent {tg_id}")
    state = outbound.release_state()
    if state != Release.State.PUBLISHED:
        found.append(f"release {outbound.release.pk} is {state}")
    return found


def run(stack, size: int) -> Row:
    outbound = Outbound(stack, size, name="Chaos: connections dropped")
    exclude = outbound.release.items.values_list("asset_id", flat=True)
    events = prepare(stack, size, mirror=False, exclude=exclude)
    since = AuditEvent.objects.aggregate(last=Max("seq"))["last"] or 0
    stack.web()
    stack.workers(1, concurrency=4)
    # Canto does not resend a webhook answered 500: the incremental sync is its backstop, run
    # every minute here instead of every five.
    with environment(CANTO_INCREMENTAL_EVERY_MINUTES="1"):
        stack.beat()
    # Beat writes its schedule at start, and an entry it fails to write then is left out until
    # it restarts (django-celery-beat logs "Cannot add entry"): the fault starts afterwards.
    names = list(settings.CELERY_BEAT_SCHEDULE)
    if not wait_for(lambda: PeriodicTask.objects.filter(name__in=names).count() == len(names), 60):
        raise RuntimeError("beat did not write its schedule")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        mine = cursor.fetchone()[0]

    dropper = Dropper([mine])
    started = time.monotonic()
    dropper.start()
    try:
        outbound.approve()
        deliveries = post(events)
        # Dropping goes on until all the work has been done once (or a minute has passed).
        wait_for(lambda: outbound.settled() and effects(events, since).unfinished == 0, 60, 0.5)
    finally:
        dropper.stop()
    dropped_for = time.monotonic() - started
    timeout = 600 + 2 * size

    def converged() -> bool:
        found = effects(events, since)
        return outbound.converged() and found.unfinished == 0 and found.missing == 0

    done = wait_for(converged, timeout, 1.0)
    wait_for(lambda: outbound.release_state() == Release.State.PUBLISHED, 60, 0.5)
    seconds = time.monotonic() - started
    out = outbound.counts()
    found = effects(events, since)
    broken = half_written(outbound)
    problems = []
    if not done:
        problems.append(f"not converged within {timeout} s: outbound {out}, inbound {found}")
    if broken:
        problems.append(f"half-written: {len(broken)}: {broken[:3]}")
    note = (
        f"{out['sent']} publications + {len(events)} events; {dropper.terminated}"
        f" connections terminated in {dropper.rounds} rounds over {dropped_for:.0f} s;"
        f" answers to the event senders {dict(deliveries.answers)} (Canto does not resend:"
        " the incremental sync is its backstop)"
    )
    return outbound_and_events_row(out, found, events, seconds, note, problems)
