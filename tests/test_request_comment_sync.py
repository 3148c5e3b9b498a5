"""Comments between the portal and Trading Grid, both ways, once each: with a real worker and the
Trading Grid sandbox delivering its events (at least once) to the live test server.

A partner's comment is stored once however often its event arrives and however often the poll
reads it again; the portal's comments reach Trading Grid once and their echo only links them.
"""

from __future__ import annotations

from html import escape

import pytest

from integrations import inbox
from integrations.models import InboxEvent
from integrations.tradinggrid.sync import run_partner_sync
from portal import grants
from requests_app import services
from requests_app.intake import poll
from requests_app.models import RequestComment
from tests.processes import wait_until
from tests.request_flow_support import (
    audit_events,
    partner_side,
    person,
    portal_comments,
    redeliver,
    sent_events,
    state_of,
    unwire_tradinggrid,
    wait_for_request,
    wait_for_state,
    wire_tradinggrid,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wired_tradinggrid(tradinggrid, live_server):
    """The Trading Grid sandbox delivering its events to the live test server."""
    wire_tradinggrid(tradinggrid, live_server.url)
    yield tradinggrid
    unwire_tradinggrid(tradinggrid)


@pytest.fixture
def side(wired_tradinggrid, manager):
    """A partner in the Trading Grid sandbox, and a manager of its community in the portal."""
    run_partner_sync(full=True)
    found = partner_side(wired_tradinggrid)
    grants.grant_community(manager, found.community)
    return found


def _opened(side, subject: str):
    """A question the partner asks in the partner view, once the worker brought it in."""
    tg_id = side.open_request(type="question", subject=subject, locale="de")
    return tg_id, wait_for_request(tg_id, timeout=10)


def _remote_comments(side, tg_id: str, body: str) -> list[dict]:
    return [c for c in side.remote(tg_id)["comments"] if c["body"] == body]


def _stored_events(event: dict) -> int:
    """How many inbox rows the portal keeps for one Trading Grid event (by its id)."""
    return InboxEvent.objects.filter(
        fingerprint=inbox.fingerprint("tradinggrid", event["type"], event["id"])
    ).count()


def _processed(event: dict) -> bool:
    return InboxEvent.objects.filter(
        fingerprint=inbox.fingerprint("tradinggrid", event["type"], event["id"]),
        status=InboxEvent.Status.PROCESSED,
    ).exists()


def test_a_partner_comment_is_stored_once_however_often_it_arrives(side, celery_worker):
    tg_id, request = _opened(side, "Where is the 2025 price list?")
    body = "Wir brauchen sie nächste Woche für die Messe."

    side.comment(tg_id, body)
    stored = wait_until(
        lambda: portal_comments(request, body).first(),
        timeout=10,
        message="the partner's comment did not reach the portal",
    )
    (remote,) = _remote_comments(side, tg_id, body)
    assert stored.tg_id == remote["id"]
    assert (stored.origin, stored.author_type, stored.author_name, stored.visibility) == (
        RequestComment.Origin.PARTNER,
        "partner_contact",
        side.contact_name,
        "public",
    )

    # Trading Grid sends the same events again, and the poll reads everything again.
    (commented,) = sent_events(
        side.tradinggrid, "request.comment.created", comment={"id": remote["id"]}
    )
    (created,) = sent_events(side.tradinggrid, "request.created", request={"id": tg_id})
    for event in (commented, created, commented):
        redeliver(side.tradinggrid, event)
    assert [_stored_events(e) for e in (commented, created)] == [1, 1]
    run = poll()
    assert run.state == "succeeded" and run.seen >= 1

    assert portal_comments(request, body).count() == 1
    assert RequestComment.objects.filter(tg_id=remote["id"]).count() == 1
    assert request.comments.count() == 1
    received = audit_events(request).filter(action="request.comment_received")
    assert received.count() == 1
    assert (received.get().actor_type, received.get().actor_name) == ("partner", side.contact_name)
    assert state_of(request) == "new"  # a comment alone moves nothing


def test_a_portal_comment_reaches_tradinggrid_once_and_its_echo_only_links_it(
    side, manager, celery_worker
):
    tg_id, request = _opened(side, "Logo files for the shop window")
    public_body = "Die Logos kommen diese Woche."
    internal_body = "Check with brand first: the shop-window logo is being redrawn."

    with person(manager):
        public = services.comment(manager, request, public_body)
        internal = services.comment(manager, request, internal_body, internal=True)
    assert (public.visibility, internal.visibility) == ("public", "internal")
    assert public.is_public and not internal.is_public

    for comment in (public, internal):
        wait_until(
            lambda c=comment: RequestComment.objects.get(pk=c.pk).tg_id,
            timeout=10,
            message=f"{comment.body!r} was not linked to its Trading Grid comment",
        )
        comment.refresh_from_db()
    (sent_public,) = _remote_comments(side, tg_id, public_body)
    (sent_internal,) = _remote_comments(side, tg_id, internal_body)
    assert (public.tg_id, internal.tg_id) == (sent_public["id"], sent_internal["id"])
    assert (sent_public["visibility"], sent_internal["visibility"]) == ("public", "internal")
    for sent, comment in ((sent_public, public), (sent_internal, internal)):
        assert sent["author"] == {
            "type": "internal_user",
            "id": f"portal-comment-{comment.pk}",
            "name": manager.get_full_name() or manager.get_username(),
        }

    # Trading Grid echoes each comment as request.comment.created; the worker reads them.
    echoes = [
        e
        for sent in (sent_public, sent_internal)
        for e in sent_events(
            side.tradinggrid, "request.comment.created", comment={"id": sent["id"]}
        )
    ]
    assert len(echoes) == 2
    wait_until(
        lambda: all(_processed(e) for e in echoes),
        timeout=10,
        message="the worker did not process the echoes of the portal's comments",
    )
    for event in echoes:
        redeliver(side.tradinggrid, event)
    assert [_stored_events(e) for e in echoes] == [1, 1]
    poll()
    # A read that finds the comment before the outbox recorded its id links it by its author.
    RequestComment.objects.filter(pk=internal.pk).update(tg_id=None)
    poll()
    internal.refresh_from_db()
    assert internal.tg_id == sent_internal["id"]

    assert sorted(request.comments.values_list("pk", flat=True)) == sorted([public.pk, internal.pk])
    assert not request.comments.filter(origin=RequestComment.Origin.PARTNER).exists()
    assert [len(_remote_comments(side, tg_id, b)) for b in (public_body, internal_body)] == [1, 1]
    internal.refresh_from_db()
    assert internal.visibility == "internal" and not internal.is_public
    page = side.page()
    assert escape(public_body) in page
    assert escape(internal_body) not in page  # the partner never sees an internal comment
    commented = audit_events(request).filter(action="request.commented")
    assert sorted(e.after["visibility"] for e in commented) == ["internal", "public"]
    assert not audit_events(request).filter(action="request.comment_received").exists()


def test_a_partner_answer_puts_a_waiting_request_back_in_progress(side, manager, celery_worker):
    tg_id, request = _opened(side, "Brochure for the new pump range?")
    question = "Für welche Region brauchen Sie die Broschüre?"
    with person(manager):
        services.triage(manager, request)
        services.ask_partner(manager, request, question)
    assert state_of(request) == "waiting_for_partner"
    side.wait_for_remote_status(tg_id, "pending_partner", timeout=10)
    wait_until(
        lambda: escape(question) in side.page(),
        timeout=10,
        message="the question did not reach the partner",
    )

    answer = "Österreich und die Schweiz."
    side.comment(tg_id, answer)
    wait_for_state(request, "in_progress", timeout=10)
    side.wait_for_remote_status(tg_id, "pending_internal", timeout=10)
    answered = audit_events(request).get(action="request.partner_answered")
    assert answered.actor_type == "partner"
    assert portal_comments(request, answer).get().origin == RequestComment.Origin.PARTNER
    assert len(_remote_comments(side, tg_id, question)) == 1
    assert (
        portal_comments(request, question).get().tg_id
        == (_remote_comments(side, tg_id, question)[0]["id"])
    )
