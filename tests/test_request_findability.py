"""Findability reports: linked to the asset or kept as search words, ranked, and fixed in Canto
with the answer posted back to the partners who reported."""

import pytest

from integrations.models import OutboxMessage
from portal.errors import NotAllowed, ServiceError
from requests_app import findability
from requests_app.models import PartnerRequest
from tests.request_support import programme, relay

pytestmark = pytest.mark.django_db(transaction=True)
S = PartnerRequest.State


@pytest.fixture
def world(canto, tradinggrid, manager, reviewer):
    return programme(canto, tradinggrid, manager, reviewer)


def report(world, category: str, **fields) -> PartnerRequest:
    return world.open("content_issue", category=category, **fields)


def test_reports_link_to_the_named_asset_or_keep_the_words_that_found_nothing(world, manager):
    asset = world.source_asset()
    named = report(world, "outdated", asset_refs=[asset.canto_id], subject="Old datasheet")
    by_name = report(world, "hard_to_find", asset_refs=[asset.name], subject="Cannot find it")
    lost = report(
        world,
        "hard_to_find",
        subject="Torque chart",
        description='I searched for "torque chart X200" and "pump torque" and got nothing.',
    )
    unnamed = report(world, "missing", subject="Install guide for X300")
    assert list(named.assets.all()) == [asset] and named.search_terms == []
    assert list(by_name.assets.all()) == [asset]
    assert lost.search_terms == ["torque chart x200", "pump torque"]
    assert unnamed.search_terms == ["install guide for x300"]

    ranked = list(findability.ranked_assets(manager))
    assert ranked == [asset]
    assert (ranked[0].reports, ranked[0].outdated_count, ranked[0].hard_to_find_count) == (2, 1, 1)
    terms = {t["term"]: t for t in findability.unmatched_terms(manager)}
    assert terms["pump torque"]["requests"] == [lost.pk]
    assert set(terms) == {"torque chart x200", "pump torque", "install guide for x300"}


def test_improving_an_asset_pushes_keywords_to_canto_and_answers_every_report_about_it(
    world, manager
):
    asset = world.source_asset()
    about = report(world, "hard_to_find", asset_refs=[asset.canto_id])
    lost = report(world, "hard_to_find", subject="x", description='searched "pump torque"')
    other = report(world, "hard_to_find", subject="x", description='searched "flange"')

    answered = findability.improve(
        manager, asset, keywords="pump torque, torque", tags="X200", term="pump torque"
    )
    assert {r.pk for r in answered} == {about.pk, lost.pk}
    relay()
    in_canto = world.canto_asset(asset)
    assert {"pump torque", "torque"} <= set(in_canto["keyword"])
    assert "X200" in in_canto["tag"]
    for request in (about, lost):
        request.refresh_from_db()
        assert request.state == S.DELIVERED
        assert world.tg_request(request)["status"] == "resolved"
        assert any("pump torque" in c["body"] for c in world.tg_comments(request))
    assert list(lost.assets.all()) == [asset]
    other.refresh_from_db()
    assert other.state == S.NEW
    assert [t["term"] for t in findability.unmatched_terms(manager)] == ["flange"]


def test_improving_needs_words_and_the_role(world, manager, reviewer):
    asset = world.source_asset()
    with pytest.raises(ServiceError, match="at least one"):
        findability.improve(manager, asset, keywords=" , ")
    with pytest.raises(NotAllowed):
        findability.improve(reviewer, asset, keywords="pump")
    assert not OutboxMessage.objects.filter(operation__startswith="canto.").exists()


def test_a_report_can_open_a_replacement_request_that_gets_its_own_album(world, manager):
    lost = report(world, "missing", subject="Install guide for X300")
    created = findability.replacement(manager, lost)
    assert created.kind == PartnerRequest.Kind.NEW_ASSET and created.opened_from == lost
    assert created.state == S.TRIAGED and created.tg_id is None
    relay()
    created.refresh_from_db()
    assert created.canto_album_id
    assert not OutboxMessage.objects.filter(
        operation__startswith="tradinggrid.", object_id=str(created.pk)
    ).exists()
