"""The outbox delivering writes to the Trading Grid sandbox: never from a rolled-back decision,
each message once, throttling and failures honoured, dead messages replayable."""

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from integrations import outbox
from integrations.models import OutboxMessage
from tests.processes import ROOT, child_env
from tests.test_tradinggrid_client import _publication


def _community(tradinggrid) -> str:
    from integrations.tradinggrid.client import TradingGridClient

    return next(iter(TradingGridClient.from_settings().communities()))["id"]


def _owe(community: str, **changes) -> OutboxMessage:
    return outbox.add(
        "tradinggrid.publish", {"community_id": community, "publication": _publication(**changes)}
    )


def _published(tradinggrid, community) -> list:
    return tradinggrid.control("GET", f"publications?community_id={community}")


@pytest.mark.django_db
def test_a_message_of_a_rolled_back_decision_is_never_sent(tradinggrid):
    community = _community(tradinggrid)
    with pytest.raises(RuntimeError), transaction.atomic():
        _owe(community)
        raise RuntimeError("the decision failed")
    assert not OutboxMessage.objects.exists()
    assert outbox.relay() == {}
    assert _published(tradinggrid, community) == []


@pytest.mark.django_db
def test_relay_delivers_with_the_idempotency_key_and_stores_the_result(tradinggrid):
    community = _community(tradinggrid)
    message = _owe(community)
    assert outbox.relay() == {"sent": 1}
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 1 and message.sent_at
    published = _published(tradinggrid, community)
    assert [p["id"] for p in published] == [message.result["id"]]


@pytest.mark.django_db
def test_throttling_sets_the_next_attempt_from_retry_after(tradinggrid):
    community = _community(tradinggrid)
    message = _owe(community)
    tradinggrid.faults(
        script=[{"status": 429, "retry_after": "120", "path_prefix": "/ac/v1/communities/"}]
    )
    before = timezone.now()
    assert outbox.relay() == {"retrying": 1}
    message.refresh_from_db()
    assert message.status == "retrying" and message.last_status == 429
    assert message.next_attempt_at >= before + timedelta(seconds=119)
    assert outbox.relay() == {}  # not due yet: nothing is sent early


@pytest.mark.django_db
def test_a_permanent_refusal_goes_dead_after_the_configured_attempts(tradinggrid, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    community = _community(tradinggrid)
    message = _owe(community, title="", files=[])
    tradinggrid.clear_stats()
    for _ in range(5):
        OutboxMessage.objects.filter(pk=message.pk, status="retrying").update(
            next_attempt_at=timezone.now()
        )
        outbox.relay()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_status) == ("dead", 3, 422)
    assert tradinggrid.stats()["POST /ac/v1/communities/{id}/publications"] == 3
    assert AuditEvent.objects.filter(action="outbox.dead", object_id=str(message.pk)).exists()


@pytest.mark.django_db
def test_a_dead_message_can_be_replayed(tradinggrid, settings, manager):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    settings.TRADINGGRID_MAX_ATTEMPTS = 1
    community = _community(tradinggrid)
    message = _owe(community)
    tradinggrid.faults(script=[{"status": 503, "path_prefix": "/ac/v1/communities/"}])
    outbox.relay()
    message.refresh_from_db()
    assert message.status == "dead"
    outbox.retry(message, reason="Trading Grid is back")
    assert outbox.relay() == {"sent": 1}
    assert len(_published(tradinggrid, community)) == 1
    assert AuditEvent.objects.filter(
        action="outbox.retried", reason="Trading Grid is back"
    ).exists()


@pytest.mark.django_db
def test_cancel_needs_a_reason_and_a_sent_message_cannot_be_cancelled(tradinggrid):
    community = _community(tradinggrid)
    message = _owe(community)
    with pytest.raises(ValueError, match="Say why"):
        outbox.cancel(message, reason=" ")
    outbox.relay()
    message.refresh_from_db()
    with pytest.raises(ValueError, match="cannot be cancelled"):
        outbox.cancel(message, reason="too late")


RELAY = """
import json
import django
django.setup()
from integrations import outbox
print(json.dumps(outbox.relay()))
"""


@pytest.mark.django_db(transaction=True)
def test_two_relays_at_once_send_each_message_exactly_once(tradinggrid):
    community = _community(tradinggrid)
    messages = [_owe(community, external_ref=f"asset:{n}") for n in range(30)]
    tradinggrid.faults(latency_ms=50)
    tradinggrid.clear_stats()
    # Small batches, so that the two relays' claims interleave.
    relays = [
        subprocess.Popen(
            [sys.executable, "-c", RELAY],
            cwd=ROOT,
            env=child_env(OUTBOX_BATCH="3"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    sent = 0
    for relay in relays:
        out, err = relay.communicate(timeout=120)
        assert relay.returncode == 0, err
        sent += json.loads(out.strip().splitlines()[-1]).get("sent", 0)
    assert sent == len(messages)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert OutboxMessage.objects.filter(attempts=1).count() == len(messages)
    assert tradinggrid.stats()["POST /ac/v1/communities/{id}/publications"] == len(messages)
    assert len(_published(tradinggrid, community)) == len(messages)


@pytest.mark.django_db
def test_operations_page_lists_dead_messages_and_admins_retry_them(client, manager, portal_admin):
    from django.urls import reverse

    dead = OutboxMessage.objects.create(
        operation="tradinggrid.publish",
        payload={},
        idempotency_key="k-dead",
        status="dead",
        attempts=8,
        last_status=422,
        last_error="title: required",
        next_attempt_at=timezone.now(),
    )
    client.force_login(manager)
    assert client.get(reverse("operations:outbox")).status_code == 403
    assert (
        client.post(reverse("operations:outbox-action", args=[dead.pk, "retry"])).status_code == 403
    )
    client.force_login(portal_admin)
    page = client.get(reverse("operations:outbox"), {"status": "dead"})
    assert page.status_code == 200 and b"title: required" in page.content
    client.post(reverse("operations:outbox-action", args=[dead.pk, "cancel"]), {"reason": ""})
    dead.refresh_from_db()
    assert dead.status == "dead"  # a cancellation needs a reason
    client.post(reverse("operations:outbox-action", args=[dead.pk, "retry"]))
    dead.refresh_from_db()
    assert dead.status == "pending" and dead.attempts == 0
    assert AuditEvent.objects.filter(action="outbox.retried", actor_name="ada").exists()


@pytest.mark.django_db
def test_a_message_being_sent_cannot_be_cancelled_or_retried(tradinggrid):
    message = _owe(_community(tradinggrid))
    OutboxMessage.objects.filter(pk=message.pk).update(status="sending", claimed_at=timezone.now())
    with pytest.raises(ValueError, match="cannot be cancelled"):
        outbox.cancel(message, reason="changed my mind")
    with pytest.raises(ValueError, match="can be retried"):
        outbox.retry(message)
    assert OutboxMessage.objects.get(pk=message.pk).status == "sending"


@pytest.mark.django_db
def test_an_operation_failing_outside_the_http_layer_is_recorded_not_lost(tradinggrid):
    broken = outbox.add("tradinggrid.publish", {"publication": {}})  # no community_id
    assert outbox.relay() == {"retrying": 1}
    broken.refresh_from_db()
    assert broken.status == "retrying" and "KeyError" in broken.last_error
    assert broken.attempts == 1 and broken.claimed_at is None


@pytest.mark.django_db
def test_a_backlog_larger_than_a_batch_asks_idle_workers_for_more_relays(tradinggrid, settings):
    from integrations.tasks import relay_outbox
    from portal.models import JobRun

    settings.OUTBOX_BATCH = 2
    settings.OUTBOX_RELAYS = 3
    community = _community(tradinggrid)
    messages = [_owe(community, title=f"Sheet {n}") for n in range(5)]
    assert relay_outbox() == {"sent": 5}
    sent = OutboxMessage.objects.filter(pk__in=[m.pk for m in messages], status="sent")
    assert sent.count() == 5
    # One more relay was asked to join, as the second of at most three.
    asked = JobRun.objects.filter(task_name="integrations.tasks.relay_outbox", state="queued")
    assert list(asked.values_list("arguments", flat=True)) == ["(2,) {}"]
    # The last relay allowed in the chain asks for no other.
    _owe(community, title="Sheet 5"), _owe(community, title="Sheet 6")
    assert relay_outbox(3) == {"sent": 2}
    assert asked.count() == 1


_calls: list[str] = []


def _refused_follow_up(message: OutboxMessage) -> None:
    """What Django raises when PostgreSQL chose this transaction as a deadlock's victim."""
    from django.db import OperationalError
    from psycopg.errors import DeadlockDetected

    raise OperationalError("deadlock detected") from DeadlockDetected("deadlock detected")


@outbox.operation("tests.write-then-deadlock", on_sent=_refused_follow_up)
def _write_once(payload: dict, key: str) -> dict:
    _calls.append(key)
    return {"id": "written"}


@outbox.operation("tests.always-failing", on_dead=_refused_follow_up)
def _always_failing(payload: dict, key: str) -> dict:
    _calls.append(key)
    raise RuntimeError("refused by the remote system")


@pytest.mark.django_db
def test_a_follow_up_the_database_refuses_leaves_the_write_sent_once():
    """A deadlock is not a lost connection: the write is not repeated, the relay ends, and the
    failed follow-up is on the message for a person to see."""
    _calls.clear()
    message = outbox.add("tests.write-then-deadlock", {})
    assert outbox.relay() == {"sent": 1}
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 1
    assert "updating the portal failed" in message.last_error
    assert _calls == [message.idempotency_key]


@pytest.mark.django_db
def test_a_dead_letter_is_audited_even_when_its_follow_up_fails(settings):
    _calls.clear()
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = outbox.add("tests.always-failing", {})
    assert outbox.relay() == {"dead": 1}
    message.refresh_from_db()
    assert message.status == "dead" and "refused by the remote system" in message.last_error
    dead = AuditEvent.objects.filter(action="outbox.dead", object_id=str(message.pk))
    assert dead.count() == 1
    assert _calls == [message.idempotency_key]
