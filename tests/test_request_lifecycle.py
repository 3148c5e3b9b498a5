"""Partner requests through their lifecycle, with both sandboxes over HTTP: triage, Canto work
items, arriving content, delivery by a release, the partner's confirmation, and refusals."""

import pytest

from audit.models import AuditEvent
from integrations.models import OutboxMessage
from portal.errors import Conflict, NotAllowed, ServiceError
from portal.models import Release
from portal.releases import services as releases
from requests_app import routing, services
from requests_app.models import LocalisedVariant, PartnerRequest
from tests.request_support import programme, relay

pytestmark = pytest.mark.django_db(transaction=True)
S = PartnerRequest.State


@pytest.fixture
def world(canto, tradinggrid, manager, reviewer):
    return programme(canto, tradinggrid, manager, reviewer)


def trail(request: PartnerRequest) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            object_type="requests_app.partnerrequest", object_id=str(request.pk)
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_a_localisation_request_goes_from_the_partner_through_canto_and_back(
    world, manager, reviewer
):
    source = world.source_asset()
    request = world.open("localization", locale="de", asset_refs=[source.canto_id])
    assert request.state == S.NEW and list(request.assets.all()) == [source]
    assert request.due_at is not None

    services.triage(manager, request)
    relay()
    request.refresh_from_db()
    assert request.state == S.TRIAGED and request.owner == manager
    assert request.canto_album_id and request.canto_album_name.startswith(request.reference)
    assert world.tg_request(request)["status"] == "open"
    assert routing.tag_for(request) in world.canto_asset(source)["tag"]

    german = world.upload(request.canto_album_id, "X200-brochure-de.pdf")
    request.refresh_from_db()
    assert request.state == S.AWAITING_APPROVAL and request.work_asset == german

    with pytest.raises(ServiceError, match="cannot be released"):
        routing.deliver(manager, request, german)
    world.approve_in_canto(german)
    release = routing.deliver(manager, request, german)
    assert release.state == Release.State.IN_REVIEW
    releases.approve(reviewer, release, revision=release.revision)
    relay()
    request.refresh_from_db()
    assert request.state == S.DELIVERED
    assert world.tg_request(request)["status"] == "resolved"
    assert any(german.name in c["body"] for c in world.tg_comments(request))
    assert LocalisedVariant.objects.get(variant=german).source == source

    request = world.partner_sets_status(request, "closed")
    assert request.state == S.CLOSED
    confirmed = AuditEvent.objects.get(action="request.confirmed", object_id=str(request.pk))
    assert confirmed.actor_type == "partner"
    assert trail(request) == [
        "request.received",
        "request.triaged",
        "request.routed_to_canto",
        "request.album_created",
        "request.content_arrived",
        "request.delivery_started",
        "request.delivered",
        "request.changed_in_tradinggrid",
        "request.confirmed",
        "request.closed",
    ]


def test_a_request_about_an_existing_asset_tags_it_and_waits_for_its_new_version(world, manager):
    asset = world.source_asset()
    request = world.open("asset_request", asset_refs=[asset.canto_id], subject="New logo please")
    services.triage(manager, request)
    relay()
    canto = world.canto_asset(asset)
    assert routing.tag_for(request) in canto["tag"]
    assert not OutboxMessage.objects.filter(operation="canto.create_request_album").exists()

    world.canto.control("POST", f"assets/{asset.canto_id}/version", {"comment": "new logo"})
    from integrations.canto.runs import refresh_asset

    refresh_asset(asset.scheme, asset.canto_id)
    request.refresh_from_db()
    assert request.state == S.AWAITING_APPROVAL and request.work_asset == asset


def test_every_state_change_reaches_trading_grid_once_with_a_comment_in_the_partners_words(
    world, manager
):
    request = world.open("question", subject="Where is the price list?")
    services.triage(manager, request)
    services.ask_partner(manager, request, "Which region do you sell in?")
    relay()
    assert world.tg_request(request)["status"] == "pending_partner"
    bodies = [c["body"] for c in world.tg_comments(request)]
    assert bodies.count("Which region do you sell in?") == 1
    assert any(request.reference in b for b in bodies)

    services.answer(manager, request, "The price list is in the Q3 kit.")
    relay()
    request.refresh_from_db()
    assert request.state == S.DELIVERED
    assert world.tg_request(request)["status"] == "resolved"
    assert sum("Q3 kit" in c["body"] for c in world.tg_comments(request)) == 1


def test_the_partner_reopening_a_delivered_request_sends_it_back_to_work(world, manager):
    request = world.open("question", subject="Warranty terms?")
    services.triage(manager, request)
    services.answer(manager, request, "See the warranty sheet.")
    relay()
    request = world.partner_sets_status(request, "open")
    assert request.state == S.IN_PROGRESS
    assert AuditEvent.objects.get(action="request.reopened").actor_type == "partner"


def test_a_rejected_delivery_release_sends_the_request_back_to_work(world, manager, reviewer):
    source = world.source_asset()
    request = world.open("asset_request", asset_refs=[source.canto_id])
    services.triage(manager, request)
    release = routing.deliver(manager, request, source)
    releases.reject(reviewer, release, revision=release.revision, reason="Wrong region")
    request.refresh_from_db()
    assert request.state == S.IN_PROGRESS
    assert "request.delivery_stopped" in trail(request)


def test_refusals_name_the_reason_and_change_nothing(world, manager, reviewer, django_user_model):
    request = world.open("asset_request")
    with pytest.raises(NotAllowed):
        services.triage(reviewer, request)
    with pytest.raises(ServiceError, match="reason"):
        services.reject(manager, request, "  ")
    with pytest.raises(Conflict):
        services.start(manager, request)  # still new
    with pytest.raises(Conflict, match="still open"):
        services.reopen(manager, request, reason="again")
    outsider = django_user_model.objects.create_user("outsider")
    from django.contrib.auth.models import Group

    from portal.roles import CONTENT_MANAGER

    outsider.groups.add(Group.objects.get(name=CONTENT_MANAGER))
    with pytest.raises(NotAllowed, match="community"):
        services.triage(outsider, request)
    with pytest.raises(ServiceError, match="may not work on"):
        services.triage(manager, request, owner=outsider)
    request.refresh_from_db()
    assert request.state == S.NEW and request.owner is None
    assert trail(request) == ["request.received"]
    services.reject(manager, request, "We do not make this product any more.")
    request.refresh_from_db()
    assert request.state == S.REJECTED and request.closed_at is not None
