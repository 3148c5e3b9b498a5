"""Tampering with the stored audit trail (a row changed, removed, moved or forged in) is found
by the verifier at exactly the first sequence number that no longer holds, wherever in a
chain of any length the tampering happens."""

from __future__ import annotations

import secrets
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, models, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from audit.chain import event_hash
from audit.models import AuditChainHead, AuditEvent
from audit.services import _VERIFY_COLUMNS, record_many, verify
from portal.context import Actor

pytestmark = pytest.mark.django_db

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
TRIGGER = "audit_event_append_only"
CONTENT = [c for c in _VERIFY_COLUMNS if c != "seq"]
# A sequence number no chain in these tests reaches: a parking place while two rows swap.
PARKED = 10_000


def _chain(length: int) -> None:
    record_many(
        [
            {
                "action": "admin.changed",
                "object_type": "auth.group",
                "object_id": str(n),
                "object_label": f"group {n}",
                "before": {"name": f"old {n}"},
                "after": {"name": f"new {n}"},
            }
            for n in range(length)
        ],
        actor=Actor("user", "ada", 1),
    )


@contextmanager
def _database_access():
    """Writing to the table as someone with database access would (past the append-only
    trigger on PostgreSQL and the model's refusal, which only guard the ordinary paths)."""
    with connection.cursor() as cursor:
        if ON_POSTGRES:
            cursor.execute(f"ALTER TABLE audit_auditevent DISABLE TRIGGER {TRIGGER}")
        yield
        if ON_POSTGRES:
            cursor.execute(f"ALTER TABLE audit_auditevent ENABLE TRIGGER {TRIGGER}")


def _set(at: int, **values) -> None:
    models.QuerySet.update(AuditEvent.objects.filter(seq=at), **values)


def _remove(seq: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [seq])


def _row(seq: int) -> dict:
    values = AuditEvent.objects.filter(seq=seq).values_list(*_VERIFY_COLUMNS).get()
    return dict(zip(_VERIFY_COLUMNS, values, strict=True))


def _move_head(seq: int, digest: str) -> None:
    AuditChainHead.objects.filter(pk=1).update(seq=seq, hash=digest)


def _forge(genuine: dict, seq: int, prev_hash: str) -> dict:
    """An event that looks genuine: its hash is computed over its own fields and ``prev_hash``."""
    fields = {**genuine, "seq": seq, "action": "admin.deleted", "object_id": "forged"}
    fields["object_label"] = "group nobody removed"
    fields["prev_hash"] = prev_hash
    fields["hash"] = event_hash(fields, prev_hash)
    return fields


def _insert(fields: dict) -> None:
    AuditEvent.objects.bulk_create([AuditEvent(**fields)])


# Each kind of tampering changes the stored chain and returns the first sequence number that
# no longer holds, worked out from the rows it touched.


def update(length: int, data) -> int:
    seq = data.draw(st.integers(1, length), label="changed row")
    column = data.draw(st.sampled_from(["reason", "actor_name", "object_label"]), label="column")
    with _database_access():
        _set(seq, **{column: "quietly changed"})
    return seq


def delete(length: int, data) -> int:
    seq = data.draw(st.integers(1, length), label="deleted row")
    with _database_access():
        _remove(seq)
    return seq


def swap_places(length: int, data) -> int:
    """Two events exchange their sequence numbers: the trail reads in another order."""
    first = data.draw(st.integers(1, length - 1), label="first row")
    second = data.draw(st.integers(first + 1, length), label="second row")
    with _database_access():
        _set(first, seq=PARKED)
        _set(second, seq=first)
        _set(PARKED, seq=second)
    return first


def swap_contents(length: int, data) -> int:
    """Two rows keep their sequence numbers but exchange everything else."""
    first = data.draw(st.integers(1, length - 1), label="first row")
    second = data.draw(st.integers(first + 1, length), label="second row")
    one, other = _row(first), _row(second)
    with _database_access():
        _set(first, hash=secrets.token_hex(32))  # hashes are unique: make room first
        _set(second, **{c: one[c] for c in CONTENT})
        _set(first, **{c: other[c] for c in CONTENT})
    return first


def insert_forged(length: int, data) -> int:
    """A forged event slipped in before row ``at``, linked to the row before it and hashed
    correctly; the later events move up one place and the head follows."""
    at = data.draw(st.integers(1, length), label="forged position")
    before = _row(at - 1)["hash"] if at > 1 else ""
    forged = _forge(_row(at), at, before)
    with _database_access():
        for seq in range(length, at - 1, -1):
            _set(seq, seq=seq + 1)
        _insert(forged)
    _move_head(length + 1, _row(length + 1)["hash"])
    # The forgery itself links and hashes well; the genuine event after it no longer links.
    return at + 1


def append_unlinked(length: int, data) -> int:
    """A forged newest event whose previous hash is not the last event's, head moved to it."""
    linked_to = data.draw(
        st.one_of(st.just(""), st.integers(1, length - 1).map(lambda s: _row(s)["hash"])),
        label="wrong previous hash",
    )
    forged = _forge(_row(length), length + 1, linked_to)
    _insert(forged)
    _move_head(length + 1, forged["hash"])
    return length + 1


def append_beyond_head(length: int, data) -> int:
    """A forged newest event, linked and hashed correctly, with the head left where it was."""
    _insert(_forge(_row(length), length + 1, _row(length)["hash"]))
    return length + 1


KINDS = [
    update,
    delete,
    swap_places,
    swap_contents,
    insert_forged,
    append_unlinked,
    append_beyond_head,
]


@pytest.mark.parametrize("tamper", KINDS, ids=[k.__name__ for k in KINDS])
@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(length=st.integers(2, 12), data=st.data())
def test_tampering_is_found_at_the_first_broken_sequence_number(tamper, length, data):
    with transaction.atomic():
        _chain(length)
        assert verify().intact and verify().verified == length
        broken_at = tamper(length, data)
        result = verify()
        assert not result.intact
        assert result.first_bad_seq == broken_at, result.problem
        assert result.verified == broken_at - 1
        with pytest.raises(CommandError, match=rf"broken at sequence #{broken_at}:"):
            call_command("verify_audit")
        transaction.set_rollback(True)
