"""What every builder shares: the run (its random generators, id prefix and clock) and the
references to the objects created so far, which later parts point at."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice

from django.db import connection, models
from django.utils import timezone

YEARS = 3
SPAN = timedelta(days=365 * YEARS)
BATCH = 5000


@dataclass(frozen=True)
class Ref:
    """An object later parts point at: its primary key and what ``str()`` gives."""

    pk: int
    label: str


@dataclass
class Run:
    seed: int
    prefix: str
    now: datetime
    users: dict[str, object] = field(default_factory=dict)
    communities: list[Ref] = field(default_factory=list)
    community_regions: dict[int, str] = field(default_factory=dict)
    partners: list[Ref] = field(default_factory=list)
    partner_communities: dict[int, list[int]] = field(default_factory=dict)
    assets: list[Ref] = field(default_factory=list)
    # (pk, version_no, md5) of assets a release may carry: approved, present, not expiring.
    releasable: list[tuple[int, int, str]] = field(default_factory=list)
    releases: list[Ref] = field(default_factory=list)
    publications: list[Ref] = field(default_factory=list)
    requests: list[Ref] = field(default_factory=list)

    @classmethod
    def start(cls, seed: int) -> Run:
        """A run whose natural keys (Canto and Trading Grid ids) no earlier run used."""
        now = timezone.now()
        return cls(seed=seed, prefix=f"scale-{uuid.uuid4().hex[:8]}", now=now)

    def rng(self, part: str) -> random.Random:
        """A repeatable generator per part, so one part's size does not change another's data."""
        return random.Random(f"{self.seed}:{part}")  # noqa: S311  (test data, not secrets)

    @property
    def since(self) -> datetime:
        return self.now - SPAN


def hex_digits(rng: random.Random, bits: int) -> str:
    return f"{rng.getrandbits(bits):0{bits // 4}x}"


def moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A random time between ``start`` and ``end``, whole seconds."""
    seconds = max(int((end - start).total_seconds()), 1)
    return start + timedelta(seconds=rng.randrange(seconds))


def batched(items: Iterable, size: int = BATCH) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


@contextmanager
def given_times(model: type[models.Model]) -> Iterator[None]:
    """Keep the creation and change times the builder chose instead of "now".

    ``auto_now``/``auto_now_add`` columns would otherwise stamp every seeded row with the
    moment of seeding, and lists sorted by those columns would show no history.
    """
    fields = [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def insert(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence]) -> int:
    """INSERT plain rows (values in ``names`` order) without the ORM compiling every value.

    For rows whose keys nobody needs back; compiling is most of ``bulk_create``'s cost at
    this size. PostgreSQL receives the rows by COPY; SQLite, in process, runs one prepared
    statement over every row. Values are adapted as the ORM adapts them for JSON and
    date-time columns (``None`` is SQL NULL, as the ORM stores it).
    """
    fields = [model._meta.get_field(name) for name in names]
    ops = connection.ops
    adapters = []
    for f in fields:
        if isinstance(f, models.JSONField):
            adapters.append(lambda v, f=f: ops.adapt_json_value(v, f.encoder))
        elif isinstance(f, models.DateTimeField):
            adapters.append(ops.adapt_datetimefield_value)
        else:
            adapters.append(None)
    params = [
        [
            value if adapt is None or value is None else adapt(value)
            for adapt, value in zip(adapters, row, strict=True)
        ]
        for row in rows
    ]
    if not params:
        return 0
    quote = ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Identifiers come from model metadata, quoted; the values travel as COPY data.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in params:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, params)
    return len(params)


def insert_objects(objs: Sequence[models.Model]) -> int:
    """``insert`` unsaved model instances: every concrete column but the automatic key.

    Times are written as given, so ``auto_now`` columns must be filled in by the builder.
    """
    if not objs:
        return 0
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    return insert(model, names, ([getattr(o, n) for n in names] for o in objs))
