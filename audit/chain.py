"""Canonical serialisation and hashing of audit events."""

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

HASHED_FIELDS = (
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
)


def normalise_json(value: Any) -> Any:
    """What a JSON column will give back: dates as strings, tuples as lists, and so on."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _microseconds(value: datetime) -> int:
    """Exact, time-zone independent integer form of a timestamp."""
    return (value - _EPOCH) // timedelta(microseconds=1)


def canonical(fields: dict[str, Any]) -> bytes:
    data = {name: fields.get(name) for name in HASHED_FIELDS}
    if isinstance(data["time"], datetime):
        data["time"] = _microseconds(data["time"])
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    ).encode()


def event_hash(fields: dict[str, Any], prev_hash: str) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode())
    digest.update(b"\n")
    digest.update(canonical(fields))
    return digest.hexdigest()
