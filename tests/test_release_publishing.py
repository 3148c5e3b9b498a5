"""Publishing approved releases through the outbox to a Trading Grid faked at its HTTP API:
one write per publication and nothing else, replacement in place, take-downs, and the
publication and expiry dates kept by the beat task."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from integrations import outbox
from integrations.models import OutboxMessage
from integrations.tradinggrid.reconcile import reconcile
from portal.models import Publication, Release
from portal.releases import services
from portal.releases.tasks import releases_due
from tests.release_support import (
    actions,
    canto_asset,
    canto_change,
    deliver,
    deliver_all,
    owed,
    released,
    state,
)

pytestmark = pytest.mark.django_db
S = Release.State
P = Publication.State


def _shown(trading_grid, community) -> set[tuple[str, str]]:
    return {(ref, version) for ref, version, _ in trading_grid.shown_versions(community.tg_id)}


def test_approval_queues_exactly_one_write_per_asset_and_community(
    manager, reviewer, both, trading_grid
):
    sheet, claim = canto_asset(), canto_change(canto_asset(regulated=True), new_version=True)
    release = released(manager, reviewer, both, [sheet, claim])
    assert release.state == S.PUBLISHING
    messages = list(OutboxMessage.objects.all())
    assert {m.operation for m in messages} == {"tradinggrid.publish"}
    publications = {str(p.pk): p for p in Publication.objects.filter(release=release)}
    assert len(messages) == len(publications) == 4
    assert sorted(m.object_id for m in messages) == sorted(publications)
    sent = {
        (
            m.payload["community_id"],
            m.payload["publication"]["external_ref"],
            m.payload["publication"]["version"],
            m.payload["publication"]["files"][0]["md5"],
        )
        for m in messages
    }
    assert sent == {
        (c.tg_id, f"release-{release.pk}-asset-{a.pk}", str(a.version_no), a.md5)
        for c in both
        for a in (sheet, claim)
    }
    assert trading_grid.writes == []  # nothing leaves inside the decision's transaction


def test_the_release_is_published_when_the_last_write_has_arrived(
    manager, reviewer, both, trading_grid
):
    release = released(manager, reviewer, both, [canto_asset(), canto_asset()])
    first, *rest = owed()
    deliver(first)
    assert state(release) == S.PUBLISHING
    for message in rest:
        deliver(message)
    assert state(release) == S.PUBLISHED
    publications = Publication.objects.filter(release=release)
    assert {p.state for p in publications} == {P.LIVE}
    assert len({p.tg_id for p in publications}) == 4
    for community in both:
        assert _shown(trading_grid, community) == {
            (f"release-{release.pk}-asset-{i.asset_id}", "1") for i in release.items.all()
        }
    assert actions(release).count("release.published") == 1
    assert AuditEvent.objects.filter(action="publication.published").count() == 4


def test_an_approved_new_version_replaces_the_publication_in_place(
    manager, reviewer, both, trading_grid
):
    claim = canto_asset(regulated=True)
    release = released(manager, reviewer, both, [claim])
    deliver_all()
    live = {p.community_id: p.tg_id for p in Publication.objects.filter(release=release)}
    canto_change(claim, new_version=True)
    release.refresh_from_db()
    services.approve(reviewer, release, revision=release.revision)
    messages = owed()
    assert {m.operation for m in messages} == {"tradinggrid.update_publication"}
    assert {m.payload["publication_id"] for m in messages} == set(live.values())
    assert {m.payload["changes"]["version"] for m in messages} == {"2"}
    assert {m.payload["changes"]["files"][0]["md5"] for m in messages} == {claim.md5}
    deliver_all()
    assert state(release) == S.PUBLISHED
    assert len(trading_grid.publications) == 2  # the same two Trading Grid publications
    for community in both:
        [shown] = trading_grid.shown(community.tg_id)
        assert shown["id"] == live[community.pk] and shown["version"] == "2"
    states = sorted(Publication.objects.values_list("version_no", "state"))
    assert states == [(1, P.SUPERSEDED), (1, P.SUPERSEDED), (2, P.LIVE), (2, P.LIVE)]
    assert AuditEvent.objects.filter(action="publication.replaced").count() == 2


def test_withdrawing_a_published_release_archives_every_publication(
    manager, reviewer, both, trading_grid
):
    release = released(manager, reviewer, both, [canto_asset(), canto_asset()])
    deliver_all()
    tg_ids = set(Publication.objects.values_list("tg_id", flat=True))
    services.withdraw(manager, release, reason="Product recalled")
    messages = owed()
    assert {m.operation for m in messages} == {"tradinggrid.archive_publication"}
    assert sorted(m.payload["publication_id"] for m in messages) == sorted(tg_ids)
    assert set(Publication.objects.values_list("state", flat=True)) == {P.WITHDRAWING}
    deliver_all()
    assert trading_grid.shown() == []
    assert set(Publication.objects.values_list("state", flat=True)) == {P.WITHDRAWN}
    assert state(release) == S.WITHDRAWN
    event = AuditEvent.objects.filter(action="publication.withdrawing").first()
    assert event.reason == "Product recalled"


def test_withdrawing_before_anything_was_sent_cancels_the_writes(
    manager, reviewer, both, trading_grid
):
    release = released(manager, reviewer, both, [canto_asset()])
    services.withdraw(manager, release, reason="Wrong file")
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"cancelled"}
    assert deliver_all() == {}
    assert trading_grid.writes == []
    assert set(Publication.objects.values_list("state", flat=True)) == {P.WITHDRAWN}


# Dates kept by the beat task ------------------------------------------------------------------


def test_an_approved_release_waits_for_its_publication_date(
    manager, reviewer, emea, trading_grid, clock
):
    release = released(
        manager,
        reviewer,
        [emea],
        [canto_asset()],
        publish_at=timezone.now() + timedelta(days=1),
    )
    assert release.state == S.APPROVED and not OutboxMessage.objects.exists()
    assert releases_due()["published"] == 0
    clock.advance(days=1, minutes=1)
    assert releases_due()["published"] == 1
    assert state(release) == S.PUBLISHING
    assert [m.operation for m in owed()] == ["tradinggrid.publish"]
    assert releases_due()["published"] == 0  # once only
    deliver_all()
    assert state(release) == S.PUBLISHED


def test_a_release_expires_on_its_date_and_partners_stop_seeing_it(
    manager, reviewer, both, trading_grid, clock
):
    release = released(
        manager,
        reviewer,
        both,
        [canto_asset()],
        expire_at=timezone.now() + timedelta(days=30),
    )
    deliver_all()
    assert releases_due()["expired"] == 0
    clock.advance(days=30, minutes=1)
    assert releases_due()["expired"] == 1
    assert state(release) == S.EXPIRED
    assert [m.operation for m in owed()] == ["tradinggrid.archive_publication"] * 2
    deliver_all()
    assert trading_grid.shown() == []
    assert actions(release)[-1] == "release.expired"
    assert releases_due()["expired"] == 0


def test_a_draft_past_its_expiry_expires_too(manager, emea, clock):
    release = services.create(
        manager, communities=[emea], name="Spring", expire_at=timezone.now() + timedelta(hours=1)
    )
    clock.advance(hours=2)
    releases_due()
    assert state(release) == S.EXPIRED
    assert AuditEvent.objects.get(action="release.expired").before == {"state": "draft"}


# Writes that cross each other ---------------------------------------------------------------


def test_a_release_whose_last_unsent_write_is_cancelled_is_published(
    manager, reviewer, emea, trading_grid
):
    keeper, leaver = canto_asset(), canto_asset()
    release = released(manager, reviewer, [emea], [keeper, leaver])
    [keeper_write] = owed(object_id=str(Publication.objects.get(asset=keeper).pk))
    deliver(keeper_write)
    assert state(release) == S.PUBLISHING
    canto_change(leaver, status="Restricted")  # its write is cancelled before it was sent
    assert state(release) == S.PUBLISHED
    assert owed() == []


def test_dropping_an_asset_whose_publish_is_unsent_leaves_nothing_pending(
    manager, reviewer, emea, trading_grid
):
    keeper, dropped = canto_asset(), canto_asset(regulated=True)
    release = released(manager, reviewer, [emea], [keeper, dropped])
    deliver(owed(object_id=str(Publication.objects.get(asset=keeper).pk))[0])
    canto_change(dropped, new_version=True)  # back to review; its first publish is unsent
    release.refresh_from_db()
    services.reject(reviewer, release, reason="Drop the claim", revision=release.revision)
    services.remove_item(manager, release, release.items.get(asset=dropped))
    services.submit(manager, release)
    release.refresh_from_db()
    services.approve(reviewer, release, revision=release.revision)
    assert state(release) == S.PUBLISHED
    assert owed() == [] and deliver_all() == {}
    assert [p["external_ref"] for p in trading_grid.shown()] == [
        f"release-{release.pk}-asset-{keeper.pk}"
    ]


def test_a_newer_approved_version_is_not_overwritten_by_an_older_one_still_unsent(
    manager, reviewer, emea, trading_grid
):
    claim = canto_asset(regulated=True)
    release = released(manager, reviewer, [emea], [claim])
    deliver_all()
    for _ in range(2):  # v2 approved, its update refused once; then v3 approved
        canto_change(claim, new_version=True)
        release.refresh_from_db()
        services.approve(reviewer, release, revision=release.revision)
        trading_grid.fail_next(503)
        for message in owed():
            deliver(message)
    for message in reversed(owed()):  # the retry of v2 comes last
        deliver(message)
    [shown] = trading_grid.shown(emea.tg_id)
    assert shown["version"] == "3" and shown["files"][0]["md5"] == claim.md5
    assert [p["version"] for _, _, p in trading_grid.writes] == ["1", "3"]
    live = Publication.objects.get(state=P.LIVE)
    assert (live.version_no, live.tg_id) == (3, shown["id"])
    assert state(release) == S.PUBLISHED


def test_removing_an_asset_being_replaced_takes_down_what_partners_see(
    manager, reviewer, emea, trading_grid
):
    keeper, claim = canto_asset(), canto_asset(regulated=True)
    release = released(manager, reviewer, [emea], [keeper, claim])
    deliver_all()
    canto_change(claim, new_version=True)
    release.refresh_from_db()
    services.approve(reviewer, release, revision=release.revision)  # v2 replaces v1, unsent
    canto_change(claim, new_version=True)  # v3: back to review before v2 went out
    release.refresh_from_db()
    services.reject(reviewer, release, reason="Drop the claim", revision=release.revision)
    services.remove_item(manager, release, release.items.get(asset=claim))
    services.submit(manager, release)
    release.refresh_from_db()
    services.approve(reviewer, release, revision=release.revision)
    deliver_all()
    assert [p["external_ref"] for p in trading_grid.shown()] == [
        f"release-{release.pk}-asset-{keeper.pk}"
    ]
    assert not Publication.objects.filter(asset=claim, state__in=[P.LIVE, P.PUBLISHING]).exists()
    assert state(release) == S.PUBLISHED


def test_an_older_update_landing_after_the_newer_one_is_put_right(
    manager, reviewer, emea, trading_grid
):
    claim = canto_asset(regulated=True)
    release = released(manager, reviewer, [emea], [claim])
    deliver_all()
    canto_change(claim, new_version=True)
    release.refresh_from_db()
    services.approve(reviewer, release, revision=release.revision)
    [v2] = owed()
    OutboxMessage.objects.filter(pk=v2.pk).update(status="sending", claimed_at=timezone.now())
    canto_change(claim, new_version=True)  # v3 arrives while a relay is sending v2
    release.refresh_from_db()
    services.approve(reviewer, release, revision=release.revision)
    v2.refresh_from_db()
    trading_grid.fail_next(503)
    outbox.send(v2)  # Trading Grid answered 503: v2 will be sent again later
    [v3] = [m for m in owed() if m.pk != v2.pk]
    deliver(v3)
    deliver(v2)  # the retry of v2 lands after v3
    deliver_all()
    [shown] = trading_grid.shown(emea.tg_id)
    assert shown["version"] == "3" and shown["files"][0]["md5"] == claim.md5
    live = Publication.objects.get(state=P.LIVE)
    assert live.version_no == 3 and live.tg_id == shown["id"]
    assert state(release) == S.PUBLISHED


@pytest.mark.parametrize("drift", ["archived", "deleted"])
def test_a_newer_version_approved_while_a_repair_is_owed_is_published_anew(
    manager, reviewer, emea, trading_grid, drift
):
    claim = canto_asset(regulated=True)
    release = released(manager, reviewer, [emea], [claim])
    deliver_all()
    [old] = trading_grid.shown()
    trading_grid.drop(old["id"], drift)  # behind the portal's back
    assert reconcile() == {"checked": 1, "drift": 1}
    canto_change(claim, new_version=True)
    release.refresh_from_db()
    services.approve(reviewer, release, revision=release.revision)
    assert deliver_all() == {"sent": 1}
    [shown] = trading_grid.shown()
    assert shown["id"] != old["id"] and shown["version"] == "2"
    assert [p["version"] for _, _, p in trading_grid.writes] == ["1", "2"]
    assert state(release) == S.PUBLISHED and owed() == []


@pytest.mark.parametrize("drift", ["archived", "deleted"])
def test_taking_down_a_publication_missing_from_trading_grid_needs_no_archive(
    manager, reviewer, emea, trading_grid, drift
):
    sheet = canto_asset()
    release = released(manager, reviewer, [emea], [sheet, canto_asset()])
    deliver_all()
    gone = Publication.objects.get(asset=sheet)
    trading_grid.drop(gone.tg_id, drift)
    reconcile()
    canto_change(sheet, status="Restricted")
    assert owed() == []  # neither the repair nor an archive of what is not there
    gone.refresh_from_db()
    assert gone.state == P.WITHDRAWN
    assert deliver_all() == {} and len(trading_grid.shown()) == 1
    assert state(release) == S.PUBLISHED
