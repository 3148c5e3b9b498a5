"""The audit trail: recording, append-only, tamper detection and concurrent writers."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from audit import registry
from audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from audit.services import record, verify
from portal.context import Actor
from tests.processes import ROOT, child_env

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
TRIGGER = "audit_event_append_only"


def _events(count: int) -> list[AuditEvent]:
    return [
        record(
            "audit.exported",
            object_type="auth.user",
            object_id=str(i),
            object_label=f"user {i}",
            after={"n": i},
            actor=Actor("user", "ada", 1),
        )
        for i in range(count)
    ]


def _raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        if ON_POSTGRES:
            cursor.execute(f"ALTER TABLE audit_auditevent DISABLE TRIGGER {TRIGGER}")
        cursor.execute(sql, params)
        if ON_POSTGRES:
            cursor.execute(f"ALTER TABLE audit_auditevent ENABLE TRIGGER {TRIGGER}")


@pytest.mark.django_db
def test_record_chains_each_event_to_the_previous_one():
    first, second = _events(2)
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == "" and second.prev_hash == first.hash
    assert len(second.hash) == 64
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (2, second.hash)
    assert verify().intact and verify().verified == 2


@pytest.mark.django_db
def test_record_keeps_actor_object_and_before_after_as_given():
    event = record(
        "admin.changed",
        object_type="auth.group",
        object_id="7",
        object_label="Auditors",
        before={"name": "Audit"},
        after={"name": "Auditors"},
        reason="typo",
        actor=Actor("user", "ada", 42),
    )
    event.refresh_from_db()
    assert (event.actor_type, event.actor_name, event.actor_id) == ("user", "ada", 42)
    assert event.label == "Changed in the admin site"
    assert event.changes() == [
        {"field": "name", "before": "Audit", "after": "Auditors", "changed": True}
    ]


@pytest.mark.django_db
def test_unregistered_action_is_refused():
    with pytest.raises(registry.UnknownAuditAction):
        record("release.teleported")
    assert not AuditEvent.objects.exists()


def test_action_names_must_be_namespaced_and_labels_stable():
    with pytest.raises(ValueError, match="namespaced"):
        registry.register("approve", "Approved")
    with pytest.raises(ValueError, match="already registered"):
        registry.register("auth.login", "Logged on")
    assert ("auth.login", "Signed in") in registry.choices()


@pytest.mark.django_db
def test_events_cannot_be_changed_or_deleted_through_the_orm():
    (event,) = _events(1)
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().reason == ""


if ON_POSTGRES:

    @pytest.mark.django_db
    def test_postgres_trigger_refuses_raw_update_and_delete():
        from django.db import InternalError, ProgrammingError, transaction

        (event,) = _events(1)
        for sql in (
            "UPDATE audit_auditevent SET reason = 'x' WHERE id = %s",
            "DELETE FROM audit_auditevent WHERE id = %s",
        ):
            with (
                pytest.raises((InternalError, ProgrammingError), match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [event.pk])
        assert AuditEvent.objects.filter(pk=event.pk, reason="").exists()


@pytest.mark.django_db
def test_verify_audit_reports_the_intact_chain(capsys):
    _events(5)
    call_command("verify_audit")
    assert "Audit trail intact: 5 events verified" in capsys.readouterr().out


@pytest.mark.django_db
def test_raw_update_is_found_at_its_sequence_number():
    _events(5)
    _raw("UPDATE audit_auditevent SET reason = 'quietly changed' WHERE seq = 3")
    with pytest.raises(CommandError, match=r"broken at sequence #3: event #3 was altered"):
        call_command("verify_audit")


@pytest.mark.django_db
def test_raw_delete_is_found_at_its_sequence_number():
    _events(5)
    _raw("DELETE FROM audit_auditevent WHERE seq = 2")
    with pytest.raises(CommandError, match=r"broken at sequence #2: event #2 is missing"):
        call_command("verify_audit")


@pytest.mark.django_db
def test_removing_the_newest_events_is_found():
    _events(5)
    _raw("DELETE FROM audit_auditevent WHERE seq >= 4")
    with pytest.raises(CommandError, match=r"broken at sequence #4"):
        call_command("verify_audit")


@pytest.mark.django_db
def test_rewriting_a_row_with_a_recomputed_hash_breaks_the_next_link():
    from audit.chain import event_hash
    from audit.services import _VERIFY_COLUMNS

    events = _events(4)
    row = dict(
        zip(
            _VERIFY_COLUMNS,
            AuditEvent.objects.filter(seq=2).values_list(*_VERIFY_COLUMNS).get(),
            strict=True,
        )
    )
    row["reason"] = "rewritten, with a hash to match"
    forged = event_hash(row, row["prev_hash"])
    _raw(
        "UPDATE audit_auditevent SET reason = %s, hash = %s WHERE seq = 2", [row["reason"], forged]
    )
    result = verify()
    assert not result.intact and result.first_bad_seq == events[2].seq == 3
    assert result.problem == "event #3 does not link to #2"


WRITER = """
import django
django.setup()
from audit import registry
from audit.services import record
from portal.context import Actor
registry.register("test.concurrent", "Concurrent write")
for i in range({count}):
    record("test.concurrent", object_id=str(i), actor=Actor("system", "writer-{n}"))
"""


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_in_several_processes_leave_a_valid_chain():
    writers, per_writer = 4, 25
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER.format(count=per_writer, n=n)],
            cwd=ROOT,
            env=child_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(writers)
    ]
    for process in processes:
        _, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
    result = verify()
    assert result.intact, result.problem
    assert result.verified == writers * per_writer
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, writers * per_writer + 1))
    assert {n for n in AuditEvent.objects.values_list("actor_name", flat=True)} == {
        f"writer-{n}" for n in range(writers)
    }


@pytest.mark.django_db(transaction=True)
def test_verifying_while_another_process_appends_finds_no_tampering():
    _events(3)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER.format(count=150, n=9)],
        cwd=ROOT,
        env=child_env(),
        stderr=subprocess.PIPE,
        text=True,
    )
    results = []
    while writer.poll() is None:
        results.append(verify())
    _, err = writer.communicate(timeout=180)
    assert writer.returncode == 0, err
    results.append(verify())
    assert all(r.intact for r in results), [r.problem for r in results if not r.intact]
    assert len(results) > 1 and results[-1].verified == 153
