"""Partner request pages: the queue, its filters, saved views and export; a request's page and
its actions; status links; findability; and what the asset, community and dashboard pages show
about requests. Everything is narrowed to the communities granted to the person."""

import hashlib
import re
from datetime import timedelta
from html import escape

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from integrations.models import OutboxMessage
from integrations.tradinggrid.bodies import publication_url
from portal import roles
from portal.models import Contact, Publication, Release
from portal.releases import services as release_services
from requests_app import routing, services, sla
from requests_app.models import LocalisedVariant, PartnerRequest, SavedView, StatusLink
from tests.factories import AssetFactory, UserFactory
from tests.release_pages_support import shown_messages, trading_grid_accepts
from tests.release_support import grant
from tests.request_pages_support import (
    K,
    S,
    act,
    actions_of,
    exported,
    partner,
    partner_request,
    queue,
)

pytestmark = pytest.mark.django_db
LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture
def mia(emea):
    """A second manager of EMEA."""
    person = UserFactory(username="mia", role=roles.CONTENT_MANAGER)
    grant(emea, person)
    return person


# The queue ------------------------------------------------------------------------------------


def test_queue_shows_open_requests_of_granted_communities_soonest_due_first(
    client, manager, emea, apac
):
    later = partner_request(emea, "Later", due_in=timedelta(days=9))
    sooner = partner_request(emea, "Sooner", due_in=timedelta(days=1))
    partner_request(emea, "Done", state=S.CLOSED)
    partner_request(apac, "Not granted")
    client.force_login(manager)
    assert queue(client) == [sooner.reference, later.reference]
    html = client.get(reverse("requests:list")).content.decode()
    assert "Sooner" in html and "Not granted" not in html and "Done" not in html
    everything = queue(client, status="")
    assert len(everything) == 3 and all("Not granted" not in r for r in everything)


def test_queue_query_count_does_not_grow_with_rows(client, manager, emea):
    owner_partner = partner()
    partner_request(emea, "First", owner=manager, partner=owner_partner)
    client.force_login(manager)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("requests:list"))
    for n in range(8):
        partner_request(emea, f"More {n}", owner=manager, partner=owner_partner)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("requests:list"))
    assert len(response.context["object_list"]) == 9
    assert len(many) == len(few)


def test_every_filter_changes_the_rows(client, manager, mia, emea):
    overdue = partner_request(emea, "Overdue", due_in=timedelta(hours=-2), owner=manager)
    soon = partner_request(emea, "Soon", due_in=timedelta(hours=3), owner=mia)
    later = partner_request(emea, "Later", kind=K.QUESTION, state=S.TRIAGED)
    rejected = partner_request(emea, "Rejected", state=S.REJECTED)
    client.force_login(manager)
    assert set(queue(client)) == {overdue.reference, soon.reference, later.reference}
    assert queue(client, state="rejected") == [rejected.reference]
    assert queue(client, state="triaged") == [later.reference]
    assert queue(client, kind="question") == [later.reference]
    assert queue(client, owner="me") == [overdue.reference]
    assert set(queue(client, owner="none", status="open")) == {later.reference}
    assert queue(client, standing="breached") == [overdue.reference]
    assert queue(client, standing="due_soon") == [soon.reference]
    assert queue(client, standing="on_track") == [later.reference]
    assert queue(client, q=soon.reference) == [soon.reference]
    assert queue(client, q=f"req-{later.pk}") == [later.reference]
    assert queue(client, q="Overdue") == [overdue.reference]


def test_rows_show_owner_due_badges_and_kind(client, manager, emea):
    partner_request(emea, "Overdue one", due_in=timedelta(hours=-1), owner=manager)
    partner_request(emea, "Soon one", due_in=timedelta(hours=2), locale="de-DE")
    client.force_login(manager)
    html = client.get(reverse("requests:list")).content.decode()
    assert "overdue" in html and "due soon" in html and "de-DE" in html
    assert "max" in html and "Asset request" in html


def test_invalid_filter_shows_no_rows_and_no_error_page(client, manager, emea):
    partner_request(emea)
    client.force_login(manager)
    response = client.get(reverse("requests:list"), {"state": "nonsense"})
    assert response.status_code == 200 and list(response.context["object_list"]) == []


def test_saved_view_round_trip_is_audited(client, manager, reviewer, emea):
    question = partner_request(emea, "Where is the manual?", kind=K.QUESTION)
    partner_request(emea, "Datasheet")
    client.force_login(manager)
    response = client.post(
        reverse("requests:save-view"), {"name": "  My questions ", "query": "kind=question&page=2"}
    )
    view = SavedView.objects.get(user=manager)
    assert (view.name, view.query) == ("My questions", "kind=question")
    assert response.status_code == 302 and response["Location"].endswith("?kind=question")
    listed = client.get(reverse("requests:list")).content.decode()
    assert "My questions" in listed and "?kind=question" in listed
    assert queue(client, kind="question") == [question.reference]
    client.post(reverse("requests:save-view"), {"name": "My questions", "query": "kind=missing"})
    view.refresh_from_db()
    assert view.query == "kind=missing" and SavedView.objects.count() == 1
    nameless = client.post(
        reverse("requests:save-view"), {"name": " ", "query": "q=x"}, follow=True
    )
    assert "Name the view." in shown_messages(nameless)
    client.force_login(reviewer)
    assert client.post(reverse("requests:delete-view", args=[view.pk])).status_code == 404
    client.force_login(manager)
    client.post(reverse("requests:delete-view", args=[view.pk]))
    assert not SavedView.objects.exists()
    events = AuditEvent.objects.filter(action="request.saved_view_changed").order_by("seq")
    assert [(e.before, e.after) for e in events] == [
        (None, {"name": "My questions", "query": "kind=question"}),
        (
            {"name": "My questions", "query": "kind=question"},
            {"name": "My questions", "query": "kind=missing"},
        ),
        ({"name": "My questions", "query": "kind=missing"}, None),
    ]


def test_csv_export_has_the_page_rows_for_the_same_filter(client, manager, emea, apac):
    for n in range(3):
        partner_request(emea, f"Asset {n}", due_in=timedelta(days=n + 1))
    partner_request(emea, "Question", kind=K.QUESTION)
    partner_request(emea, "=HYPERLINK(evil)", state=S.CLOSED)
    partner_request(apac, "Hidden")
    client.force_login(manager)
    assert exported(client) == queue(client) and len(queue(client)) == 4
    assert exported(client, kind="question") == queue(client, kind="question")
    assert exported(client, status="") == queue(client, status="")
    assert len(exported(client, status="")) == 5
    response = client.get(reverse("requests:export"), {"status": "finished"})
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(evil)" in body and "Hidden" not in body


def test_pages_need_the_request_role(client, emea):
    req = partner_request(emea)
    response = client.get(reverse("requests:detail", args=[req.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("requests:list")).status_code in (302, 403)
    nobody = UserFactory(username="nobody")
    client.force_login(nobody)
    assert client.get(reverse("requests:list")).status_code == 403
    assert client.get(reverse("requests:findability")).status_code == 403


# A request's page -----------------------------------------------------------------------------


def test_detail_is_404_outside_the_granted_communities(client, manager, reviewer, apac, emea):
    hidden = partner_request(apac, "Hidden")
    client.force_login(manager)
    assert client.get(reverse("requests:detail", args=[hidden.pk])).status_code == 404
    assert act(client, hidden, "reject", reason="No").status_code == 404
    hidden.refresh_from_db()
    assert hidden.state == S.NEW


def test_detail_shows_the_facts_and_the_timeline(client, manager, emea):
    sheet = AssetFactory(name="X200 datasheet.pdf")
    req = partner_request(
        emea,
        "Need the X200 datasheet in German",
        tg_id="req_77",
        partner=partner(),
        locale="de-DE",
        priority="high",
        description="For the trade fair.",
        assets=[sheet],
        search_terms=["x200 datenblatt"],
        canto_album_id="alb123",
        canto_album_name="REQ album",
    )
    services.triage(manager, req)
    services.comment(manager, req, "Checking with product.", internal=True)
    client.force_login(manager)
    html = client.get(reverse("requests:detail", args=[req.pk])).content.decode()
    for text in (
        req.reference,
        "req_77",
        "Acme Distribution",
        "EMEA distributors",
        "de-DE",
        "high",
        "For the trade fair.",
        "X200 datasheet.pdf",
        reverse("catalog:detail", args=[sheet.pk]),
        "x200 datenblatt",
        "alb123",
        f"partner-request:{req.reference}",
        "Checking with product.",
        "internal",
        "Request triaged",
        "History",
    ):
        assert text in html, text


def test_triage_then_assign_through_the_page(client, manager, mia, emea):
    req = partner_request(emea, due_in=None)
    client.force_login(manager)
    page = client.get(reverse("requests:detail", args=[req.pk])).content.decode()
    assert "Accept and triage" in page and "mia" in page
    due = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    response = act(client, req, "triage", owner=manager.pk, due_at=due.strftime(LOCAL))
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == S.TRIAGED and req.owner == manager and req.due_at == due
    response = act(client, req, "assign", owner=mia.pk)
    req.refresh_from_db()
    assert response.status_code == 302 and req.owner == mia
    assert actions_of(req)[-2:] == ["request.routed_to_canto", "request.assigned"]
    assert "request.triaged" in actions_of(req)


def test_reject_needs_a_reason_and_changes_nothing_without_one(client, manager, emea):
    req = partner_request(emea)
    client.force_login(manager)
    before = AuditEvent.objects.count()
    response = act(client, req, "reject", reason="   ")
    assert response.status_code == 400
    assert "Give the partner a reason for rejecting the request." in response.content.decode()
    req.refresh_from_db()
    assert req.state == S.NEW and AuditEvent.objects.count() == before
    response = act(client, req, "reject", reason="We do not make this any more.")
    req.refresh_from_db()
    assert response.status_code == 302 and req.state == S.REJECTED
    assert req.rejection_reason == "We do not make this any more."
    assert actions_of(req) == ["request.rejected"]


def test_due_date_change_needs_a_reason(client, manager, emea):
    req = partner_request(emea, owner=manager, state=S.TRIAGED)
    client.force_login(manager)
    new_due = (timezone.now() + timedelta(days=20)).strftime(LOCAL)
    assert act(client, req, "due", due_at=new_due, reason="").status_code == 400
    assert act(client, req, "due", due_at=new_due, reason="Agency is late").status_code == 302
    req.refresh_from_db()
    assert req.due_at.strftime(LOCAL) == new_due
    assert AuditEvent.objects.get(action="request.due_changed").reason == "Agency is late"


def test_answer_comment_close_and_reopen_through_the_page(client, manager, emea):
    req = partner_request(emea, "Is X200 sold in Norway?", kind=K.QUESTION, tg_id="req_q1")
    services.triage(manager, req)
    client.force_login(manager)
    assert (
        act(client, req, "comment", body="Asked sales.", visibility="internal").status_code == 302
    )
    assert act(client, req, "answer", text="Yes, since May.").status_code == 302
    req.refresh_from_db()
    assert req.state == S.DELIVERED
    assert act(client, req, "close", reason="").status_code == 302
    req.refresh_from_db()
    assert req.state == S.CLOSED
    assert act(client, req, "reopen", reason="").status_code == 400
    assert act(client, req, "reopen", reason="Partner asked again").status_code == 302
    req.refresh_from_db()
    assert req.state == S.IN_PROGRESS
    internal = req.comments.get(body="Asked sales.")
    assert internal.visibility == "internal" and internal.author == manager
    assert [
        a for a in actions_of(req) if a not in ("request.triaged", "request.routed_to_canto")
    ] == [
        "request.commented",
        "request.answered",
        "request.closed",
        "request.reopened",
    ]
    told = {
        m.payload["comment"]["body"]: m.payload["comment"]["visibility"]
        for m in OutboxMessage.objects.filter(operation="tradinggrid.add_comment")
    }
    assert told["Asked sales."] == "internal"
    assert any("Yes, since May." in body and seen == "public" for body, seen in told.items())


def test_a_stale_action_is_a_message_not_an_error(client, manager, mia, emea):
    req = partner_request(emea)
    client.force_login(manager)
    client.get(reverse("requests:detail", args=[req.pk]))
    services.reject(mia, req, "Duplicate of another request")
    response = act(client, req, "triage", owner=manager.pk, due_at="")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert any("cannot become triaged" in m for m in shown_messages(page))
    req.refresh_from_db()
    assert req.state == S.REJECTED and req.owner is None


def test_readers_get_no_action_forms(client, reviewer, auditor, emea):
    grant(emea, auditor)
    req = partner_request(emea)
    for person in (reviewer, auditor):
        client.force_login(person)
        html = client.get(reverse("requests:detail", args=[req.pk])).content.decode()
        assert req.reference in html and "Accept and triage" not in html
        assert "Create link" not in html
        assert act(client, req, "triage", owner=person.pk).status_code == 403
    req.refresh_from_db()
    assert req.state == S.NEW


def test_deliver_a_linked_asset_or_say_why_not(client, manager, emea):
    sheet = AssetFactory(name="X200 sheet v2.pdf")
    draft = AssetFactory(name="X200 draft.pdf", approval_status="Pending")
    req = partner_request(
        emea, assets=[sheet, draft], partner=partner(member_of=emea), canto_album_id="ALB9"
    )
    AssetFactory(name="Uploaded to the album.pdf", album_index="|alb9|other|")
    services.triage(manager, req)
    client.force_login(manager)
    page = client.get(reverse("requests:detail", args=[req.pk])).content.decode()
    assert "not eligible, Canto status is Pending, not Approved" in page
    assert "Uploaded to the album.pdf" in page
    refused = act(client, req, "deliver", asset=draft.pk)
    assert refused.status_code == 400 and "cannot be released" in refused.content.decode()
    unknown = act(client, req, "deliver", asset_ref="no-such-asset")
    assert unknown.status_code == 400 and "no-such-asset" in unknown.content.decode()
    assert not Release.objects.exists()
    response = act(client, req, "deliver", asset=sheet.pk)
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == S.AWAITING_APPROVAL and req.work_asset == sheet
    release = req.delivery_release
    assert release is not None and release.items.get().asset == sheet
    html = client.get(reverse("requests:detail", args=[req.pk])).content.decode()
    assert reverse("releases:detail", args=[release.pk]) in html


def test_delivered_files_link_to_trading_grid(client, manager, reviewer, emea):
    sheet = AssetFactory(name="X200 sheet v3.pdf")
    req = partner_request(emea, assets=[sheet], partner=partner(member_of=emea))
    services.triage(manager, req)
    release = routing.deliver(manager, req, sheet)
    if release.state == Release.State.IN_REVIEW:
        release_services.approve(reviewer, release, revision=release.revision)
    for publication in Publication.objects.filter(release=release):
        trading_grid_accepts(publication, "pub_x200")
    req.refresh_from_db()
    assert req.state == S.DELIVERED
    client.force_login(manager)
    html = client.get(reverse("requests:detail", args=[req.pk])).content.decode()
    live = Publication.objects.get(release=release, tg_id="pub_x200")
    assert escape(publication_url(live, "par_acme")) in html
    assert "pub_x200" in html and "Request delivered" in html


def test_replacement_request_from_a_findability_report(client, manager, emea):
    old = AssetFactory(name="Old brochure.pdf")
    report = partner_request(emea, "Brochure is outdated", kind=K.OUTDATED, assets=[old])
    client.force_login(manager)
    assert (
        "Open a replacement request"
        in client.get(reverse("requests:detail", args=[report.pk])).content.decode()
    )
    response = client.post(reverse("requests:replacement", args=[report.pk]), {})
    created = PartnerRequest.objects.get(opened_from=report)
    assert response["Location"] == reverse("requests:detail", args=[created.pk])
    assert created.kind == K.NEW_ASSET and created.state == S.TRIAGED
    assert list(created.assets.all()) == [old]


# Status links ---------------------------------------------------------------------------------


def test_a_status_link_is_shown_once_and_only_its_hash_is_kept(client, manager, emea):
    req = partner_request(emea)
    client.force_login(manager)
    response = client.post(reverse("requests:issue-link", args=[req.pk]), {"link-days": "30"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = re.search(r"/status/([A-Za-z0-9_-]{20,})/", response.content.decode()).group(1)
    link = StatusLink.objects.get(request=req)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert link.hint == token[:6]
    stored = [getattr(link, f.attname) for f in StatusLink._meta.concrete_fields]
    assert token not in [str(v) for v in stored]
    assert not any(token in str(e.after) for e in AuditEvent.objects.all())
    page = client.get(reverse("requests:detail", args=[req.pk])).content.decode()
    assert token not in page and link.hint in page
    assert client.get(f"/status/{token}/").status_code != 500


def test_revoking_a_link(client, manager, emea):
    req = partner_request(emea)
    client.force_login(manager)
    client.post(reverse("requests:issue-link", args=[req.pk]), {"link-days": "7"})
    link = StatusLink.objects.get(request=req)
    response = client.post(reverse("requests:revoke-link", args=[req.pk, link.pk]), follow=True)
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == manager
    assert f"Link {link.hint}… revoked" in " ".join(shown_messages(response))
    again = client.post(reverse("requests:revoke-link", args=[req.pk, link.pk]), follow=True)
    assert "This link is already revoked." in shown_messages(again)
    assert actions_of(req) == ["request.status_link_issued", "request.status_link_revoked"]


def test_bad_link_lifetime_is_a_form_error(client, manager, emea):
    req = partner_request(emea)
    client.force_login(manager)
    response = client.post(reverse("requests:issue-link", args=[req.pk]), {"link-days": "900"})
    assert response.status_code == 400 and not StatusLink.objects.exists()


def test_a_new_link_is_mailed_to_the_partners_contacts(
    client, manager, emea, eager_tasks, django_capture_on_commit_callbacks
):
    acme = partner()
    Contact.objects.create(partner=acme, tg_id="con_1", email="buyer@acme.test", locale="en")
    req = partner_request(emea, partner=acme)
    lonely = partner_request(emea, partner=partner("par_lone", "Lone Ltd"))
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("requests:send-link", args=[req.pk]), follow=True)
    assert "e-mailed" in " ".join(shown_messages(response))
    assert [m.to for m in mail.outbox] == [["buyer@acme.test"]]
    assert "/status/" in mail.outbox[0].body and StatusLink.objects.filter(request=req).exists()
    refused = client.post(reverse("requests:send-link", args=[lonely.pk]), follow=True)
    assert "This partner has no contact with an e-mail address." in shown_messages(refused)


# Findability ----------------------------------------------------------------------------------


@pytest.fixture
def reports(emea, apac):
    popular = AssetFactory(name="Popular brochure.pdf")
    rare = AssetFactory(name="Rare sheet.pdf")
    made = {
        "popular": popular,
        "rare": rare,
        "missing": partner_request(emea, "Missing", kind=K.MISSING, assets=[popular]),
        "outdated": partner_request(emea, "Outdated", kind=K.OUTDATED, assets=[popular]),
        "rare_report": partner_request(emea, "Hard", kind=K.HARD_TO_FIND, assets=[rare]),
        "term_1": partner_request(
            emea, "Manual", kind=K.HARD_TO_FIND, search_terms=["x200 manual"]
        ),
        "term_2": partner_request(emea, "Manual?", kind=K.MISSING, search_terms=["x200 manual"]),
    }
    for _ in range(3):
        partner_request(apac, "Elsewhere", kind=K.MISSING, assets=[rare])
    return made


def test_findability_ranks_assets_by_reports_and_lists_unmatched_terms(client, manager, reports):
    client.force_login(manager)
    response = client.get(reverse("requests:findability"))
    assert response.status_code == 200
    ranked = response.context["assets"]
    assert [a.name for a in ranked] == ["Popular brochure.pdf", "Rare sheet.pdf"]
    assert (ranked[0].reports, ranked[0].missing_count, ranked[0].outdated_count) == (2, 1, 1)
    assert ranked[1].reports == 1  # the APAC reports are not the manager's
    terms = response.context["terms"]
    assert terms[0]["term"] == "x200 manual" and terms[0]["reports"] == 2
    html = response.content.decode()
    assert "x200 manual" in html and "Push to Canto" in html


def test_improving_an_asset_queues_canto_writes_and_answers_its_reports(client, manager, reports):
    popular = reports["popular"]
    client.force_login(manager)
    response = client.post(
        reverse("requests:improve", args=[popular.pk]),
        {"improve-tags": "brochure, x200", "improve-keywords": "product leaflet"},
        follow=True,
    )
    assert any("answered" in m for m in shown_messages(response))
    writes = OutboxMessage.objects.filter(object_id=str(popular.pk)).order_by("id")
    assert [(m.operation, m.payload.get("tag") or m.payload.get("keyword")) for m in writes] == [
        ("canto.add_tag", "brochure"),
        ("canto.add_tag", "x200"),
        ("canto.add_keyword", "product leaflet"),
    ]
    for name in ("missing", "outdated"):
        reports[name].refresh_from_db()
        assert reports[name].state == S.DELIVERED
    reports["rare_report"].refresh_from_db()
    assert reports["rare_report"].state == S.NEW
    assert AuditEvent.objects.filter(action="findability.improved").count() == 1
    empty = client.post(reverse("requests:improve", args=[popular.pk]), {}, follow=True)
    assert any("at least one tag or keyword" in m for m in shown_messages(empty))


def test_a_failed_search_word_becomes_a_keyword_of_the_chosen_asset(client, manager, reports):
    rare = reports["rare"]
    client.force_login(manager)
    response = client.post(
        reverse("requests:attach-term"),
        {"term-term": "x200 manual", "term-asset": rare.canto_id},
        follow=True,
    )
    assert response.status_code == 200
    keyword = OutboxMessage.objects.get(operation="canto.add_keyword")
    assert keyword.payload["keyword"] == "x200 manual" and keyword.payload["id"] == rare.canto_id
    for name in ("term_1", "term_2"):
        reports[name].refresh_from_db()
        assert reports[name].state == S.DELIVERED and rare in reports[name].assets.all()
    unknown = client.post(
        reverse("requests:attach-term"),
        {"term-term": "x200 manual", "term-asset": "nope"},
        follow=True,
    )
    assert any("nope" in m for m in shown_messages(unknown))


def test_readers_see_findability_without_forms(client, reviewer, reports):
    client.force_login(reviewer)
    html = client.get(reverse("requests:findability")).content.decode()
    assert "Popular brochure.pdf" in html and "Push to Canto" not in html
    response = client.post(
        reverse("requests:improve", args=[reports["popular"].pk]), {"improve-tags": "x"}
    )
    assert response.status_code == 403 and not OutboxMessage.objects.exists()


# What other pages show ------------------------------------------------------------------------


def test_asset_page_shows_its_language_family_and_open_requests(client, manager, emea, apac):
    source = AssetFactory(name="X200 brochure EN.pdf", language="en")
    german = AssetFactory(name="X200 Broschüre.pdf", language="de")
    french = AssetFactory(name="X200 brochure FR.pdf", language="fr")
    LocalisedVariant.objects.create(source=source, variant=german, locale="de-DE")
    LocalisedVariant.objects.create(source=source, variant=french, locale="fr")
    asking = partner_request(emea, "Spanish please", kind=K.LOCALIZED_VERSION, assets=[german])
    partner_request(apac, "Hidden ask", assets=[german])
    client.force_login(manager)
    response = client.get(reverse("catalog:detail", args=[german.pk]))
    html = response.content.decode()
    assert "Language family" in html
    for asset in (source, french):
        assert reverse("catalog:detail", args=[asset.pk]) in html
    assert response.context["family"]["missing"] == ["es", "it", "nl"]
    assert reverse("requests:detail", args=[asking.pk]) in html and "Hidden ask" not in html


def test_community_page_links_its_open_requests(client, manager, emea):
    late = partner_request(emea, "Late one", due_in=timedelta(hours=-3), owner=manager)
    client.force_login(manager)
    html = client.get(reverse("communities:detail", args=[emea.pk])).content.decode()
    assert reverse("requests:detail", args=[late.pk]) in html
    assert "overdue" in html and "In progress" not in html and "New" in html


def test_dashboard_counts_requests_that_need_attention(client, manager, emea, apac):
    partner_request(emea, "Late", due_in=timedelta(hours=-1))
    partner_request(emea, "Late too", due_in=timedelta(days=-2), owner=manager, state=S.TRIAGED)
    partner_request(emea, "Soon", due_in=timedelta(hours=5), owner=manager, state=S.TRIAGED)
    partner_request(apac, "Late elsewhere", due_in=timedelta(hours=-1))
    client.force_login(manager)
    response = client.get(reverse("dashboard"))
    assert response.context["request_counts"] == {"overdue": 2, "due_soon": 1, "unowned": 1}
    html = response.content.decode()
    assert "?standing=breached" in html and "Requests" in html and "Findability" in html


def test_htmx_filtering_returns_the_table_with_its_save_and_export_query(client, manager, emea):
    question = partner_request(emea, "Where is the manual?", kind=K.QUESTION)
    client.force_login(manager)
    response = client.get(reverse("requests:list"), {"kind": "question"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">') and "<html" not in html
    assert question.reference in html and 'value="kind=question"' in html
    assert f"{reverse('requests:export')}?kind=question" in html


def test_admins_set_service_levels_and_read_requests_in_the_admin(client, portal_admin, emea):
    req = partner_request(emea, "Read only here")
    client.force_login(portal_admin)
    response = client.post(
        reverse("admin:requests_app_servicelevel_add"),
        {"kind": K.QUESTION, "target_hours": "8", "warn_hours": "2"},
    )
    assert response.status_code == 302
    assert sla.level(K.QUESTION) == (8, 2)
    assert client.get(reverse("admin:requests_app_partnerrequest_changelist")).status_code == 200
    page = client.get(reverse("admin:requests_app_partnerrequest_change", args=[req.pk]))
    assert page.status_code == 200 and "Read only here" in page.content.decode()
    assert client.get(reverse("admin:requests_app_partnerrequest_add")).status_code == 403
