"""One scale seeding: every part in order, each timed, each adding to what is there."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from portal.scale import audit_trail, catalog, people
from portal.scale.base import Run
from portal.scale.partner_requests import partner_requests
from portal.scale.releases import releases


@dataclass(frozen=True)
class Sizes:
    assets: int = 100_000
    audit_events: int = 1_000_000
    requests: int = 10_000
    releases: int = 5_000
    communities: int = 20
    partners: int = 400
    seed: int = 1
    password: str = "scale-password"  # noqa: S105  (the documented benchmark login)


@dataclass
class Part:
    name: str
    counts: dict[str, int]
    seconds: float


@dataclass
class Report:
    prefix: str
    parts: list[Part] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(p.seconds for p in self.parts)


def seed(sizes: Sizes, on_part: Callable[[Part], None] | None = None) -> Report:
    """Create the installation; ``on_part`` hears about each part as it finishes."""
    run = Run.start(sizes.seed)
    report = Report(prefix=run.prefix)

    def timed(name: str, build: Callable[[], dict[str, int]]) -> None:
        started = time.perf_counter()
        counts = build()
        part = Part(name, counts, time.perf_counter() - started)
        report.parts.append(part)
        if on_part is not None:
            on_part(part)

    def versions_and_assets() -> dict[str, int]:
        made, versions = catalog.assets(run, sizes.assets)
        return {"assets": made, "versions": versions}

    timed("users", lambda: {"new users": people.users(run, sizes.password)})
    timed("communities", lambda: {"communities": people.communities(run, sizes.communities)})
    timed("partners", lambda: {"partners": people.partners(run, sizes.partners)})
    timed("catalog", versions_and_assets)
    timed("releases", lambda: releases(run, sizes.releases))
    timed("requests", lambda: {"requests": partner_requests(run, sizes.requests)})
    timed("audit", lambda: {"audit events": audit_trail.events(run, sizes.audit_events)})
    return report
