"""A partner request end to end: real Celery workers, both sandboxes firing their webhooks at the
live test server.

The partner opens and confirms the request in the Trading Grid sandbox's partner view; the
content team works in the Canto sandbox; the manager and the reviewer act through the services
the pages call. Everything in between (intake, the Canto work item, noticing the new file,
publishing, telling the partner) happens in the worker.
"""

from __future__ import annotations

from html import escape

import pytest
from django.conf import settings
from django.utils import formats, translation
from django.utils.dateparse import parse_datetime

from integrations.canto.runs import run_catalog_sync
from integrations.tradinggrid.sync import run_partner_sync
from portal import grants
from portal.models import Asset, Publication, Release
from portal.releases import services as releases
from requests_app import routing, services
from requests_app.models import LocalisedVariant, PartnerRequest, RequestComment
from tests.processes import wait_until
from tests.request_flow_support import (
    audit_events,
    german_translations,
    in_language,
    partner_side,
    person,
    state_of,
    unwire_tradinggrid,
    wait_for_request,
    wait_for_state,
    wire_tradinggrid,
)

pytestmark = pytest.mark.django_db(transaction=True)

ACCEPTED = "We have accepted your request %(ref)s. We aim to answer by %(due)s."
BEING_APPROVED = "The content for %(ref)s is ready and is being approved."
DELIVERED = (
    "Delivered: %(files)s is now available to you in %(community)s. "
    "Please confirm that it meets your needs."
)
REQUEST_STEPS = [
    "request.received",
    "request.triaged",
    "request.routed_to_canto",
    "request.album_created",
    "request.content_arrived",
    "request.delivery_started",
    "request.delivered",
    "request.confirmed",
    "request.closed",
]


@pytest.fixture
def wired_tradinggrid(tradinggrid, live_server):
    """The Trading Grid sandbox delivering its events to the live test server."""
    wire_tradinggrid(tradinggrid, live_server.url)
    yield tradinggrid
    unwire_tradinggrid(tradinggrid)


@pytest.fixture
def side(wired_canto, wired_tradinggrid, manager, reviewer):
    """Both sandboxes mirrored; a partner, and a manager and reviewer of its community."""
    run_catalog_sync(full=True)
    run_partner_sync(full=True)
    found = partner_side(wired_tradinggrid)
    for person_ in (manager, reviewer):
        grants.grant_community(person_, found.community)
    return found


def _portal_comments_in_tradinggrid(remote: dict) -> list[dict]:
    return [
        c for c in remote["comments"] if str(c["author"].get("id")).startswith("portal-comment-")
    ]


def test_a_localisation_request_goes_from_the_partner_through_canto_and_back(
    side, wired_canto, manager, reviewer, celery_worker
):
    canto = wired_canto
    source = (
        Asset.objects.filter(approval_status="Approved", expires_at=None, deleted_in_canto=False)
        .order_by("pk")
        .first()
    )
    statuses = []

    # The partner opens the request in Trading Grid; its event brings it into the portal.
    tg_id = side.open_request(
        type="localization",
        subject="Pump X200 data sheet in German",
        locale="de",
        external_ref=source.canto_id,
        description="Our dealers in Austria need the data sheet in German.",
    )
    statuses.append(side.remote(tg_id)["status"])
    request = wait_for_request(tg_id)
    assert (request.kind, request.locale, request.state) == ("localized_version", "de", "new")
    assert (request.partner, request.community) == (side.partner, side.community)
    assert list(request.assets.all()) == [source]
    ref = request.reference

    # The manager triages it: Trading Grid hears it is accepted, Canto gets the work item.
    with person(manager):
        services.triage(manager, request)
    request.refresh_from_db()
    assert (request.state, request.owner) == ("triaged", manager)
    accepted = side.wait_for_remote_status(tg_id, "open")
    statuses.append(accepted["status"])
    wait_until(
        lambda: side.remote(tg_id)["assignee"] is not None,
        timeout=10,
        message="the owner was not shown in Trading Grid",
    )
    remote = side.remote(tg_id)
    assert remote["assignee"] == (manager.get_full_name() or manager.get_username())
    assert parse_datetime(remote["due_at"]) == request.due_at.replace(microsecond=0)
    wait_until(
        lambda: PartnerRequest.objects.filter(pk=request.pk).exclude(canto_album_id="").exists(),
        timeout=20,
        message="the request's album was not created in Canto",
    )
    request.refresh_from_db()
    albums = {a["id"]: a for a in canto.control("GET", "info")["albums"]}
    album = albums[request.canto_album_id]
    assert album["name"] == request.canto_album_name == routing.album_name(request)
    assert album["name"].startswith(f"{ref} ")
    assert album["namePath"].split("/")[-2:] == [settings.CANTO_REQUESTS_FOLDER, album["name"]]
    tagged = wait_until(
        lambda: (
            (found := canto.control("GET", f"assets/{source.canto_id}"))
            and f"partner-request:{ref}" in found["tag"]
            and any(
                ref in c["comment"] and side.partner.company_name in c["comment"]
                for c in found["comments"]
            )
            and found
        ),
        timeout=20,
        message=f"the source asset was not tagged and commented for {ref} in Canto",
    )
    assert tagged["tag"].count(f"partner-request:{ref}") == 1

    # The content team uploads the German file into the album: the request awaits approval.
    uploaded = canto.control(
        "POST",
        "assets",
        {
            "name": "Pump X200 Datenblatt.pdf",
            "album": request.canto_album_id,
            "approvalStatus": "Pending",
            "additional": {"Language": "de"},
        },
    )
    wait_for_state(request, "awaiting_approval")
    german = Asset.objects.get(canto_id=uploaded["id"])
    assert request.work_asset == german
    assert (german.language, german.approval_status) == ("de", "Pending")
    statuses.append(side.wait_for_remote_status(tg_id, "pending_internal")["status"])

    # They approve it in Canto; the manager delivers it with a release to the partner.
    canto.control("POST", f"assets/{german.canto_id}/status", {"status": "Approved"})
    wait_until(
        lambda: Asset.objects.get(pk=german.pk).approval_status == "Approved",
        timeout=20,
        message="the approval in Canto did not reach the catalog",
    )
    german.refresh_from_db()
    with person(manager):
        release = routing.deliver(manager, request, german)
    request.refresh_from_db()
    assert (request.state, request.delivery_release, request.work_asset) == (
        "awaiting_approval",
        release,
        german,
    )
    assert list(release.partners.all()) == [side.partner]
    assert release.submitted_by == manager
    if side.community.review_optional:
        review_step = "release.review_skipped"
    else:
        assert release.state == Release.State.IN_REVIEW
        with person(reviewer):
            releases.approve(reviewer, release, revision=release.revision)
        review_step = "release.approved"
        assert release.reviews.get().reviewer == reviewer  # four eyes: not the submitter
    wait_until(
        lambda: Release.objects.get(pk=release.pk).state == Release.State.PUBLISHED,
        message=f"the delivery release is {Release.objects.get(pk=release.pk).state}",
    )
    wait_for_state(request, "delivered")
    statuses.append(side.wait_for_remote_status(tg_id, "resolved")["status"])
    publication = Publication.objects.get(release=release, state="live")
    assert publication.asset == german and publication.community == side.community
    variant = LocalisedVariant.objects.get(variant=german)
    assert (variant.source, variant.locale, variant.request) == (source, "de", request)

    # What the partner now reads, in German (the request's locale) where translations exist.
    with translation.override("de"):
        due = formats.date_format(request.due_at, "DATE_FORMAT")
    expected = [
        in_language("de", ACCEPTED, ref=ref, due=due),
        in_language("de", BEING_APPROVED, ref=ref),
        in_language("de", DELIVERED, files=german.name, community=side.community.name),
    ]
    told = wait_until(
        lambda: (
            len(found := _portal_comments_in_tradinggrid(side.remote(tg_id))) >= len(expected)
            and found
        ),
        timeout=20,
        message="the portal's comments did not all reach Trading Grid",
    )
    assert [c["body"] for c in told] == expected
    assert {c["visibility"] for c in told} == {"public"}
    assert ref in told[0]["body"] and ref in told[1]["body"]
    assert german.name in told[2]["body"] and side.community.name in told[2]["body"]
    if german_translations():  # else the portal can only write English: checked above
        english = [
            in_language("en", ACCEPTED, ref=ref, due=due),
            in_language("en", BEING_APPROVED, ref=ref),
            in_language("en", DELIVERED, files=german.name, community=side.community.name),
        ]
        assert all(de != en for de, en in zip(expected, english, strict=True)), expected
    # Each came back as a Trading Grid echo and was linked, never stored twice.
    wait_until(
        lambda: not request.comments.filter(tg_id=None).exists(),
        timeout=20,
        message="a portal comment was not linked to its Trading Grid comment",
    )
    assert sorted(request.comments.values_list("tg_id", flat=True)) == sorted(c["id"] for c in told)
    assert request.comments.filter(origin=RequestComment.Origin.PARTNER).count() == 0

    page = side.page()
    assert publication.tg_id in page and german.md5 in page and escape(german.name) in page
    assert escape(expected[2]) in page

    # The partner confirms the delivery in Trading Grid: the request is closed.
    side.confirm(tg_id)
    wait_for_state(request, "closed")
    statuses.append(side.remote(tg_id)["status"])
    assert statuses == ["new", "open", "pending_internal", "resolved", "closed"]

    events = audit_events(request)
    steps = list(events.order_by("pk").values_list("action", flat=True))
    assert [s for s in steps if s in REQUEST_STEPS] == REQUEST_STEPS, steps
    received = events.get(action="request.received")
    assert (received.actor_type, received.via) == ("webhook", "task")  # its event, in the worker
    confirmed = events.get(action="request.confirmed")
    assert (confirmed.actor_type, confirmed.actor_name) == ("partner", side.partner.company_name)
    assert events.get(action="request.triaged").actor_name == manager.get_username()
    assert events.get(action="request.delivery_started").actor_name == manager.get_username()
    release_steps = set(audit_events(release).values_list("action", flat=True))
    missing = {
        "release.created",
        "release.item_added",
        "release.submitted",
        review_step,
        "release.publishing_started",
        "release.published",
    } - release_steps
    assert not missing, f"release not audited: {missing}"
    assert state_of(request) == "closed"  # and it stays closed once every echo is in
    assert side.remote(tg_id)["status"] == "closed"
