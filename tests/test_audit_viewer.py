"""The audit viewer: who may read it, filters, detail with diff, CSV export, history panel."""

import csv
import io

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import record
from portal.context import Actor


@pytest.fixture
def events(db, manager):
    made = []
    for _n in range(4):
        made.append(record("auth.login", obj=manager, actor=Actor("user", "max", manager.pk)))
    made.append(
        record(
            "admin.changed",
            object_type="auth.group",
            object_id="3",
            object_label="Auditors",
            before={"name": "Audit", "size": 1},
            after={"name": "Auditors", "size": 1},
            reason="renamed",
            actor=Actor("user", "ada"),
        )
    )
    made.append(record("audit.exported", actor=Actor("user", "=cmd|calc", None)))
    return made


@pytest.mark.django_db
def test_content_manager_is_refused_the_viewer_export_and_detail(client, manager, events):
    client.force_login(manager)
    for url in (reverse("audit:list"), reverse("audit:export"), reverse("audit:detail", args=[1])):
        response = client.get(url)
        assert response.status_code == 403
        assert b"403" in response.content and b"Partner content portal" in response.content


@pytest.mark.django_db
def test_auditor_filters_by_actor_action_and_text(client, auditor, events):
    client.force_login(auditor)
    page = client.get(reverse("audit:list"), {"actor": "ada"})
    assert page.status_code == 200
    assert list(page.context["object_list"]) == [events[4]]
    by_action = client.get(reverse("audit:list"), {"action": ["auth.login"]})
    # The four sign-ins of max, and the auditor's own sign-in.
    assert [e.actor_name for e in by_action.context["object_list"]] == ["aldo"] + ["max"] * 4
    by_text = client.get(reverse("audit:list"), {"q": "renamed"})
    assert [e.seq for e in by_text.context["object_list"]] == [events[4].seq]
    partial = client.get(reverse("audit:list"), {"actor": "ada"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"Auditors" in partial.content


@pytest.mark.django_db
def test_a_long_trail_is_counted_only_up_to_the_limit(client, auditor, events, settings):
    for n in range(60):
        record("auth.login", object_type="auth.user", object_id=str(n), actor=Actor("user", "eve"))
    settings.LIST_COUNT_LIMIT = 62
    client.force_login(auditor)
    first = client.get(reverse("audit:list"))
    assert first.context["paginator"].count == 62 and first.context["paginator"].more
    assert "Page 1 of 2+ · more than 62 match" in first.content.decode()
    last = client.get(reverse("audit:list"), {"page": 2})
    assert len(last.context["object_list"]) == 12 and 'rel="next"' not in last.content.decode()
    # A page past the counted rows (an old bookmark) shows the last one, not an error.
    beyond = client.get(reverse("audit:list"), {"page": 250})
    assert beyond.status_code == 200 and beyond.context["page_obj"].number == 2
    # A filter narrow enough to count exactly shows the real total.
    narrow = client.get(reverse("audit:list"), {"actor": "eve", "page": 2})
    assert narrow.context["paginator"].count == 60 and not narrow.context["paginator"].more
    assert "Page 2 of 2 · 60 in all" in narrow.content.decode()


@pytest.mark.django_db
def test_detail_shows_the_before_after_difference(client, auditor, events):
    client.force_login(auditor)
    page = client.get(reverse("audit:detail", args=[events[4].seq]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="changed"' in html and "Audit" in html and "Auditors" in html
    assert page.context["event"].changes()[0] == {
        "field": "name",
        "before": "Audit",
        "after": "Auditors",
        "changed": True,
    }
    assert events[4].hash in html


@pytest.mark.django_db
def test_csv_export_contains_exactly_the_filtered_events_and_is_audited(client, auditor, events):
    client.force_login(auditor)
    response = client.get(reverse("audit:export"), {"action": ["auth.login"], "actor": "max"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    expected = AuditEvent.objects.filter(action="auth.login", actor_name="max").order_by("-seq")
    assert [int(r["seq"]) for r in rows] == [e.seq for e in expected]
    assert {r["actor"] for r in rows} == {"max"}
    exported = AuditEvent.objects.filter(action="audit.exported", actor_name="aldo").get()
    assert exported.after == {"filter": {"action": "auth.login", "actor": "max"}}


@pytest.mark.django_db
def test_csv_export_defuses_spreadsheet_formulas(client, auditor, events):
    client.force_login(auditor)
    response = client.get(reverse("audit:export"), {"actor": "=cmd|calc"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["actor"] for r in rows] == ["'=cmd|calc"]


@pytest.mark.django_db
def test_invalid_export_filter_is_a_message_not_an_error(client, auditor, events):
    client.force_login(auditor)
    response = client.get(reverse("audit:export"), {"action": "no.such"}, follow=True)
    assert response.status_code == 200
    assert b"The export filter is not valid" in response.content


@pytest.mark.django_db
def test_history_panel_lists_the_objects_own_events(manager, auditor, events):
    request = RequestFactory().get("/")
    request.user = auditor
    html = Template("{% load audit_tags %}{% audit_history obj %}").render(
        Context({"obj": manager, "request": request})
    )
    assert html.count("Signed in") == 4
    assert "Changed in the admin site" not in html
    assert reverse("audit:detail", args=[events[0].seq]) in html
