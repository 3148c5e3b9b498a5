"""In headless Chromium: each role signs in and the dashboard shows its charts and its own
"needs you now" cards, with nothing blocked by the content security policy."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.services import record
from integrations.models import SyncRun
from portal.models import Release
from tests.browser_support import sign_in
from tests.dashboard_support import at, delivered, live, received

REQUEST_CHARTS = {
    "chart-publications": "Publications made live per week",
    "chart-usage": "Partner views and downloads per week",
    "chart-requests": "Partner requests received and delivered per week",
    "chart-delivery-time": "Median days from request to delivery",
    "chart-onboarding": "Onboarding: partners enrolled and completed per week",
}
AUDIT_CHART = {"chart-audit": "Audit events recorded per week"}
ROLES = [
    (
        "manager",
        REQUEST_CHARTS,
        ["need-requests", "need-onboarding", "need-outbox", "need-drift", "need-syncs"],
    ),
    ("reviewer", REQUEST_CHARTS, ["need-reviews", "need-drift"]),
    ("auditor", {**REQUEST_CHARTS, **AUDIT_CHART}, ["need-audit", "need-syncs"]),
    ("portal_admin", {**REQUEST_CHARTS, **AUDIT_CHART}, ["need-reviews", "need-outbox"]),
]


def some_weeks_of_work(emea) -> None:
    for weeks_ago in (0, 1, 3, 4, 7):
        live(emea, at(weeks_ago))
        received(emea, at(weeks_ago), due_in=timedelta(hours=weeks_ago - 2))
        delivered(emea, at(weeks_ago + 1), took_days=weeks_ago + 1.5)
    live(emea, at(2), drift="missing from Trading Grid", drift_found_at=timezone.now())
    waiting = Release.objects.create(name="DACH safety sheets", state=Release.State.IN_REVIEW)
    waiting.communities.set([emea])
    SyncRun.objects.create(
        kind=SyncRun.Kind.CANTO_INCREMENTAL, lock_key="canto", state=SyncRun.State.SUCCEEDED
    )
    record("audit.verified", after={"verified": 12})


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("person", "expected_charts", "cards"), ROLES)
def test_each_role_sees_its_charts_and_cards(
    request, live_server, browser, emea, tmp_path, person, expected_charts, cards
):
    user = request.getfixturevalue(person)
    some_weeks_of_work(emea)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    sign_in(page, live_server.url, user.get_username())
    assert page.url == live_server.url + "/"
    for key, title in expected_charts.items():
        svg = page.locator(f"#{key} svg")
        svg.wait_for(state="visible")
        box = svg.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100, (key, box)
        assert svg.locator("title").first.text_content() == title
        assert page.locator(f"#{key} h3").inner_text() == title
    shown = page.locator("figure.chart svg").count()
    assert shown == len(expected_charts)
    assert page.locator("#chart-publications svg text", has_text="Made live").count() == 1
    for card in cards:
        assert page.locator(f"#{card}").is_visible(), card
    if person == "reviewer":
        assert page.locator("#need-reviews .figure").inner_text() == "1"
        assert page.locator("#need-outbox").count() == 0

    if person == "auditor":  # no community granted: readable empty charts
        assert page.locator("#chart-publications svg text", has_text="Nothing yet").is_visible()
    numbers = page.locator("figure.chart details").first
    numbers.locator("summary").click()
    assert numbers.locator("table").is_visible()
    shot = tmp_path / f"dashboard-{person}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 30_000
    assert problems == []
    page.close()
