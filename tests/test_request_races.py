"""Partner requests when things happen in an awkward order: Trading Grid read before it was
told, content in an album before the portal knows the album, a delivery refused while the
request is being worked on, and odd input in searches."""

import pytest
from django.test import Client

from audit.models import AuditEvent
from integrations.canto.client import CantoClient
from portal.releases import services as releases
from requests_app import routing, services
from requests_app.intake import refresh_request
from requests_app.models import PartnerRequest
from tests.request_support import programme, relay

pytestmark = pytest.mark.django_db(transaction=True)
S = PartnerRequest.State


@pytest.fixture
def world(canto, tradinggrid, manager, reviewer):
    return programme(canto, tradinggrid, manager, reviewer)


def test_a_read_of_trading_grid_before_it_was_told_does_not_undo_the_managers_decision(
    world, manager
):
    request = world.open("question", subject="Price list?")
    services.reject(manager, request, "We do not share price lists here.")
    refresh_request(request.tg_id)  # Trading Grid still says "new": the relay has not run
    request.refresh_from_db()
    assert request.state == S.REJECTED
    assert not AuditEvent.objects.filter(action="request.reopened").exists()
    relay()
    refresh_request(request.tg_id)
    request.refresh_from_db()
    assert (request.state, request.tg_status) == (S.REJECTED, "cancelled")
    assert world.tg_request(request)["status"] == "cancelled"


def test_content_already_in_the_album_when_canto_answers_moves_the_request(world, manager):
    request = world.open("localization", locale="fr", subject="Brochure FR")
    services.triage(manager, request)
    # The content team finds the album (Canto names one album per name) and fills it before
    # the portal has heard back from Canto.
    client = CantoClient.from_settings()
    from integrations.canto.operations import requests_folder

    album = client.create_album(requests_folder(client), routing.album_name(request))
    arrived = world.upload(str(album["id"]), "brochure-fr.pdf", language="fr")
    request.refresh_from_db()
    assert request.state == S.TRIAGED and not request.canto_album_id
    relay()
    request.refresh_from_db()
    assert request.canto_album_id == str(album["id"])
    assert (request.state, request.work_asset) == (S.AWAITING_APPROVAL, arrived)
    assert AuditEvent.objects.filter(action="request.album_created").count() == 1


def test_a_delivery_refused_while_the_request_is_in_progress_is_recorded_not_raised(
    world, manager, reviewer
):
    source = world.source_asset()
    request = world.open("asset_request", asset_refs=[source.canto_id])
    services.triage(manager, request)
    release = routing.deliver(manager, request, source)
    services.start(manager, request)
    releases.reject(reviewer, release, revision=release.revision, reason="Wrong region")
    request.refresh_from_db()
    release.refresh_from_db()
    assert release.state == "rejected" and request.state == S.IN_PROGRESS
    stopped = AuditEvent.objects.get(action="request.delivery_stopped")
    assert stopped.reason == "Wrong region"


@pytest.mark.parametrize("query", ["²", "REQ-²", "99999999999999999999999", "REQ-0"])
def test_odd_searches_find_nothing_instead_of_failing(world, manager, query):
    world.open("question", subject="Warranty")
    client = Client()
    client.force_login(manager)
    for url in ("/requests/", "/requests/export.csv", "/api/v1/requests/"):
        response = client.get(url, {"q": query})
        assert response.status_code == 200, url
    assert client.get("/api/v1/requests/", {"q": query}).json()["count"] == 0


def test_rejecting_a_request_withdraws_its_delivery_before_it_reaches_the_partner(
    world, manager, reviewer
):
    source = world.source_asset()
    request = world.open("asset_request", asset_refs=[source.canto_id])
    services.triage(manager, request)
    release = routing.deliver(manager, request, source)
    releases.approve(reviewer, release, revision=release.revision)  # its writes are owed
    services.reject(manager, request, "The partner left the programme.")
    release.refresh_from_db()
    request.refresh_from_db()
    assert release.state == "withdrawn" and request.state == S.REJECTED
    relay()
    shown = world.tradinggrid.control("GET", "publications")
    assert not [p for p in shown if p["status"] == "published"]
