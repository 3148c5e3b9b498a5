"""Campaign kits in Trading Grid, against its API faked at the HTTP boundary: one publication
per community holding every file in order, one update when a file changes or leaves, one
archive when the kit is withdrawn, and reconciliation repairing the kit as a whole."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import OutboxMessage
from integrations.tradinggrid.reconcile import reconcile
from portal.kits import services as kits
from portal.models import Publication, Release
from portal.releases import services
from tests.release_support import canto_asset, canto_change, canto_delete, deliver_all, owed

pytestmark = pytest.mark.django_db
S = Release.State
P = Publication.State


def _kit(manager, reviewer, communities, assets, **values):
    kit = kits.create(
        manager,
        name="Spring launch kit",
        instructions="Post the banners on launch day.",
        communities=communities,
        deadline=timezone.now() + timedelta(days=10),
        **values,
    )
    for asset in assets:
        services.add_item(manager, kit.release, asset)
    services.submit(manager, kit.release)
    kit.release.refresh_from_db()
    if kit.release.state == S.IN_REVIEW:
        services.approve(reviewer, kit.release, revision=kit.release.revision)
    kit.release.refresh_from_db()
    return kit


def _files(publication: dict) -> list[tuple[str, str]]:
    return [(f["name"], f["md5"]) for f in publication["files"]]


def test_a_kit_is_one_publication_per_community_with_every_file_in_order(
    manager, reviewer, both, trading_grid
):
    banner, guide = canto_asset("Banner.png"), canto_asset("Launch guide.pdf", regulated=True)
    post = canto_asset("Social post.png")
    kit = kits.create(
        manager,
        name="Spring launch kit",
        communities=both,
        deadline=timezone.now() + timedelta(days=10),
    )
    for asset in (banner, guide, post):
        services.add_item(manager, kit.release, asset)
    services.move_item(manager, kit.release, kit.release.items.get(asset=post), up=True)
    services.submit(manager, kit.release)
    kit.release.refresh_from_db()
    assert kit.release.state == S.IN_REVIEW  # the launch guide is regulated
    assert owed() == []
    services.approve(reviewer, kit.release, revision=kit.release.revision)

    writes = owed()
    assert [m.operation for m in writes] == ["tradinggrid.publish"] * 2
    body = writes[0].payload["publication"]
    assert body["type"] == "kit"
    assert [f["name"] for f in body["files"]] == [
        "Banner.png",
        "Social post.png",
        "Launch guide.pdf",
    ]
    assert body["acknowledgement_due_at"] == kit.deadline.isoformat()
    assert body["requires_acknowledgement"] is True

    deliver_all()
    kit.release.refresh_from_db()
    assert kit.release.state == S.PUBLISHED
    rows = Publication.objects.filter(release=kit.release)
    assert rows.count() == 6 and {p.state for p in rows} == {P.LIVE}
    for community in both:
        shown = trading_grid.shown(community.tg_id)
        assert len(shown) == 1
        assert {p.tg_id for p in rows.filter(community=community)} == {shown[0]["id"]}


def test_a_new_version_of_one_file_replaces_the_kit_in_place_with_one_update(
    manager, reviewer, emea, trading_grid
):
    banner, post = canto_asset("Banner.png"), canto_asset("Social post.png")
    kit = _kit(manager, reviewer, [emea], [banner, post], on_new_version="auto")
    deliver_all()
    before = dict(*trading_grid.shown(emea.tg_id))

    canto_change(banner, new_version=True)
    writes = owed()
    assert [m.operation for m in writes] == ["tradinggrid.update_publication"]
    assert writes[0].payload["publication_id"] == before["id"]
    deliver_all()

    (after,) = trading_grid.shown(emea.tg_id)
    assert after["id"] == before["id"] and after["version"] != before["version"]
    banner.refresh_from_db()
    assert _files(after) == [("Banner.png", banner.md5), ("Social post.png", post.md5)]
    live = Publication.objects.filter(release=kit.release, state=P.LIVE)
    assert {(p.asset_id, p.version_no) for p in live} == {(banner.pk, 2), (post.pk, 1)}
    assert Publication.objects.filter(release=kit.release, state=P.SUPERSEDED).count() == 2
    kit.release.refresh_from_db()
    assert kit.release.state == S.PUBLISHED


def test_a_file_deleted_in_canto_leaves_the_kit_and_the_rest_stays(
    manager, reviewer, emea, trading_grid
):
    banner, post = canto_asset("Banner.png"), canto_asset("Social post.png")
    kit = _kit(manager, reviewer, [emea], [banner, post])
    deliver_all()

    canto_delete(post)
    assert [m.operation for m in owed()] == ["tradinggrid.update_publication"]
    deliver_all()

    (shown,) = trading_grid.shown(emea.tg_id)
    assert [name for name, _ in _files(shown)] == ["Banner.png"]
    gone = Publication.objects.get(release=kit.release, asset=post, state__in=[P.WITHDRAWN])
    assert gone.tg_id == shown["id"]
    assert Publication.objects.get(release=kit.release, asset=banner, state=P.LIVE)
    # Reconciliation sees the kit live with its remaining file, not a withdrawal to repeat.
    assert reconcile()["drift"] == 0
    assert owed() == []
    assert len(trading_grid.shown(emea.tg_id)) == 1


def test_withdrawing_a_kit_archives_it_once_per_community(manager, reviewer, both, trading_grid):
    kit = _kit(manager, reviewer, both, [canto_asset(), canto_asset(), canto_asset()])
    deliver_all()
    services.withdraw(manager, kit.release, reason="campaign cancelled")
    assert [m.operation for m in owed()] == ["tradinggrid.archive_publication"] * 2
    deliver_all()
    assert trading_grid.shown() == []
    assert set(Publication.objects.filter(release=kit.release).values_list("state", flat=True)) == {
        P.WITHDRAWN
    }


def test_withdrawn_before_the_kit_was_sent_nothing_reaches_trading_grid(
    manager, reviewer, emea, trading_grid
):
    kit = _kit(manager, reviewer, [emea], [canto_asset(), canto_asset()])
    services.withdraw(manager, kit.release, reason="wrong audience")
    assert owed() == []
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.CANCELLED).count() == 1
    assert set(Publication.objects.filter(release=kit.release).values_list("state", flat=True)) == {
        P.WITHDRAWN
    }
    kit.release.refresh_from_db()
    assert kit.release.state == S.WITHDRAWN
    assert trading_grid.writes == []


def test_reconciliation_republishes_a_lost_kit_with_all_its_files(
    manager, reviewer, emea, trading_grid
):
    kit = _kit(manager, reviewer, [emea], [canto_asset(), canto_asset(), canto_asset()])
    deliver_all()
    (shown,) = trading_grid.shown(emea.tg_id)
    assert reconcile() == {"checked": 1, "drift": 0}

    trading_grid.drop(shown["id"])
    assert reconcile() == {"checked": 1, "drift": 1}
    (repair,) = owed()
    assert repair.operation == "tradinggrid.publish"
    assert len(repair.payload["publication"]["files"]) == 3
    deliver_all()

    (again,) = trading_grid.shown(emea.tg_id)
    rows = Publication.objects.filter(release=kit.release)
    assert {p.tg_id for p in rows} == {again["id"]} and {p.state for p in rows} == {P.LIVE}
    assert reconcile() == {"checked": 1, "drift": 0}


def test_a_new_version_sends_the_kit_back_to_review_while_partners_keep_the_approved_files(
    manager, reviewer, emea, trading_grid
):
    banner, guide = canto_asset("Banner.png"), canto_asset("Guide.pdf", regulated=True)
    kit = _kit(manager, reviewer, [emea], [banner, guide])
    deliver_all()
    before = dict(*trading_grid.shown(emea.tg_id))

    canto_change(guide, new_version=True)
    kit.release.refresh_from_db()
    assert kit.release.state == S.IN_REVIEW
    assert owed() == []  # the approved files stay in front of partners
    assert dict(*trading_grid.shown(emea.tg_id))["version"] == before["version"]

    services.approve(reviewer, kit.release, revision=kit.release.revision)
    assert [m.operation for m in owed()] == ["tradinggrid.update_publication"]
    deliver_all()
    guide.refresh_from_db()
    (after,) = trading_grid.shown(emea.tg_id)
    assert after["id"] == before["id"]
    assert ("Guide.pdf", guide.md5) in _files(after)
