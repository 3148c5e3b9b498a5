"""One row per fault scenario, printed as one table and kept as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Row:
    scenario: str
    sent: int
    delivered: int
    duplicated: int
    lost: int
    dead: int
    seconds: float
    note: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        """Nothing duplicated, lost or given up on: none of these faults may dead-letter."""
        return not self.error and self.duplicated == self.lost == self.dead == 0


COLUMNS = ("scenario", "sent", "delivered", "duplicated", "lost", "dead", "converged in", "ok")


def print_table(rows: list[Row]) -> None:
    cells = [
        (
            row.scenario,
            str(row.sent),
            str(row.delivered),
            str(row.duplicated),
            str(row.lost),
            str(row.dead),
            f"{row.seconds:.1f} s",
            "yes" if row.ok else "NO",
        )
        for row in rows
    ]
    widths = [max(len(c[i]) for c in [COLUMNS, *cells]) for i in range(len(COLUMNS))]

    def line(values) -> str:
        rest = zip(values[1:], widths[1:], strict=True)
        return "  ".join([values[0].ljust(widths[0]), *(v.rjust(w) for v, w in rest)])

    print(line(COLUMNS))
    print(line(["-" * w for w in widths]))
    for row, values in zip(rows, cells, strict=True):
        print(line(values))
        for text in (row.note, row.error):
            if text:
                print(" " * 4 + text)


def save(rows: list[Row], path: Path, machine: dict) -> None:
    data = {"machine": machine, "rows": [asdict(row) | {"ok": row.ok} for row in rows]}
    path.write_text(json.dumps(data, indent=2))
