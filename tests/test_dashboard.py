"""The dashboard: what needs each role now, and weekly charts drawn as SVG on the server, every
figure narrowed to the person's communities."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.services import record
from integrations.models import OutboxMessage, SyncRun
from portal import dashboard_data
from portal.charts import Chart, Series, nice_scale, render
from portal.models import Publication, Release
from requests_app.models import PartnerRequest
from tests.dashboard_support import at, delivered, live, owed_write, received
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
S = PartnerRequest.State


def charts(user) -> dict[str, Chart]:
    return {c.key: c for c in dashboard_data.charts_for(user)}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  (the portal's own output, parsed to check it)


def svgs(html: str) -> list[ET.Element]:
    return [parse(m) for m in re.findall(r"<svg\b.*?</svg>", html, re.S)]


# The renderer ----------------------------------------------------------------------------------


def test_a_bar_chart_is_valid_svg_with_a_bar_a_label_and_a_value_per_week():
    chart = Chart(
        "c", "Made live", ["3 Mar", "10 Mar", "17 Mar"], [Series("Live", [2, 0, 7])], kind="bar"
    )
    root = parse(render(chart))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-title c-desc"
    assert root.find(f"{SVG}title").text == "Made live"
    assert "Live: highest 7 (17 Mar), latest 7" in root.find(f"{SVG}desc").text
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    heights = [float(b.get("height")) for b in bars]
    assert len(bars) == 3 and heights[2] > heights[0] > heights[1] == 0
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"3 Mar", "10 Mar", "17 Mar", "Live", "2", "7"} <= set(texts)
    assert "Nothing yet" not in texts


def test_a_line_chart_draws_each_series_with_a_point_per_known_value_and_a_legend():
    chart = Chart(
        "l",
        "Requests",
        ["a", "b", "c", "d"],
        [Series("Received", [1, 4, 2, 3]), Series("Median", [None, 2.5, None, 1])],
        decimals=1,
    )
    root = parse(render(chart))
    points = [e for e in root.iter() if e.get("class") == "point"]
    assert len(points) == 4 + 2
    lines = [p for p in root.iter(f"{SVG}path") if p.get("class") == "line"]
    assert len(lines) == 2 and lines[1].get("d").count("M") == 2  # broken where unknown
    assert lines[1].get("stroke-dasharray")  # tells the series apart in grey print too
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Received" in texts and "Median" in texts
    assert chart.rows()[0] == ("a", ["1.0", "—"])


def test_text_is_escaped_and_the_svg_stays_valid_xml():
    nasty = "<script>alert(\"x\")</script> & 'co'"
    chart = Chart("x", nasty, [nasty], [Series(nasty, [1])], empty_text=nasty)
    svg = render(chart)
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == nasty


def test_an_empty_chart_says_nothing_yet_instead_of_failing():
    chart = Chart("e", "Delivery", ["a", "b"], [Series("Days", [None, None])], empty_text="None.")
    root = parse(render(chart))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Nothing yet" in texts and "None." in texts
    assert not [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert chart.empty and root.find(f"{SVG}desc").text == "None."


def test_the_y_axis_uses_round_steps():
    assert nice_scale(7, integer=True) == (2, 8)
    assert nice_scale(0, integer=True) == (1, 4)
    assert nice_scale(1, integer=True) == (1, 1)
    assert nice_scale(2.3, integer=False) == (1, 3)


# The figures -----------------------------------------------------------------------------------


def test_weeks_are_the_last_twelve_mondays():
    weeks = dashboard_data.week_starts()
    assert len(weeks) == 12 and all(w.weekday() == 0 for w in weeks)
    assert weeks[-1] <= timezone.localdate() < weeks[-1] + timedelta(days=7)
    assert weeks[1] - weeks[0] == timedelta(days=7)


def test_publication_series_counts_per_week_in_the_persons_communities(
    manager, portal_admin, emea, apac
):
    live(emea, at(0))
    live(emea, at(0, days=0.1))
    live(emea, at(3))
    live(emea, at(20))  # before the window
    live(apac, at(3))
    Publication.objects.create(
        asset=AssetFactory(), community=emea, version_no=1, title="Not yet", external_ref="r"
    )
    mine = charts(manager)["chart-publications"].series[0].values
    assert mine[-1] == 2 and mine[-4] == 1 and sum(mine) == 3
    everything = charts(portal_admin)["chart-publications"].series[0].values
    assert everything[-4] == 2 and sum(everything) == 4


def test_usage_series_sums_views_and_downloads_per_week_in_the_persons_communities(
    manager, emea, apac
):
    from portal.models import Partner, UsageDaily

    partner = Partner.objects.create(tg_id="par_1", company_name="Acme")
    asset = AssetFactory()

    def used(community, weeks_ago, views, downloads):
        UsageDaily.objects.create(
            day=at(weeks_ago).date(),
            asset=asset,
            version_no=1,
            community=community,
            partner=partner,
            views=views,
            downloads=downloads,
        )

    used(emea, 0, 3, 1)
    used(emea, 2, 5, 4)
    used(apac, 0, 100, 100)
    views, downloads = (s.values for s in charts(manager)["chart-usage"].series)
    assert (views[-1], views[-3], sum(views)) == (3, 5, 8)
    assert (downloads[-1], downloads[-3], sum(downloads)) == (1, 4, 5)


def test_request_series_count_received_and_delivered_and_the_median_days(manager, emea, apac):
    received(emea, at(1))
    received(emea, at(1, days=3))
    received(apac, at(1))
    delivered(emea, at(2), took_days=1)
    delivered(emea, at(2, days=1), took_days=2)
    delivered(emea, at(3), took_days=14)  # received three weeks ago, delivered last week
    delivered(apac, at(2), took_days=30)
    found = charts(manager)
    volume, speed = found["chart-requests"], found["chart-delivery-time"]
    received_per_week, delivered_per_week = (s.values for s in volume.series)
    assert received_per_week[-4:] == [1, 2, 2, 0]
    assert delivered_per_week[-4:] == [0, 2, 1, 0]
    assert speed.series[0].values[-4:] == [None, 1.5, 14.0, None]
    assert not speed.empty and sum(received_per_week) == 5


def test_people_without_communities_get_readable_empty_charts(client, auditor):
    record("audit.verified", after={"verified": 1})
    client.force_login(auditor)
    html = client.get(reverse("dashboard")).content.decode()
    # publications, usage, requests, delivery time, onboarding
    assert html.count("Nothing yet") == 5
    assert "No community is granted to you yet" in html
    assert len(svgs(html)) == 6  # and the audit trail's own chart


# What needs each role now ----------------------------------------------------------------------


def test_each_role_gets_its_own_needs_now_figures(manager, reviewer, auditor, portal_admin, emea):
    assert set(dashboard_data.needs_now(reviewer)) == {"reviews_waiting", "drift_count", "drift"}
    assert set(dashboard_data.needs_now(manager)) == {
        "failing_releases",
        "auto_withdrawn",
        "request_counts",
        "onboarding",
        "outbox",
        "drift_count",
        "drift",
        "syncs",
    }
    assert set(dashboard_data.needs_now(auditor)) == {
        "drift_count",
        "drift",
        "syncs",
        "audit_check",
    }
    assert {"reviews_waiting", "request_counts", "outbox", "syncs", "audit_check"} <= set(
        dashboard_data.needs_now(portal_admin)
    )
    assert set(charts(reviewer)) == {
        "chart-publications",
        "chart-usage",
        "chart-requests",
        "chart-delivery-time",
        "chart-onboarding",
    }
    assert "chart-audit" in charts(auditor) and "chart-audit" in charts(portal_admin)


def test_needs_now_figures_are_narrowed_to_the_persons_communities(
    manager, reviewer, portal_admin, emea, apac
):
    waiting = Release.objects.create(name="Sheets", state=Release.State.IN_REVIEW)
    waiting.communities.set([emea])
    elsewhere = Release.objects.create(name="APAC", state=Release.State.IN_REVIEW)
    elsewhere.communities.set([apac])
    ours, theirs = live(emea, at(1)), live(apac, at(1), drift="missing from Trading Grid")
    Publication.objects.filter(pk=ours.pk).update(drift="still shown", drift_found_at=at(0))
    owed_write(ours, OutboxMessage.Status.DEAD)
    owed_write(ours, OutboxMessage.Status.RETRYING)
    owed_write(theirs, OutboxMessage.Status.DEAD)
    owed_write(received(emea, at(0)), OutboxMessage.Status.RETRYING)
    owed_write(received(apac, at(0)), OutboxMessage.Status.RETRYING)
    owed_write(AssetFactory(), OutboxMessage.Status.DEAD)  # a Canto write, no community
    received(emea, at(0), due_in=timedelta(hours=-1))
    received(apac, at(0), due_in=timedelta(hours=-1))

    assert dashboard_data.needs_now(reviewer)["reviews_waiting"] == 1
    assert dashboard_data.needs_now(reviewer)["drift_count"] == 1
    mine = dashboard_data.needs_now(manager)
    assert mine["outbox"] == {"retrying": 2, "dead": 1}
    assert mine["drift_count"] == 1 and [p.pk for p in mine["drift"]] == [ours.pk]
    assert mine["request_counts"]["overdue"] == 1
    everything = dashboard_data.needs_now(portal_admin)
    assert everything["outbox"] == {"retrying": 3, "dead": 3}
    assert everything["drift_count"] == 2 and everything["request_counts"]["overdue"] == 2


def test_sync_health_shows_the_newest_run_of_each_kind(client, portal_admin):
    def run(kind, state, lock):
        return SyncRun.objects.create(kind=kind, lock_key=lock, state=state)

    run(SyncRun.Kind.CANTO_INCREMENTAL, SyncRun.State.SUCCEEDED, "canto")
    failed = run(SyncRun.Kind.CANTO_INCREMENTAL, SyncRun.State.FAILED, "canto")
    synced = run(SyncRun.Kind.TG_INCREMENTAL, SyncRun.State.SUCCEEDED, "tg")
    assert dashboard_data.latest_syncs() == [failed, synced]
    client.force_login(portal_admin)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'id="need-syncs"' in html and '<span class="badge failed">Failed</span>' in html


def test_the_auditor_sees_when_the_chain_was_last_verified(client, auditor):
    client.force_login(auditor)
    assert "has not been verified yet" in client.get(reverse("dashboard")).content.decode()
    record("audit.verified", after={"verified": 41})
    html = client.get(reverse("dashboard")).content.decode()
    assert "intact" in html and "41 events verified" in html


# The page --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "cards", "absent"),
    [
        (
            "manager",
            ["need-requests", "need-onboarding", "need-outbox", "need-drift", "need-syncs"],
            ["need-reviews"],
        ),
        (
            "reviewer",
            ["need-reviews", "need-drift", "chart-onboarding"],
            ["need-outbox", "need-syncs", "chart-audit", "need-onboarding"],
        ),
        ("auditor", ["need-audit", "need-syncs", "chart-audit"], ["need-reviews", "need-outbox"]),
        ("portal_admin", ["need-reviews", "need-outbox", "need-audit", "chart-audit"], []),
    ],
)
def test_the_page_shows_each_role_its_cards_and_valid_charts(
    request, client, emea, person, cards, absent
):
    user = request.getfixturevalue(person)
    live(emea, at(2))
    delivered(emea, at(3), took_days=2)
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert all(f'id="{c}"' in html for c in cards) and not any(f'id="{c}"' in html for c in absent)
    drawn = svgs(html)
    assert len(drawn) == len(response.context["charts"]) >= 3
    titles = [svg.find(f"{SVG}title").text for svg in drawn]
    assert "Publications made live per week" in titles
    assert "Median days from request to delivery" in titles
    assert "The numbers" in html


def test_the_dashboard_costs_the_same_number_of_queries_whatever_the_data(
    client, manager, emea, apac
):
    live(emea, at(1))
    received(emea, at(1))
    client.force_login(manager)
    client.get(reverse("dashboard"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("dashboard")).status_code == 200
        return len(captured)

    before = queries()
    for weeks_ago in range(10):
        for community in (emea, apac):
            publication = live(community, at(weeks_ago), drift="missing from Trading Grid")
            owed_write(publication, OutboxMessage.Status.DEAD)
            received(community, at(weeks_ago), due_in=timedelta(hours=-2))
            delivered(community, at(weeks_ago), took_days=weeks_ago / 2)
    assert queries() == before
