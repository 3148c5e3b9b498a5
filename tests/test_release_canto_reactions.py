"""How releases follow Canto: a new version goes back to review (or is withdrawn at once, or
updated automatically when nothing is regulated), and an asset leaving Approved, expiring or
deleted in Canto is taken down everywhere, audited and reported to the release's managers."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from integrations.models import OutboxMessage
from portal.models import Publication, Release, Review
from portal.releases import services
from portal.releases.errors import ReleaseError
from portal.releases.tasks import releases_due
from tests.release_support import (
    actions,
    canto_asset,
    canto_change,
    canto_delete,
    deliver_all,
    owed,
    released,
    state,
)

pytestmark = pytest.mark.django_db
S = Release.State
P = Publication.State
Policy = Release.OnNewVersion


def _live(manager, reviewer, communities, assets, **values) -> Release:
    release = released(manager, reviewer, communities, assets, **values)
    deliver_all()
    release.refresh_from_db()
    assert release.state == S.PUBLISHED
    return release


def _shown(trading_grid, communities) -> set[tuple[str, str, str]]:
    return {
        (c.tg_id, ref.rsplit("-", 1)[-1], version)
        for c in communities
        for ref, version, _ in trading_grid.shown_versions(c.tg_id)
    }


# A new version in Canto -----------------------------------------------------------------------


def test_a_new_version_of_a_published_regulated_asset_goes_back_to_review_while_the_approved_one_stays(  # noqa: E501
    manager, reviewer, both, trading_grid
):
    claim = canto_asset(regulated=True)
    release = _live(manager, reviewer, both, [claim])
    before = _shown(trading_grid, both)
    canto_change(claim, new_version=True)
    assert state(release) == S.IN_REVIEW
    assert actions(release)[-3:] == [
        "release.item_repinned",
        "release.outdated",
        "release.resubmitted",
    ]
    outdated = AuditEvent.objects.get(action="release.outdated")
    assert (outdated.before, outdated.after["state"]) == ({"state": "published"}, "outdated")
    item = release.items.get()
    assert (item.version_no, item.approved_version_no) == (2, 1)
    assert owed() == []  # nothing changes for partners until a reviewer approves
    assert set(Publication.objects.values_list("state", flat=True)) == {P.LIVE}
    assert _shown(trading_grid, both) == before == {(c.tg_id, str(claim.pk), "1") for c in both}

    release.refresh_from_db()
    services.approve(reviewer, release, revision=release.revision)
    deliver_all()
    assert _shown(trading_grid, both) == {(c.tg_id, str(claim.pk), "2") for c in both}
    assert state(release) == S.PUBLISHED


def test_with_the_withdraw_policy_a_new_version_is_taken_down_at_once(
    manager, reviewer, both, trading_grid
):
    claim = canto_asset(regulated=True)
    release = _live(manager, reviewer, both, [claim], on_new_version=Policy.WITHDRAW)
    canto_change(claim, new_version=True)
    assert state(release) == S.IN_REVIEW
    assert {m.operation for m in owed()} == {"tradinggrid.archive_publication"}
    assert len(owed()) == 2
    assert release.items.get().approved_version_no is None
    deliver_all()
    assert trading_grid.shown() == []
    release.refresh_from_db()
    services.approve(reviewer, release, revision=release.revision)
    assert {m.operation for m in owed()} == {"tradinggrid.publish"}
    deliver_all()
    assert _shown(trading_grid, both) == {(c.tg_id, str(claim.pk), "2") for c in both}


def test_with_the_auto_policy_a_non_regulated_asset_is_updated_without_review(
    manager, reviewer, both, trading_grid
):
    sheet = canto_asset()
    release = _live(manager, reviewer, both, [sheet], on_new_version=Policy.AUTO)
    canto_change(sheet, new_version=True)
    assert actions(release)[-3:] == [
        "release.outdated",
        "release.auto_updated",
        "release.publishing_started",
    ]
    assert Review.objects.filter(release=release).count() == 1  # only the first approval
    assert {m.operation for m in owed()} == {"tradinggrid.update_publication"}
    deliver_all()
    assert _shown(trading_grid, both) == {(c.tg_id, str(sheet.pk), "2") for c in both}
    assert state(release) == S.PUBLISHED


def test_with_the_auto_policy_a_regulated_asset_still_needs_review(
    manager, reviewer, both, trading_grid
):
    sheet, claim = canto_asset(), canto_asset(regulated=True)
    release = _live(manager, reviewer, both, [sheet, claim], on_new_version=Policy.AUTO)
    canto_change(claim, new_version=True)
    assert state(release) == S.IN_REVIEW
    assert owed() == []
    assert _shown(trading_grid, both) == {
        (c.tg_id, str(a.pk), "1") for c in both for a in (sheet, claim)
    }


def test_a_draft_follows_new_versions_quietly(manager, emea):
    sheet = canto_asset()
    release = services.create(manager, communities=[emea], name="Spring")
    services.add_item(manager, release, sheet)
    release.refresh_from_db()
    revision = release.revision
    canto_change(sheet, new_version=True)
    release.refresh_from_db()
    assert release.state == S.DRAFT and release.revision == revision + 1
    assert release.items.get().version_no == 2
    assert actions(release)[-1] == "release.item_repinned"


def test_metadata_changes_without_a_new_version_leave_releases_alone(
    manager, reviewer, emea, trading_grid
):
    claim = canto_asset(regulated=True)
    release = _live(manager, reviewer, [emea], [claim])
    trail = actions(release)
    canto_change(claim, expires_at=timezone.now() + timedelta(days=90))
    assert actions(release) == trail and state(release) == S.PUBLISHED and owed() == []


def test_content_approved_as_ordinary_that_becomes_regulated_goes_to_compliance_review(
    manager, reviewer, emea, trading_grid
):
    emea.review_optional = True
    emea.save()
    sheet = canto_asset(regulated=False)
    release = _live(manager, reviewer, [emea], [sheet])
    assert release.reviews.get().reviewer is None  # published by policy, nobody reviewed it
    canto_change(sheet, regulated=True)
    assert state(release) == S.IN_REVIEW
    assert actions(release)[-2:] == ["release.outdated", "release.resubmitted"]
    assert owed() == []  # the approved version stays shown until compliance decides
    release.refresh_from_db()
    services.approve(reviewer, release, revision=release.revision)
    assert state(release) == S.PUBLISHED
    assert release.items.get().approved_snapshot["regulated"] is True


# Leaving Approved, expiring, deleted ----------------------------------------------------------


def _gone(asset, how, clock):
    if how == "restricted":
        canto_change(asset, status="Restricted")
        return "Canto status is Restricted, not Approved"
    if how == "deleted":
        canto_delete(asset)
        return "Deleted in Canto"
    clock.advance(days=8)  # Canto's expiry passes; no Canto event says so
    releases_due()
    return "Expired in Canto"


@pytest.mark.parametrize("how", ["restricted", "expired", "deleted"])
def test_an_asset_that_is_no_longer_eligible_is_taken_down_audited_and_reported(
    manager,
    reviewer,
    both,
    trading_grid,
    eager_tasks,
    django_capture_on_commit_callbacks,
    clock,
    how,
):
    keeper = canto_asset(name="Brochure.pdf")
    leaver = canto_asset(name="SDS-X200.pdf", expires_at=timezone.now() + timedelta(days=7))
    release = _live(manager, reviewer, both, [keeper, leaver])
    leaver_ids = set(Publication.objects.filter(asset=leaver).values_list("tg_id", flat=True))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        reason = _gone(leaver, how, clock)
    messages = owed()
    assert {m.operation for m in messages} == {"tradinggrid.archive_publication"}
    assert {m.payload["publication_id"] for m in messages} == leaver_ids
    assert set(Publication.objects.filter(asset=leaver).values_list("state", flat=True)) == {
        P.WITHDRAWING
    }
    event = AuditEvent.objects.get(action="release.asset_withdrawn")
    assert event.reason == reason and event.object_id == str(release.pk)
    assert release.items.get(asset=leaver).withdrawn_reason == reason
    assert state(release) == S.PUBLISHED  # the other asset stays

    for callback in callbacks:  # the commit: the notification task runs as the worker would
        callback()
    [email] = mail.outbox
    assert email.to == [manager.email]
    assert email.subject == "Withdrawn automatically: Pump X200 launch"
    assert f"SDS-X200.pdf: {reason}" in email.body
    deliver_all()
    assert _shown(trading_grid, both) == {(c.tg_id, str(keeper.pk), "1") for c in both}


def test_a_release_whose_every_asset_left_approved_is_withdrawn(
    manager, reviewer, emea, trading_grid
):
    sheet = canto_asset()
    release = _live(manager, reviewer, [emea], [sheet])
    canto_change(sheet, status="Rejected")
    assert state(release) == S.WITHDRAWN
    assert actions(release)[-2:] == ["release.asset_withdrawn", "release.withdrawn"]
    assert AuditEvent.objects.get(action="release.withdrawn").reason == "every asset was withdrawn"
    deliver_all()
    assert trading_grid.shown() == []


def test_every_release_showing_the_asset_takes_it_down(manager, reviewer, both, trading_grid):
    sheet = canto_asset()
    first = _live(manager, reviewer, [both[0]], [sheet, canto_asset()], name="EMEA launch")
    second = _live(manager, reviewer, [both[1]], [sheet, canto_asset()], name="APAC launch")
    canto_delete(sheet)
    assert len(owed(operation="tradinggrid.archive_publication")) == 2
    for release in (first, second):
        assert "release.asset_withdrawn" in actions(release)
    deliver_all()
    assert all(str(sheet.pk) != ref for _, ref, _ in _shown(trading_grid, both))
    assert len(trading_grid.shown()) == 2


def test_an_asset_leaving_approved_while_its_publish_is_pending_is_never_sent(
    manager, reviewer, emea, trading_grid
):
    keeper, leaver = canto_asset(), canto_asset()
    release = released(manager, reviewer, [emea], [keeper, leaver])
    canto_change(leaver, status="Restricted")
    cancelled = OutboxMessage.objects.filter(status="cancelled")
    assert cancelled.count() == 1
    assert cancelled.get().object_id == str(Publication.objects.get(asset=leaver).pk)
    deliver_all()
    assert [p["external_ref"] for p in trading_grid.shown()] == [
        f"release-{release.pk}-asset-{keeper.pk}"
    ]
    assert state(release) == S.PUBLISHED


def test_live_content_taken_down_while_its_release_is_back_in_review_is_reported(
    manager, reviewer, emea, trading_grid, eager_tasks, django_capture_on_commit_callbacks
):
    claim, sheet = canto_asset(name="Claims-X200.pdf", regulated=True), canto_asset()
    release = _live(manager, reviewer, [emea], [claim, sheet])
    canto_change(claim, new_version=True)
    assert state(release) == S.IN_REVIEW  # version 1 is still what partners see
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        canto_change(claim, status="Restricted")
    assert state(release) == S.IN_REVIEW
    deliver_all()
    assert _shown(trading_grid, [emea]) == {(emea.tg_id, str(sheet.pk), "1")}
    assert set(Publication.objects.filter(asset=claim).values_list("state", flat=True)) == {
        P.WITHDRAWN
    }
    event = AuditEvent.objects.get(action="release.asset_withdrawn")
    assert event.object_id == str(release.pk)
    assert event.reason == "Canto status is Restricted, not Approved"
    [email] = mail.outbox
    assert email.to == [manager.email]
    assert "Claims-X200.pdf: Canto status is Restricted, not Approved" in email.body
    release.refresh_from_db()
    with pytest.raises(ReleaseError, match=re.escape("Claims-X200.pdf cannot be released")):
        services.approve(reviewer, release, revision=release.revision)
