"""What the usage tests share: Trading Grid's usage and acknowledgement answers faked in memory
(with snapshots, to deliver old readings late), and live publications of a small programme."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from integrations.http import NotFound
from portal.models import Community, Partner, Publication, UsageDaily
from tests.release_support import canto_asset, community

START = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)


def stamp(moment: datetime | None) -> str | None:
    """RFC 3339 in whole seconds, as Trading Grid writes it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


class FakeUsage:
    """The usage and acknowledgements Trading Grid holds, changed by partners' actions."""

    def __init__(self, now: datetime = START):
        self.now = now
        self.counts: dict[str, dict[str, list]] = {}  # publication → partner → [v, d, last_at]
        self.acks: dict[str, dict[str, list]] = {}  # publication → partner → [status, v_at, a_at]
        self.partners: dict[str, dict] = {}  # partners only Trading Grid knows so far
        self.reads = 0

    def publish(self, tg_id: str) -> None:
        self.counts.setdefault(tg_id, {})
        self.acks.setdefault(tg_id, {})

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def act(self, tg_id: str, partner: str, kind: str) -> None:
        """A partner's view, download, acknowledgement or decline, at ``now``."""
        ack = self.acks[tg_id].setdefault(partner, ["pending", None, None])
        if kind in ("view", "download"):
            counts = self.counts[tg_id].setdefault(partner, [0, 0, None])
            counts[0 if kind == "view" else 1] += 1
            counts[2] = self.now
        if kind == "view" and ack[1] is None:
            ack[1] = self.now
            ack[0] = "viewed" if ack[0] == "pending" else ack[0]
        if kind in ("acknowledge", "decline"):
            ack[0] = "acknowledged" if kind == "acknowledge" else "declined"
            ack[2] = self.now
            ack[1] = ack[1] or self.now

    def reset(self, tg_id: str, partner: str, views: int, downloads: int) -> None:
        """Trading Grid's counts of a partner set back (then stamped now)."""
        self.counts[tg_id][partner] = [views, downloads, self.now]

    def snapshot(self) -> FakeUsage:
        """What a read started now answers, whenever it is applied."""
        return copy.deepcopy(self)

    # The client's methods -------------------------------------------------------------------
    def usage(self, tg_id: str) -> dict:
        self.reads += 1
        if tg_id not in self.counts:
            raise NotFound("Trading Grid refused the request", status=404)
        lines = [
            {"partner_id": p, "views": v, "downloads": d, "last_at": stamp(at)}
            for p, (v, d, at) in sorted(self.counts[tg_id].items())
        ]
        return {
            "publication_id": tg_id,
            "views": sum(line["views"] for line in lines),
            "downloads": sum(line["downloads"] for line in lines),
            "by_partner": lines,
        }

    def acknowledgements(self, tg_id: str):
        if tg_id not in self.acks:
            raise NotFound("Trading Grid refused the request", status=404)
        return iter(
            [
                {
                    "publication_id": tg_id,
                    "partner_id": p,
                    "contact_id": None,
                    "status": status,
                    "viewed_at": stamp(viewed),
                    "acknowledged_at": stamp(acknowledged),
                    "comment": "",
                }
                for p, (status, viewed, acknowledged) in sorted(self.acks[tg_id].items())
            ]
        )

    def partner(self, partner_id: str) -> dict | None:
        return self.partners.get(partner_id)

    def community(self, community_id: str) -> dict | None:
        return None

    def contacts(self, partner_id: str):
        return iter([])

    # What Trading Grid says the totals are ------------------------------------------------------
    def totals(self, tg_id: str, partner: str) -> tuple[int, int, int]:
        views, downloads, _ = self.counts.get(tg_id, {}).get(partner, [0, 0, None])
        status = self.acks.get(tg_id, {}).get(partner, [""])[0]
        return views, downloads, int(status == "acknowledged")


def partner(tg_id: str, name: str, *communities: Community) -> Partner:
    found = Partner.objects.create(tg_id=tg_id, company_name=name, status="active")
    for each in communities:
        found.memberships.create(community=each, active=True)
    return found


def live(asset, community_: Community, tg_id: str, version_no: int | None = None) -> Publication:
    """A publication partners see, as publishing leaves it."""
    return Publication.objects.create(
        asset=asset,
        community=community_,
        version_no=version_no or asset.version_no,
        md5=asset.md5,
        title=asset.name,
        external_ref=f"usage-{tg_id}",
        tg_id=tg_id,
        state=Publication.State.LIVE,
    )


def small_programme():
    """Two communities, three partners, two assets published in both communities."""
    emea = community("com_emea", "EMEA distributors", "EMEA")
    apac = community("com_apac", "APAC resellers", "APAC")
    partners = [
        partner("par_a", "Acme Pumps", emea),
        partner("par_b", "Bolt Valves", emea, apac),
        partner("par_c", "Cobalt Trading", apac),
    ]
    assets = [canto_asset("Pump X200 brochure.pdf"), canto_asset("Valve V3 datasheet.pdf")]
    publications = [
        live(asset, each, f"pub_{asset.pk}_{each.tg_id}")
        for asset in assets
        for each in (emea, apac)
    ]
    return [emea, apac], partners, assets, publications


def stored(publication: Publication, partner_tg_id: str) -> tuple[int, int, int]:
    """What the daily rows hold for a publication's asset version, community and partner."""
    rows = UsageDaily.objects.filter(
        asset=publication.asset,
        version_no=publication.version_no,
        community=publication.community,
        partner__tg_id=partner_tg_id,
    )
    return (
        sum(r.views for r in rows),
        sum(r.downloads for r in rows),
        sum(r.acknowledgements for r in rows),
    )
