"""The dashboard's onboarding chart (partners enrolled and completed per week) and the "needs
you now" card of open follow-ups, narrowed to the person's communities."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import dashboard_data, grants
from portal.models import Enrollment
from portal.onboarding import follow_ups
from tests.dashboard_support import at
from tests.onboarding_support import approved, enrolled, member, program_of
from tests.release_support import canto_asset

pytestmark = pytest.mark.django_db


def _program(manager, reviewer, community, name):
    return approved(
        manager, reviewer, program_of(manager, community, [canto_asset(f"{name}.pdf")], name=name)
    )


def _weeks_ago(enrollment, enrolled_weeks: int, completed_weeks: int | None = None) -> None:
    values = {"enrolled_at": at(enrolled_weeks)}
    if completed_weeks is not None:
        values.update(state=Enrollment.State.COMPLETED, completed_at=at(completed_weeks))
    Enrollment.objects.filter(pk=enrollment.pk).update(**values)


def test_the_chart_counts_enrolled_and_completed_partners_per_week_in_the_persons_communities(
    manager, reviewer, emea, apac
):
    grants.grant_community(manager, apac)
    grants.grant_community(reviewer, apac)
    theirs = _program(manager, reviewer, apac, "APAC welcome")
    grants.revoke_community(reviewer, apac)
    ours = _program(manager, reviewer, emea, "Welcome")
    _weeks_ago(enrolled(manager, ours, member("par_a", "Acme", emea)), 3, 1)
    _weeks_ago(enrolled(manager, ours, member("par_b", "Bolt", emea)), 1)
    _weeks_ago(enrolled(manager, ours, member("par_c", "Cobalt", emea)), 1, 0)
    _weeks_ago(enrolled(manager, theirs, member("par_d", "Delta", apac)), 1, 0)
    chart = {c.key: c for c in dashboard_data.charts_for(reviewer)}["chart-onboarding"]
    enrolled_per_week, completed_per_week = (s.values for s in chart.series)
    assert enrolled_per_week[-4:] == [1, 0, 2, 0]
    assert completed_per_week[-4:] == [0, 0, 1, 1]
    assert chart.title == "Onboarding: partners enrolled and completed per week"


def test_the_card_lists_the_persons_open_follow_ups_and_overdue_partners(
    client, manager, reviewer, emea
):
    program = _program(manager, reviewer, emea, "Welcome")
    late = enrolled(manager, program, member("par_a", "Acme", emea), overdue=True)
    follow_ups.create_due()
    found = dashboard_data.needs_now(manager)["onboarding"]
    assert (found["mine"], found["overdue"]) == (1, 1)
    assert [f.enrollment_id for f in found["first"]] == [late.pk]
    client.force_login(manager)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'id="need-onboarding"' in html and "Welcome.pdf" in html
    assert reverse("onboarding:enrollment", args=[late.pk]) in html
    assert "onboarding" not in dashboard_data.needs_now(reviewer)


def test_the_dashboard_costs_the_same_with_more_onboarding(client, manager, reviewer, emea):
    program = _program(manager, reviewer, emea, "Welcome")
    enrolled(manager, program, member("par_0", "P0", emea), overdue=True)
    follow_ups.create_due()
    client.force_login(manager)
    client.get(reverse("dashboard"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("dashboard")).status_code == 200
        return len(captured)

    before = queries()
    for n in range(1, 8):
        enrollment = enrolled(manager, program, member(f"par_{n}", f"P{n}", emea), overdue=True)
        _weeks_ago(enrollment, n, n - 1)
    enrolled(manager, program, member("par_x", "Px", emea), overdue=True)
    follow_ups.create_due()
    assert queries() == before
