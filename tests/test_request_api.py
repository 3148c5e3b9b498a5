"""``/api/v1/requests/``: partner requests as a script meets them, every step and refusal."""

from datetime import datetime, timedelta
from itertools import count

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditEvent
from portal import roles
from portal.models import Contact, Membership, Partner, Publication, Release
from requests_app import links
from requests_app.models import PartnerRequest, RequestComment, StatusLink
from tests.factories import AssetFactory, UserFactory
from tests.release_support import grant

URL = "/api/v1/requests/"
K = PartnerRequest.Kind
_tg_ids = count(1)


def make(community, kind=K.ASSET_REQUEST, subject="Pump X200 brochure", **fields):
    return PartnerRequest.objects.create(
        community=community,
        kind=kind,
        subject=subject,
        tg_id=f"tgreq_{next(_tg_ids)}",
        tg_status="new",
        **fields,
    )


def member_of(community, name: str = "Acme Pumps") -> Partner:
    partner = Partner.objects.create(tg_id=f"tg-{name}", company_name=name, language="en")
    Membership.objects.create(partner=partner, community=community)
    return partner


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def act(client, req, action, data=None):
    return client.post(f"{URL}{req.pk}/{action}/", data or {}, format="json")


def events(req, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="requests_app.partnerrequest", object_id=str(req.pk), action=action
        ).order_by("seq")
    )


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [r["id"] for r in response.json()["results"]]


@pytest.fixture
def new(emea):
    return make(emea, partner=member_of(emea))


@pytest.fixture
def triaged(manager, new):
    assert act(as_user(manager), new, "triage").status_code == 200
    new.refresh_from_db()
    return new


@pytest.fixture
def mia(emea):
    """A second manager of EMEA."""
    person = UserFactory(username="mia", role=roles.CONTENT_MANAGER)
    grant(emea, person)
    return person


@pytest.mark.django_db
def test_list_and_detail_show_only_requests_of_granted_communities(
    manager, portal_admin, emea, apac, new
):
    hidden = make(apac, subject="APAC price list")
    assert ids(as_user(manager).get(URL)) == [new.pk]
    assert sorted(ids(as_user(portal_admin).get(URL))) == [new.pk, hidden.pk]
    for path in ("", "comments/", "status-links/"):
        assert as_user(manager).get(f"{URL}{hidden.pk}/{path}").status_code == 404
    for step in ("triage", "start", "close"):
        assert act(as_user(manager), hidden, step).status_code == 404
    assert APIClient().get(URL).status_code == 401
    body = as_user(manager).get(f"{URL}{new.pk}/").json()
    assert body["reference"] == f"REQ-{new.pk}" and body["tg_id"] == new.tg_id
    assert body["community"]["name"] == "EMEA distributors"
    assert body["partner"]["company_name"] == "Acme Pumps"
    assert (body["state"], body["tg_status"], body["owner"], body["standing"]) == (
        "new",
        "new",
        None,
        "",
    )
    assert body["assets"] == [] and body["delivered_files"] == []
    assert body["delivery_release"] is None and body["work_asset"] is None


@pytest.mark.django_db
def test_auditors_see_granted_requests_but_change_nothing(auditor, emea, new):
    assert ids(as_user(auditor).get(URL)) == []
    grant(emea, auditor)
    client = as_user(auditor)
    assert ids(client.get(URL)) == [new.pk]
    assert client.get(f"{URL}{new.pk}/comments/").status_code == 200
    assert client.get(f"{URL}{new.pk}/status-links/").status_code == 200


@pytest.mark.django_db
def test_list_uses_the_queue_filters(manager, reviewer, emea, new):
    now = timezone.now()
    mine = make(emea, K.QUESTION, subject="Where is the logo?", owner=manager, state="triaged")
    late = make(emea, K.MISSING, subject="Missing manual", due_at=now - timedelta(hours=1))
    done = make(emea, K.OUTDATED, subject="Old sheet", state="closed", due_at=now - timedelta(1))
    client = as_user(manager)
    assert ids(client.get(URL, {"state": "triaged"})) == [mine.pk]
    assert sorted(ids(client.get(URL, {"state": ["new", "closed"]}))) == sorted(
        [new.pk, late.pk, done.pk]
    )
    assert ids(client.get(URL, {"kind": "question"})) == [mine.pk]
    assert ids(client.get(URL, {"owner": "me"})) == [mine.pk]
    assert ids(as_user(reviewer).get(URL, {"owner": "me"})) == []
    assert mine.pk not in ids(client.get(URL, {"owner": "none"}))
    assert ids(client.get(URL, {"standing": "breached"})) == [late.pk]
    assert ids(client.get(URL, {"q": f"REQ-{late.pk}"})) == [late.pk]
    assert ids(client.get(URL, {"q": f"req-{mine.pk}"})) == [mine.pk]
    assert ids(client.get(URL, {"q": done.tg_id})) == [done.pk]
    assert ids(client.get(URL, {"q": "acme"})) == [new.pk]
    assert done.pk not in ids(client.get(URL, {"status": "open"}))
    assert ids(client.get(URL, {"community": emea.pk, "kind": "outdated"})) == [done.pk]
    late_first = {"ordering": "-due", "kind": ["missing", "outdated"]}
    assert ids(client.get(URL, late_first)) == [late.pk, done.pk]
    standing = {r["id"]: r["standing"] for r in client.get(URL).json()["results"]}
    assert standing == {new.pk: "", mine.pk: "", late.pk: "breached", done.pk: ""}
    for bad in ({"state": "bogus"}, {"standing": "late"}, {"received_since": "last week"}):
        assert client.get(URL, bad).status_code == 400, bad


def _build_requests(n: int, emea, manager, partner) -> None:
    asset = AssetFactory()
    for i in range(n):
        release = Release.objects.create(name=f"Delivery {i}", created_by=manager)
        release.communities.set([emea])
        req = make(
            emea,
            K.LOCALIZED_VERSION,
            partner=partner,
            owner=manager,
            state="awaiting_approval",
            due_at=timezone.now() + timedelta(days=i + 1),
            work_asset=asset,
            delivery_release=release,
            search_terms=["pump"],
        )
        req.assets.set([asset, AssetFactory()])
        for live in (True, False):
            Publication.objects.create(
                release=release,
                asset=asset,
                community=emea,
                version_no=1,
                title=asset.name,
                external_ref=f"r{release.pk}-{live}",
                tg_id=f"pub_{release.pk}_{live}",
                state="live" if live else "withdrawn",
            )
        RequestComment.objects.create(request=req, body="Thanks", visibility="public")


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_the_number_of_requests(manager, emea):
    partner = member_of(emea)
    client = as_user(manager)
    client.get(URL)  # warms the per-user permission caches both runs then share
    counts = []
    for more in (3, 27):
        _build_requests(more, emea, manager, partner)
        with CaptureQueriesContext(connection) as queries:
            body = client.get(URL, {"page_size": 50}).json()
        counts.append((body["count"], len(queries)))
    assert counts[0][0] == 3 and counts[1][0] == 30
    assert counts[0][1] == counts[1][1], counts
    first = body["results"][0]
    assert len(first["assets"]) == 2 and first["owner"] == "max"
    assert first["standing"] in ("on_track", "due_soon")
    [file] = first["delivered_files"]
    assert file["tg_publication_id"].startswith("pub_") and file["tg_publication_id"] in file["url"]
    assert first["delivery_release"]["state"] == "draft" and first["work_asset"]["canto_id"]
    assert first == client.get(f"{URL}{first['id']}/").json()


@pytest.mark.django_db
def test_triage_assign_and_due_date(manager, mia, reviewer, new):
    client = as_user(manager)
    unknown = act(client, new, "triage", {"owner": "nobody"})
    assert unknown.status_code == 400 and "owner" in unknown.json()
    assert "due_at" in act(client, new, "triage", {"due_at": "next week"}).json()
    not_a_manager = act(client, new, "triage", {"owner": "rita"})
    assert not_a_manager.status_code == 400 and "may not work on" in not_a_manager.json()["detail"]
    due = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    done = act(client, new, "triage", {"owner": "mia", "due_at": due.isoformat()})
    assert done.status_code == 200, done.json()
    body = done.json()
    assert (body["state"], body["owner"], body["tg_status"]) == ("triaged", "mia", "open")
    assert datetime.fromisoformat(body["due_at"]) == due
    assert body["standing"] == "on_track"
    [event] = events(new, "request.triaged")
    assert event.after["owner"] == "mia" and event.actor_name == "max"
    assert act(client, new, "triage").status_code == 409

    assert "owner" in act(client, new, "assign").json()
    assert act(client, new, "assign", {"owner": "ghost"}).status_code == 400
    assigned = act(client, new, "assign", {"owner": "max"})
    assert assigned.status_code == 200 and assigned.json()["owner"] == "max"
    assert events(new, "request.assigned")[0].before == {"owner": "mia"}

    later = due + timedelta(days=2)
    for data in ({"due_at": later.isoformat()}, {"due_at": later.isoformat(), "reason": " "}):
        missing = act(client, new, "due", data)
        assert missing.status_code == 400 and "reason" in missing.json()
    assert "due_at" in act(client, new, "due", {"reason": "Printer late"}).json()
    moved = act(client, new, "due", {"due_at": later.isoformat(), "reason": "Printer late"})
    assert moved.status_code == 200
    [event] = events(new, "request.due_changed")
    assert event.reason == "Printer late"
    new.refresh_from_db()
    assert new.due_at == later


@pytest.mark.django_db
def test_start_ask_answer_close(manager, triaged):
    client = as_user(manager)
    started = act(client, triaged, "start")
    assert started.status_code == 200 and started.json()["state"] == "in_progress"
    assert len(events(triaged, "request.started")) == 1
    assert act(client, triaged, "start").status_code == 409
    assert "question" in act(client, triaged, "ask", {"question": ""}).json()
    asked = act(client, triaged, "ask", {"question": "Which language?"})
    assert asked.status_code == 200 and asked.json()["state"] == "waiting_for_partner"
    assert len(events(triaged, "request.waiting_for_partner")) == 1
    question = triaged.comments.get(body="Which language?")
    assert question.visibility == "public" and question.author == manager
    assert "text" in act(client, triaged, "answer").json()
    answered = act(client, triaged, "answer", {"text": "It is on page 4."})
    body = answered.json()
    assert answered.status_code == 200 and body["state"] == "delivered" and body["delivered_at"]
    assert events(triaged, "request.answered")[0].reason == "It is on page 4."
    closed = act(client, triaged, "close", {"reason": "Confirmed by phone"})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert closed.json()["closed_at"]
    assert events(triaged, "request.closed")[0].reason == "Confirmed by phone"
    assert act(client, triaged, "close", {"reason": "Again"}).status_code == 409


@pytest.mark.django_db
def test_reject_and_reopen(manager, new):
    client = as_user(manager)
    for data in (None, {"reason": ""}, {"reason": "   "}, {"reason": ["x"]}):
        refused = act(client, new, "reject", data)
        assert refused.status_code == 400 and "reason" in refused.json()
    assert "reason" in act(client, new, "reopen", {"reason": ""}).json()
    assert act(client, new, "reopen", {"reason": "Still open"}).status_code == 409
    rejected = act(client, new, "reject", {"reason": " Not our product "})
    body = rejected.json()
    assert rejected.status_code == 200 and body["state"] == "rejected"
    assert body["rejection_reason"] == "Not our product" and body["tg_status"] == "cancelled"
    [event] = events(new, "request.rejected")
    assert event.reason == "Not our product" and event.before == {"state": "new"}
    assert act(client, new, "reject", {"reason": "Again"}).status_code == 409
    reopened = act(client, new, "reopen", {"reason": "Partner explained"})
    assert reopened.status_code == 200 and reopened.json()["state"] == "in_progress"
    assert reopened.json()["closed_at"] is None
    assert events(new, "request.reopened")[0].reason == "Partner explained"
    assert act(client, new, "close").status_code == 409


@pytest.mark.django_db
def test_wrong_state_is_409(manager, new):
    client = as_user(manager)
    cases = [
        ("start", None),
        ("ask", {"question": "Which one?"}),
        ("answer", {"text": "Here"}),
        ("close", None),
        ("deliver", {"asset": AssetFactory().pk}),
    ]
    for step, data in cases:
        response = act(client, new, step, data)
        assert response.status_code == 409, (step, response.content)
        assert response.json()["detail"], step
    new.state = "closed"
    new.save()
    due = {"due_at": timezone.now().isoformat(), "reason": "x"}
    for step, data in (("assign", {"owner": "max"}), ("due", due)):
        assert act(client, new, step, data).status_code == 409, step
    assert not AuditEvent.objects.filter(object_type="requests_app.partnerrequest").exists()


@pytest.mark.django_db
def test_roles_without_change_get_403(auditor, reviewer, manager, emea, new):
    grant(emea, auditor)
    due = timezone.now().isoformat()
    cases = [
        ("triage", {}),
        ("assign", {"owner": "max"}),
        ("due", {"due_at": due, "reason": "x"}),
        ("start", {}),
        ("ask", {"question": "q"}),
        ("reject", {"reason": "r"}),
        ("answer", {"text": "t"}),
        ("deliver", {}),
        ("close", {}),
        ("reopen", {"reason": "r"}),
        ("comments", {"body": "b"}),
        ("status-links", {}),
        ("status-links/send", {}),
    ]
    link, _token = links.issue(manager, new)
    cases.append((f"status-links/{link.pk}/revoke", {}))
    for person in (auditor, reviewer):
        client = as_user(person)
        assert client.get(f"{URL}{new.pk}/").status_code == 200
        for step, data in cases:
            assert act(client, new, step, data).status_code == 403, (person, step)
    new.refresh_from_db()
    assert new.state == "new" and not new.comments.exists()
    assert new.status_links.get().revoked_at is None


@pytest.mark.django_db
def test_deliver_submits_a_release_of_the_file(manager, triaged):
    client = as_user(manager)
    nothing = act(client, triaged, "deliver")
    assert nothing.status_code == 400 and "asset" in nothing.json()["detail"]
    assert "asset" in act(client, triaged, "deliver", {"asset": 999999}).json()
    pending = AssetFactory(approval_status="In review")
    assert act(client, triaged, "deliver", {"asset": pending.pk}).status_code == 400
    asset = AssetFactory(name="Pump X200 brochure DE.pdf")
    delivered = act(client, triaged, "deliver", {"asset": asset.pk})
    assert delivered.status_code == 200, delivered.json()
    body = delivered.json()
    release = Release.objects.get(pk=body["release"]["id"])
    assert body["release"]["state"] == release.state == "in_review"
    assert body["request"]["state"] == "awaiting_approval"
    assert body["request"]["delivery_release"] == {
        "id": release.pk,
        "name": release.name,
        "state": "in_review",
    }
    assert body["request"]["work_asset"]["id"] == asset.pk
    assert release.partners.get().company_name == "Acme Pumps"
    [event] = events(triaged, "request.delivery_started")
    assert event.after["release"] == release.pk
    busy = act(client, triaged, "deliver", {"asset": asset.pk})
    assert busy.status_code == 409 and "still" in busy.json()["detail"]


@pytest.mark.django_db
def test_comments_of_both_visibilities(manager, reviewer, new):
    RequestComment.objects.create(request=new, author_name="Partner", body="Any news?")
    client = as_user(manager)
    for data in ({}, {"body": ""}, {"body": "x", "internal": "maybe"}, {"body": "x" * 10_001}):
        assert client.post(f"{URL}{new.pk}/comments/", data, format="json").status_code == 400
    internal = client.post(
        f"{URL}{new.pk}/comments/", {"body": "Ask Canto team", "internal": True}, format="json"
    )
    assert internal.status_code == 201
    assert internal.json()["internal"] is True and internal.json()["author"] == "max"
    public = client.post(f"{URL}{new.pk}/comments/", {"body": " On its way "}, format="json")
    assert public.status_code == 201 and public.json()["visibility"] == "public"
    assert public.json()["body"] == "On its way"
    visibilities = [e.after["visibility"] for e in events(new, "request.commented")]
    assert visibilities == ["internal", "public"]
    listed = as_user(reviewer).get(f"{URL}{new.pk}/comments/").json()
    assert [(c["body"], c["internal"]) for c in listed] == [
        ("Any news?", False),
        ("Ask Canto team", True),
        ("On its way", False),
    ]
    assert listed[0]["origin"] == "tradinggrid" and listed[1]["origin"] == "portal"


@pytest.mark.django_db
def test_status_links_show_their_url_once(manager, emea, new):
    client = as_user(manager)
    path = f"{URL}{new.pk}/status-links/"
    for days in (0, 366, "soon"):
        assert client.post(path, {"days": days}, format="json").status_code == 400
    issued = client.post(path, {"days": 7}, format="json")
    assert issued.status_code == 201, issued.json()
    assert issued["Cache-Control"] == "no-store"
    body = issued.json()
    token = body["url"].rstrip("/").rsplit("/", 1)[-1]
    link = StatusLink.objects.get(pk=body["id"])
    assert body["token_shown_once"] is True and links.digest(token) == link.token_hash
    assert body["url"] == links.url_for(token) and body["hint"] == token[:6]
    assert abs(link.expires_at - link.created_at - timedelta(days=7)) < timedelta(minutes=1)
    assert len(events(new, "request.status_link_issued")) == 1
    second = client.post(path, {"revoke_others": True}, format="json").json()
    listing = client.get(path)
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()] == [second["id"], link.pk]
    assert token not in listing.content.decode() and link.token_hash not in listing.content.decode()
    assert not {"url", "token", "token_hash"} & set(listing.json()[0])
    assert listing.json()[1]["revoked_at"] and not listing.json()[1]["active"]

    other = make(emea)
    foreign, _ = links.issue(manager, other)
    assert client.post(f"{path}{foreign.pk}/revoke/").status_code == 404
    assert client.post(f"{path}999999/revoke/").status_code == 404
    revoked = client.post(f"{path}{second['id']}/revoke/")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] and revoked.json()["revoked_by"] == "max"
    again = client.post(f"{path}{second['id']}/revoke/")
    assert again.status_code == 409 and "already revoked" in again.json()["detail"]
    assert len(events(new, "request.status_link_revoked")) == 2


@pytest.mark.django_db
def test_send_status_link_needs_a_contact_with_email(
    manager, emea, new, django_capture_on_commit_callbacks
):
    client = as_user(manager)
    send = f"{URL}{new.pk}/status-links/send/"
    refused = client.post(send, {}, format="json")
    assert refused.status_code == 400 and "e-mail" in refused.json()["detail"]
    without_partner = make(emea)
    assert client.post(f"{URL}{without_partner.pk}/status-links/send/").status_code == 400
    Contact.objects.create(partner=new.partner, tg_id="c1", email="", first_name="Ana")
    assert client.post(send, {}, format="json").status_code == 400
    Contact.objects.create(partner=new.partner, tg_id="c2", email="ana@acme.example")
    assert client.post(send, {"days": "soon"}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=False) as queued:
        accepted = client.post(send, {"days": 14}, format="json")
    assert accepted.status_code == 202 and accepted.json()["detail"]
    assert len(queued) == 1
    assert not StatusLink.objects.exists()


@pytest.mark.django_db
def test_scripts_use_tokens_and_are_audited_as_such(manager, new):
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=manager).key}")
    assert script.get(URL).json()["count"] == 1
    assert act(script, new, "triage").status_code == 200
    comment = script.post(f"{URL}{new.pk}/comments/", {"body": "Noted"}, format="json")
    assert comment.status_code == 201
    for action in ("request.triaged", "request.commented"):
        [event] = events(new, action)
        assert (event.actor_type, event.actor_name, event.via) == ("api_token", "max", "api")
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token nope")
    assert bad.get(URL).status_code == 401


@pytest.mark.django_db
def test_session_clients_work_too(client, manager, new):
    client.force_login(manager)
    assert client.get(URL).json()["count"] == 1
    triaged = client.post(f"{URL}{new.pk}/triage/", {}, content_type="application/json")
    assert triaged.status_code == 200
    [event] = events(new, "request.triaged")
    assert event.actor_type == "user"


@pytest.mark.django_db
def test_bad_input_never_gives_a_500(manager, reviewer, new):
    client = as_user(manager)
    bodies = [None, [], "text", 12, {"reason": {"a": 1}}, {"owner": None}, {"asset": None}]
    bodies += [{"due_at": None}, {"days": None}, {"body": None}, {"internal": None}]
    paths = [
        "triage/",
        "assign/",
        "due/",
        "ask/",
        "reject/",
        "answer/",
        "deliver/",
        "close/",
        "reopen/",
        "comments/",
        "status-links/",
        "status-links/send/",
        "status-links/1/revoke/",
    ]
    for body in bodies:
        for path in paths:
            for who in (client, as_user(reviewer)):
                response = who.post(f"{URL}{new.pk}/{path}", body, format="json")
                assert response.status_code < 500, (path, body, response.content)
    for path in ("abc/", "999999/", f"{new.pk}/status-links/abc/revoke/", f"{new.pk}/nope/"):
        assert client.get(f"{URL}{path}").status_code == 404
    assert client.put(f"{URL}{new.pk}/", {}, format="json").status_code == 405
    assert client.delete(f"{URL}{new.pk}/").status_code == 405
    assert client.get(f"{URL}{new.pk}/triage/").status_code == 405


@pytest.mark.django_db
def test_openapi_schema_describes_the_request_api(client, tmp_path):
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    listing = {p["name"] for p in paths["/api/v1/requests/"]["get"]["parameters"]}
    assert {"q", "state", "kind", "owner", "standing", "community", "ordering"} <= listing
    assert {"400", "403", "404", "409"} <= set(
        paths["/api/v1/requests/{id}/reject/"]["post"]["responses"]
    )
    assert "requestBody" in paths["/api/v1/requests/{id}/comments/"]["post"]
    assert "201" in paths["/api/v1/requests/{id}/status-links/"]["post"]["responses"]
    revoke = paths["/api/v1/requests/{id}/status-links/{link_id}/revoke/"]["post"]
    assert "409" in revoke["responses"]
    assert "202" in paths["/api/v1/requests/{id}/status-links/send/"]["post"]["responses"]
