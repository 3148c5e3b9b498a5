"""Usage ingestion is exact: whatever order, however often and however late Trading Grid's
answers are applied, the daily rows add up to Trading Grid's totals, each interaction on the
day it happened when read in time, and each real change is audited once."""

from __future__ import annotations

import json
import random

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from integrations.models import InboxEvent
from integrations.tradinggrid import webhooks
from integrations.tradinggrid.client import TradingGridClient
from portal.models import AssetUsage, Partner, Publication, UsageDaily, UsageTotal
from portal.usage.ingest import ingest, poll
from tests.usage_support import FakeUsage, live, small_programme, stored

pytestmark = pytest.mark.django_db
KINDS = ["view", "download", "acknowledge", "decline"]


def _recorded() -> int:
    return AuditEvent.objects.filter(action="usage.recorded").count()


@pytest.fixture
def programme(db):
    communities, partners, assets, publications = small_programme()
    tg = FakeUsage()
    for pub in publications:
        tg.publish(pub.tg_id)
    return communities, partners, assets, publications, tg


def _audience(pub: Publication) -> list[str]:
    return sorted(
        Partner.objects.filter(memberships__community=pub.community).values_list("tg_id", flat=True)
    )


steps = st.lists(
    st.tuples(
        st.integers(0, 3),  # publication
        st.integers(0, 1),  # partner of its community
        st.sampled_from(KINDS),
        st.integers(0, 600),  # minutes since the step before (days go by)
    ),
    max_size=25,
)


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps, copies=st.lists(st.integers(1, 3), min_size=25, max_size=25), seed=st.randoms())
def test_daily_rows_add_up_to_tradinggrid_over_duplicated_and_out_of_order_readings(
    programme, steps, copies, seed
):
    _, _, _, publications, _ = programme
    with transaction.atomic():
        tg = FakeUsage()
        for pub in publications:
            tg.publish(pub.tg_id)
        readings = []  # (publication, what a read started right after the step answers)
        for (p, who, kind, minutes), n in zip(steps, copies, strict=False):
            pub = publications[p]
            partner = _audience(pub)[who % len(_audience(pub))]
            status = tg.acks[pub.tg_id].get(partner, [""])[0]
            if kind == "decline" and status == "acknowledged":
                kind = "view"  # an acknowledgement stays given
            tg.advance(minutes=minutes)
            tg.act(pub.tg_id, partner, kind)
            readings += [(pub, tg.snapshot())] * n  # the event, delivered at least once
        seed.shuffle(readings)
        for pub, reading in readings:
            ingest(pub.tg_id, reading)
        for pub in publications:  # beat's backstop reads the present once more
            ingest(pub.tg_id, tg)
        audited = _recorded()
        for pub in publications:
            ingest(pub.tg_id, tg)
        assert _recorded() == audited  # nothing new, nothing recorded

        for pub in publications:
            for partner in _audience(pub):
                assert stored(pub, partner) == tg.totals(pub.tg_id, partner), (pub.tg_id, partner)
        assert UsageDaily.objects.filter(views=0, downloads=0, acknowledgements=0).count() == 0
        transaction.set_rollback(True)


def test_each_interaction_counts_on_its_own_day_when_read_in_time(programme):
    _, _, _, publications, tg = programme
    pub = publications[0]
    tg.act(pub.tg_id, "par_a", "view")  # 1 March, 20:00 UTC
    ingest(pub.tg_id, tg)
    tg.advance(hours=5)
    tg.act(pub.tg_id, "par_a", "download")  # 2 March, 01:00 UTC
    tg.act(pub.tg_id, "par_a", "download")
    ingest(pub.tg_id, tg)
    tg.advance(days=2)
    tg.act(pub.tg_id, "par_a", "acknowledge")  # 4 March
    ingest(pub.tg_id, tg)
    ingest(pub.tg_id, tg.snapshot())

    rows = {
        r.day.isoformat(): (r.views, r.downloads, r.acknowledgements)
        for r in UsageDaily.objects.filter(partner__tg_id="par_a")
    }
    assert rows == {"2026-03-01": (1, 0, 0), "2026-03-02": (0, 2, 0), "2026-03-04": (0, 0, 1)}
    row = UsageDaily.objects.filter(partner__tg_id="par_a").first()
    assert (row.asset, row.version_no, row.community) == (pub.asset, pub.version_no, pub.community)
    total = UsageTotal.objects.get(tg_id=pub.tg_id, partner__tg_id="par_a")
    assert (total.views, total.downloads, total.ack_status, total.acknowledged) == (
        1,
        2,
        "acknowledged",
        True,
    )
    assert _recorded() == 3


def test_totals_that_go_down_are_stored_without_taking_anything_back(programme):
    _, _, _, publications, tg = programme
    pub = publications[0]
    for _ in range(5):
        tg.act(pub.tg_id, "par_a", "view")
    tg.act(pub.tg_id, "par_a", "download")
    ingest(pub.tg_id, tg)
    assert stored(pub, "par_a") == (5, 1, 0)

    tg.advance(minutes=10)
    tg.reset(pub.tg_id, "par_a", views=2, downloads=0)
    ingest(pub.tg_id, tg)
    assert stored(pub, "par_a") == (5, 1, 0)
    total = UsageTotal.objects.get(tg_id=pub.tg_id, partner__tg_id="par_a")
    assert (total.views, total.downloads) == (2, 0)
    lowered = AuditEvent.objects.filter(action="usage.recorded").order_by("seq").last()
    assert lowered.after["lowered"] == ["par_a"]
    assert (lowered.after["views"], lowered.after["downloads"]) == (0, 0)

    tg.advance(minutes=10)
    tg.act(pub.tg_id, "par_a", "view")
    ingest(pub.tg_id, tg)
    assert stored(pub, "par_a") == (6, 1, 0)


def test_a_reading_older_than_the_stored_one_changes_nothing(programme):
    _, _, _, publications, tg = programme
    pub = publications[0]
    tg.act(pub.tg_id, "par_a", "view")
    early = tg.snapshot()
    tg.act(pub.tg_id, "par_a", "view")  # the same second: only the counts tell them apart
    tg.advance(minutes=1)
    tg.act(pub.tg_id, "par_a", "download")
    ingest(pub.tg_id, tg)
    before = _recorded()
    ingest(pub.tg_id, early)
    assert stored(pub, "par_a") == (2, 1, 0)
    assert _recorded() == before
    tg.act(pub.tg_id, "par_a", "view")
    ingest(pub.tg_id, tg)
    assert stored(pub, "par_a") == (3, 1, 0)


def test_unknown_publications_are_ignored(programme, monkeypatch):
    _, _, assets, publications, tg = programme
    calls_before = tg.reads
    assert ingest("pub_nobody_knows", tg).startswith("ignored")
    assert tg.reads == calls_before  # Trading Grid is not even asked
    gone = live(assets[0], publications[0].community, "pub_gone_from_tradinggrid")
    assert ingest(gone.tg_id, tg).startswith("ignored")
    assert not UsageTotal.objects.exists() and _recorded() == 0

    monkeypatch.setattr(TradingGridClient, "from_settings", classmethod(lambda cls: tg))
    event = {"id": "evt_1", "type": "publication.viewed", "data": {"publication": {"id": "pub_x"}}}
    stored_event = InboxEvent(source="tradinggrid", body=json.dumps(event))
    assert webhooks.handle(stored_event).startswith("ignored")


def test_unknown_partners_are_fetched_or_skipped(programme):
    communities, _, _, publications, tg = programme
    pub = publications[0]
    tg.act(pub.tg_id, "par_new", "view")
    tg.act(pub.tg_id, "par_ghost", "download")
    tg.partners["par_new"] = {
        "id": "par_new",
        "company_name": "Newcomer GmbH",
        "status": "active",
        "community_ids": [communities[0].tg_id],
    }
    ingest(pub.tg_id, tg)
    assert Partner.objects.get(tg_id="par_new").company_name == "Newcomer GmbH"
    assert stored(pub, "par_new") == (1, 0, 0)
    assert not Partner.objects.filter(tg_id="par_ghost").exists()
    assert not UsageDaily.objects.filter(downloads__gt=0).exists()
    assert AuditEvent.objects.get(action="usage.recorded").after["partners"] == ["par_new"]


def test_one_audit_event_per_reading_that_changed_something(programme):
    _, _, _, publications, tg = programme
    pub = publications[1]
    tg.act(pub.tg_id, "par_b", "view")
    tg.act(pub.tg_id, "par_c", "download")
    tg.act(pub.tg_id, "par_c", "acknowledge")
    for _ in range(3):
        ingest(pub.tg_id, tg)
    event = AuditEvent.objects.get(action="usage.recorded")
    assert (event.object_type, event.object_id) == ("portal.publication", str(pub.pk))
    assert event.after == {
        "views": 1,
        "downloads": 1,
        "acknowledgements": 1,
        "partners": ["par_b", "par_c"],
        "lowered": [],
        "version": pub.version_no,
    }
    assert AssetUsage.objects.get(asset=pub.asset).pending


def test_events_and_the_backstop_read_through_the_inbox_handler(programme, monkeypatch):
    _, _, _, publications, tg = programme
    monkeypatch.setattr(TradingGridClient, "from_settings", classmethod(lambda cls: tg))
    pub = publications[2]
    tg.act(pub.tg_id, "par_c", "view")
    event = {
        "id": "evt_2",
        "type": "publication.viewed",
        "data": {"publication": {"id": pub.tg_id}, "partner_id": "par_c"},
    }
    for _ in range(2):
        outcome = webhooks.handle(InboxEvent(source="tradinggrid", body=json.dumps(event)))
    assert outcome == "usage unchanged"
    tg.act(pub.tg_id, "par_c", "download")
    counts = poll()
    assert counts == {"read": 4, "changed": 1, "failed": 0}
    assert stored(pub, "par_c") == (1, 1, 0)


def test_a_replacement_in_place_counts_the_new_version_from_then_on(programme):
    _, _, _, publications, tg = programme
    old = publications[0]
    tg.act(old.tg_id, "par_a", "download")
    ingest(old.tg_id, tg)
    Publication.objects.filter(pk=old.pk).update(state=Publication.State.SUPERSEDED)
    new = live(old.asset, old.community, old.tg_id, version_no=old.version_no + 1)
    tg.advance(minutes=5)
    tg.act(old.tg_id, "par_a", "download")  # Trading Grid's count runs on: 2
    ingest(old.tg_id, tg)
    assert stored(old, "par_a") == (0, 1, 0)
    assert stored(new, "par_a") == (0, 1, 0)
    assert UsageTotal.objects.get(tg_id=old.tg_id).publication == new


def test_shuffled_concurrent_style_readings_of_many_partners(programme):
    """A larger fixed run: every partner of every publication, readings in random order."""
    _, _, _, publications, tg = programme
    rng = random.Random(7)
    readings = []
    for _ in range(200):
        pub = rng.choice(publications)
        tg.advance(seconds=rng.choice([0, 0, 1, 3600]))
        tg.act(pub.tg_id, rng.choice(_audience(pub)), rng.choice(["view", "download"]))
        readings.append((pub, tg.snapshot()))
    rng.shuffle(readings)
    for pub, reading in readings + readings[:50]:
        ingest(pub.tg_id, reading)
    for pub in publications:
        ingest(pub.tg_id, tg)
        for partner in _audience(pub):
            assert stored(pub, partner) == tg.totals(pub.tg_id, partner)
    views = sum(UsageDaily.objects.values_list("views", flat=True))
    downloads = sum(UsageDaily.objects.values_list("downloads", flat=True))
    assert views + downloads == 200


class OddTradingGrid:
    """Answers with odd lines: no partner, negative or textual counts, no time zone."""

    def usage(self, tg_id):
        return {
            "by_partner": [
                {"views": 3},
                "nonsense",
                {
                    "partner_id": "par_a",
                    "views": "2",
                    "downloads": -4,
                    "last_at": "2026-03-01T20:00:00",
                },
            ]
        }

    def acknowledgements(self, tg_id):
        return iter([{"partner_id": "par_a", "status": "maybe", "viewed_at": "not a time"}])


def test_odd_answers_are_read_tolerantly(programme):
    _, _, _, publications, _ = programme
    pub = publications[0]
    assert ingest(pub.tg_id, OddTradingGrid()).startswith("usage recorded")
    assert stored(pub, "par_a") == (2, 0, 0)
    assert UsageDaily.objects.get().day.isoformat() == "2026-03-01"
    assert ingest(pub.tg_id, OddTradingGrid()) == "usage unchanged"
