"""What Trading Grid shows about one publication's usage, per partner, read tolerantly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from integrations.http import NotFound

ACK_RANK = {"": 0, "pending": 0, "expired": 0, "viewed": 1, "acknowledged": 2, "declined": 2}


@dataclass
class Reading:
    """One partner's line: counts (``None`` when the usage answer does not list the partner)
    and the acknowledgement row (``ack_status`` "" when there is none)."""

    partner_id: str
    views: int | None = None
    downloads: int | None = None
    last_at: datetime | None = None
    ack_status: str = ""
    viewed_at: datetime | None = None
    acknowledged_at: datetime | None = None

    @property
    def worth_keeping(self) -> bool:
        """Whether the partner did anything at all (the audience's pending rows did not)."""
        return bool(self.views or self.downloads or ACK_RANK.get(self.ack_status, 0))

    @property
    def ack_stamp(self) -> datetime | None:
        return self.acknowledged_at or self.viewed_at


def moment(value: Any) -> datetime | None:
    """An RFC 3339 timestamp; one without an offset is taken as UTC."""
    try:
        found = parse_datetime(value) if isinstance(value, str) and value else None
    except ValueError:
        return None
    if found is not None and found.tzinfo is None:
        found = found.replace(tzinfo=UTC)
    return found


def count(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return max(0, number)


def read(tg_id: str, client) -> dict[str, Reading] | None:
    """Every partner's reading of a Trading Grid publication; None when Trading Grid has no
    such publication. Only HTTP here: nothing is locked while Trading Grid answers."""
    try:
        usage = client.usage(tg_id)
        acknowledgements = list(client.acknowledgements(tg_id))
    except NotFound:
        return None
    readings: dict[str, Reading] = {}
    for line in usage.get("by_partner") or []:
        if not isinstance(line, dict) or not line.get("partner_id"):
            continue
        partner_id = str(line["partner_id"])[:64]
        reading = readings.setdefault(partner_id, Reading(partner_id))
        reading.views = count(line.get("views"))
        reading.downloads = count(line.get("downloads"))
        reading.last_at = moment(line.get("last_at"))
    for row in acknowledgements:
        if not isinstance(row, dict) or not row.get("partner_id"):
            continue
        partner_id = str(row["partner_id"])[:64]
        reading = readings.setdefault(partner_id, Reading(partner_id))
        status = str(row.get("status") or "")
        reading.ack_status = status if status in ACK_RANK else ""
        reading.viewed_at = moment(row.get("viewed_at"))
        reading.acknowledged_at = moment(row.get("acknowledged_at"))
    return readings
