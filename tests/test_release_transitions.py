"""Release transitions in the service layer: every allowed move, and every refusal with the
reason a person would be shown (role, grant, state, four-eyes, reason, eligibility, revision)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from integrations.models import OutboxMessage
from portal import roles
from portal.models import Publication, Release, Review
from portal.releases import services
from portal.releases.errors import Conflict, NotAllowed, ReleaseError, StaleRevision
from tests.factories import UserFactory
from tests.release_support import (
    actions,
    canto_asset,
    canto_change,
    canto_delete,
    community,
    grant,
    released,
    state,
)

pytestmark = pytest.mark.django_db
S = Release.State


def _draft(manager, communities, *assets, **values) -> Release:
    release = services.create(manager, communities=communities, name="Pump X200 launch", **values)
    for asset in assets:
        services.add_item(manager, release, asset)
    return release


def _in_review(manager, communities, *assets) -> Release:
    release = _draft(manager, communities, *assets)
    services.submit(manager, release)
    release.refresh_from_db()
    return release


# Creating and editing -------------------------------------------------------------------------


def test_a_manager_creates_a_draft_for_a_granted_community(manager, emea):
    release = services.create(manager, communities=[emea], name="Pump X200 launch")
    assert release.state == S.DRAFT and release.created_by == manager
    event = AuditEvent.objects.get(action="release.created", object_id=str(release.pk))
    assert event.after == {"name": "Pump X200 launch", "communities": ["EMEA distributors"]}


def test_a_release_cannot_target_a_community_the_manager_is_not_granted(manager, emea, apac):
    with pytest.raises(NotAllowed, match="You may not act on APAC resellers"):
        services.create(manager, communities=[emea, apac], name="Pump X200 launch")
    assert not Release.objects.exists()


@pytest.mark.parametrize("role", ["reviewer", "auditor"])
def test_only_managers_and_admins_create_releases(role, request, emea):
    person = request.getfixturevalue(role)
    grant(emea, person)
    with pytest.raises(NotAllowed, match="Your role does not allow this"):
        services.create(person, communities=[emea], name="Pump X200 launch")


def test_a_release_needs_a_name_a_community_and_sensible_dates(manager, emea):
    with pytest.raises(ReleaseError, match="at least one community"):
        services.create(manager, communities=[], name="Launch")
    with pytest.raises(ReleaseError, match="Give the release a name"):
        services.create(manager, communities=[emea], name="  ")
    now = timezone.now()
    with pytest.raises(ReleaseError, match="expiry must come after the publication"):
        services.create(
            manager,
            communities=[emea],
            name="Launch",
            publish_at=now + timedelta(days=2),
            expire_at=now + timedelta(days=1),
        )
    with pytest.raises(ReleaseError, match="expiry must be in the future"):
        services.create(
            manager, communities=[emea], name="Launch", expire_at=now - timedelta(minutes=1)
        )


def test_editing_bumps_the_revision_and_is_refused_once_submitted(manager, emea):
    release = _draft(manager, [emea], canto_asset())
    release.refresh_from_db()
    revision = release.revision
    services.update(manager, release, name="Pump X200 relaunch")
    release.refresh_from_db()
    assert release.name == "Pump X200 relaunch" and release.revision == revision + 1
    services.submit(manager, release)
    with pytest.raises(Conflict, match="only drafts and rejected releases can be edited"):
        services.update(manager, release, name="Too late")


# Items ----------------------------------------------------------------------------------------


def test_an_item_is_pinned_to_the_version_canto_has_now(manager, emea):
    asset = canto_change(canto_asset(), new_version=True)
    release = _draft(manager, [emea])
    revision = release.revision
    item = services.add_item(manager, release, asset)
    assert (item.version_no, item.md5) == (2, asset.md5)
    assert item.approved_version_no is None
    release.refresh_from_db()
    assert release.revision == revision + 1
    assert actions(release)[-1] == "release.item_added"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": "Restricted"}, "Canto status is Restricted, not Approved"),
        ({"status": "Pending"}, "Canto status is Pending, not Approved"),
        ({"expires_at": timezone.now() - timedelta(days=1)}, "Expired in Canto"),
        ("deleted", "Deleted in Canto"),
    ],
)
def test_an_ineligible_asset_cannot_be_added_and_the_reason_is_given(manager, emea, change, reason):
    asset = canto_asset(name="SDS-X200.pdf")
    if change == "deleted":
        canto_delete(asset)
    else:
        canto_change(asset, **change)
    release = _draft(manager, [emea])
    with pytest.raises(ReleaseError, match=re.escape(f"SDS-X200.pdf cannot be released: {reason}")):
        services.add_item(manager, release, asset)
    assert not release.items.exists()


def test_an_asset_is_added_once(manager, emea):
    asset = canto_asset(name="Logo.png")
    release = _draft(manager, [emea], asset)
    with pytest.raises(ReleaseError, match=re.escape("Logo.png is already in this release")):
        services.add_item(manager, release, asset)


def test_items_change_only_in_a_draft_or_rejected_release(manager, emea):
    first, second = canto_asset(), canto_asset()
    release = _in_review(manager, [emea], first)
    with pytest.raises(Conflict, match="only be added while"):
        services.add_item(manager, release, second)
    with pytest.raises(Conflict, match="only be removed while"):
        services.remove_item(manager, release, release.items.get())


def test_removing_an_item_is_audited(manager, emea):
    asset = canto_asset(name="Logo.png")
    release = _draft(manager, [emea], asset)
    services.remove_item(manager, release, release.items.get())
    assert not release.items.exists()
    event = AuditEvent.objects.filter(action="release.item_removed").get()
    assert event.before["name"] == "Logo.png"


def test_nobody_changes_items_of_a_release_targeting_a_community_they_are_not_granted(
    manager, portal_admin, emea, apac
):
    release = _draft(portal_admin, [emea, apac], canto_asset())
    with pytest.raises(NotAllowed, match="targets a community you may not act on"):
        services.add_item(manager, release, canto_asset())
    with pytest.raises(NotAllowed, match="targets a community you may not act on"):
        services.remove_item(manager, release, release.items.get())


# Submitting -----------------------------------------------------------------------------------


def test_submitting_sends_the_release_to_review(manager, emea):
    release = _draft(manager, [emea], canto_asset(regulated=True))
    services.submit(manager, release)
    release.refresh_from_db()
    assert release.state == S.IN_REVIEW and release.submitted_by == manager
    assert actions(release)[-1] == "release.submitted"
    assert not OutboxMessage.objects.exists()


def test_an_empty_release_cannot_be_submitted(manager, emea):
    release = _draft(manager, [emea])
    with pytest.raises(ReleaseError, match="Add at least one asset"):
        services.submit(manager, release)
    assert state(release) == S.DRAFT


def test_a_release_in_review_cannot_be_submitted_again(manager, emea):
    release = _in_review(manager, [emea], canto_asset())
    with pytest.raises(Conflict, match="this one is in review"):
        services.submit(manager, release)


def test_a_reviewer_cannot_submit(manager, reviewer, emea):
    release = _draft(manager, [emea], canto_asset())
    with pytest.raises(NotAllowed, match="Your role does not allow this"):
        services.submit(reviewer, release)


def test_a_manager_without_every_grant_cannot_submit(manager, portal_admin, emea, apac):
    release = _draft(portal_admin, [emea, apac], canto_asset())
    with pytest.raises(NotAllowed, match="targets a community you may not act on"):
        services.submit(manager, release)
    assert state(release) == S.DRAFT


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": "Restricted"}, "Canto status is Restricted, not Approved"),
        ({"expires_at": timezone.now() - timedelta(hours=1)}, "Expired in Canto"),
        ("deleted", "Deleted in Canto"),
    ],
)
def test_a_draft_whose_asset_became_ineligible_cannot_be_submitted(manager, emea, change, reason):
    asset = canto_asset(name="Warranty-X200.pdf")
    release = _draft(manager, [emea], asset)
    if change == "deleted":
        canto_delete(asset)
    else:
        canto_change(asset, **change)
    with pytest.raises(
        ReleaseError, match=re.escape(f"Warranty-X200.pdf cannot be released: {reason}")
    ):
        services.submit(manager, release)
    assert state(release) == S.DRAFT


# Skipping review by community policy ----------------------------------------------------------


def test_a_review_optional_community_publishes_without_review_when_nothing_is_regulated(manager):
    open_ = community("com_open", "Open resellers", "EMEA", review_optional=True)
    grant(open_, manager)
    release = _draft(manager, [open_], canto_asset(), canto_asset())
    services.submit(manager, release)
    release.refresh_from_db()
    assert release.state == S.PUBLISHING
    assert actions(release)[-3:] == [
        "release.submitted",
        "release.review_skipped",
        "release.publishing_started",
    ]
    review = Review.objects.get(release=release)
    assert review.reviewer is None and review.reviewer_name == "policy: review optional"
    assert OutboxMessage.objects.filter(operation="tradinggrid.publish").count() == 2


def test_a_regulated_asset_always_needs_a_reviewer(manager):
    open_ = community("com_open", "Open resellers", "EMEA", review_optional=True)
    grant(open_, manager)
    release = _draft(manager, [open_], canto_asset(), canto_asset(regulated=True))
    services.submit(manager, release)
    assert state(release) == S.IN_REVIEW
    assert not Review.objects.exists() and not OutboxMessage.objects.exists()


def test_review_is_skipped_only_when_every_targeted_community_allows_it(manager, emea):
    open_ = community("com_open", "Open resellers", "EMEA", review_optional=True)
    grant(open_, manager)
    release = _draft(manager, [open_, emea], canto_asset())
    services.submit(manager, release)
    assert state(release) == S.IN_REVIEW


# Approving ------------------------------------------------------------------------------------


def test_approval_records_the_exact_versions_and_starts_publishing(manager, reviewer, emea):
    asset = canto_change(canto_asset(regulated=True), new_version=True)
    release = _in_review(manager, [emea], asset)
    services.approve(reviewer, release, revision=release.revision)
    release.refresh_from_db()
    assert release.state == S.PUBLISHING
    review = Review.objects.get(release=release)
    assert review.decision == "approved" and review.reviewer == reviewer
    assert review.versions == {str(asset.pk): [2, asset.md5]}
    item = release.items.get()
    assert (item.approved_version_no, item.approved_md5) == (2, asset.md5)
    assert item.approved_snapshot["regulated"] is True
    assert actions(release)[-2:] == ["release.approved", "release.publishing_started"]


def test_a_manager_cannot_decide(manager, emea):
    release = _in_review(manager, [emea], canto_asset())
    with pytest.raises(NotAllowed, match="Your role does not allow this"):
        services.approve(manager, release, revision=release.revision)
    with pytest.raises(NotAllowed, match="Your role does not allow this"):
        services.reject(manager, release, reason="Not mine", revision=release.revision)
    assert state(release) == S.IN_REVIEW


def test_a_reviewer_without_a_grant_on_every_targeted_community_cannot_decide(
    manager, reviewer, emea, apac
):
    grant(apac, manager)
    release = _in_review(manager, [emea, apac], canto_asset())
    with pytest.raises(NotAllowed, match="targets a community you may not act on"):
        services.approve(reviewer, release, revision=release.revision)
    with pytest.raises(NotAllowed, match="targets a community you may not act on"):
        services.reject(reviewer, release, reason="Wrong region", revision=release.revision)
    assert state(release) == S.IN_REVIEW


def test_only_a_release_in_review_can_be_decided(manager, reviewer, emea):
    release = _draft(manager, [emea], canto_asset())
    with pytest.raises(Conflict, match="is draft, not waiting for review"):
        services.approve(reviewer, release, revision=release.revision)
    services.submit(manager, release)
    release.refresh_from_db()
    services.approve(reviewer, release, revision=release.revision)
    with pytest.raises(Conflict, match="someone may have decided already"):
        services.approve(reviewer, release, revision=None)
    with pytest.raises(Conflict, match="someone may have decided already"):
        services.reject(reviewer, release, reason="Second thoughts", revision=None)


def test_a_portal_admin_who_submitted_cannot_approve_or_reject(portal_admin, reviewer, emea):
    release = _in_review(portal_admin, [emea], canto_asset(regulated=True))
    with pytest.raises(NotAllowed, match="four-eyes"):
        services.approve(portal_admin, release, revision=release.revision)
    with pytest.raises(NotAllowed, match="four-eyes"):
        services.reject(portal_admin, release, reason="Mine anyway", revision=release.revision)
    assert state(release) == S.IN_REVIEW
    other_admin = UserFactory(username="otto", role=roles.PORTAL_ADMIN)
    services.approve(other_admin, release, revision=release.revision)
    assert state(release) == S.PUBLISHING


def test_a_release_changed_since_the_reviewer_opened_it_is_refused_as_stale(
    manager, reviewer, emea
):
    asset = canto_asset(regulated=True)
    release = _in_review(manager, [emea], asset)
    seen = release.revision
    canto_change(asset, new_version=True)
    item = release.items.get()
    assert item.version_no == 2
    with pytest.raises(StaleRevision, match="changed since you opened it"):
        services.approve(reviewer, release, revision=seen)
    with pytest.raises(StaleRevision):
        services.reject(reviewer, release, reason="Old file", revision=seen)
    assert state(release) == S.IN_REVIEW and not Review.objects.exists()
    services.approve(reviewer, release, revision=release.revision)
    assert Review.objects.get().versions == {str(asset.pk): [2, item.md5]}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": "Restricted"}, "Canto status is Restricted, not Approved"),
        ({"expires_at": timezone.now() - timedelta(hours=1)}, "Expired in Canto"),
        ("deleted", "Deleted in Canto"),
    ],
)
def test_an_asset_that_became_ineligible_during_review_cannot_be_approved(
    manager, reviewer, emea, change, reason
):
    asset = canto_asset(name="Claims-X200.pdf", regulated=True)
    release = _in_review(manager, [emea], asset)
    if change == "deleted":
        canto_delete(asset)
    else:
        canto_change(asset, **change)
    release.refresh_from_db()
    with pytest.raises(
        ReleaseError, match=re.escape(f"Claims-X200.pdf cannot be released: {reason}")
    ):
        services.approve(reviewer, release, revision=release.revision)
    assert state(release) == S.IN_REVIEW
    assert not OutboxMessage.objects.exists() and not Publication.objects.exists()


# Rejecting ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_rejection_needs_a_reason(manager, reviewer, emea, reason):
    release = _in_review(manager, [emea], canto_asset())
    with pytest.raises(ReleaseError, match="Say why the release is rejected"):
        services.reject(reviewer, release, reason=reason, revision=release.revision)
    assert state(release) == S.IN_REVIEW


def test_a_rejected_release_goes_back_to_its_manager_with_the_reason(manager, reviewer, emea):
    asset = canto_asset()
    release = _in_review(manager, [emea], asset)
    services.reject(reviewer, release, reason="  Claims need a source  ", revision=release.revision)
    release.refresh_from_db()
    assert release.state == S.REJECTED and release.rejection_reason == "Claims need a source"
    review = Review.objects.get(release=release)
    assert (review.decision, review.reason) == ("rejected", "Claims need a source")
    event = AuditEvent.objects.get(action="release.rejected")
    assert event.reason == "Claims need a source"
    assert (event.before, event.after) == ({"state": "in_review"}, {"state": "rejected"})
    # Editable again, and submitted again after the fix.
    services.add_item(manager, release, canto_asset())
    services.submit(manager, release)
    release.refresh_from_db()
    assert release.state == S.IN_REVIEW and release.rejection_reason == ""


# Withdrawing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", " "])
def test_a_withdrawal_needs_a_reason(manager, emea, reason):
    release = _draft(manager, [emea], canto_asset())
    with pytest.raises(ReleaseError, match="Say why the release is withdrawn"):
        services.withdraw(manager, release, reason=reason)
    assert state(release) == S.DRAFT


def test_a_reviewer_cannot_withdraw(manager, reviewer, emea):
    release = _draft(manager, [emea], canto_asset())
    with pytest.raises(NotAllowed, match="Your role does not allow this"):
        services.withdraw(reviewer, release, reason="Not mine to pull")


@pytest.mark.parametrize("stage", ["draft", "in_review", "publishing"])
def test_a_release_is_withdrawn_from_any_open_state_but_only_once(manager, reviewer, emea, stage):
    asset = canto_asset()
    release = _draft(manager, [emea], asset)
    if stage != "draft":
        services.submit(manager, release)
        release.refresh_from_db()
    if stage == "publishing":
        services.approve(reviewer, release, revision=release.revision)
    services.withdraw(manager, release, reason="Campaign cancelled")
    release.refresh_from_db()
    assert release.state == S.WITHDRAWN
    event = AuditEvent.objects.get(action="release.withdrawn")
    assert event.reason == "Campaign cancelled" and event.before == {"state": stage}
    with pytest.raises(Conflict, match="already withdrawn"):
        services.withdraw(manager, release, reason="Again")


def test_a_manager_without_every_grant_cannot_withdraw(manager, portal_admin, emea, apac):
    release = _draft(portal_admin, [emea, apac], canto_asset())
    with pytest.raises(NotAllowed, match="targets a community you may not act on"):
        services.withdraw(manager, release, reason="Not mine")
    assert state(release) == S.DRAFT


def test_retrying_publishing_needs_a_failed_write(manager, reviewer, emea):
    release = released(manager, reviewer, [emea], [canto_asset()])
    with pytest.raises(NotAllowed, match="Your role does not allow this"):
        services.retry_publishing(reviewer, release)
    with pytest.raises(ReleaseError, match="No failed write"):
        services.retry_publishing(manager, release)
    OutboxMessage.objects.update(status=OutboxMessage.Status.DEAD)
    assert services.retry_publishing(manager, release) == 1
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING
    assert actions(release)[-1] == "release.publishing_retried"
