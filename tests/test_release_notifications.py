"""E-mail about releases: each kind reaches the people it concerns (role, grant, not the
submitter for a review), after the decision commits, and never someone who turned it off."""

import pytest
from django.core import mail

from integrations.models import OutboxMessage
from portal import notifications, roles
from portal.releases import services
from tests.factories import UserFactory
from tests.release_support import (
    canto_asset,
    canto_change,
    deliver_all,
    grant,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(eager_tasks, trading_grid, django_capture_on_commit_callbacks):
    """Run a block, then the tasks its commit queued (the mail) as a worker would."""

    def run(action, *args, **kwargs):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = action(*args, **kwargs)
        return result

    return run


@pytest.fixture
def people(manager, reviewer, portal_admin, emea, apac):
    """Two reviewers on EMEA (one muted for reviews), one on APAC only, a second manager."""
    muted = UserFactory(username="rolf", role=roles.COMPLIANCE_REVIEWER)
    elsewhere = UserFactory(username="rosa", role=roles.COMPLIANCE_REVIEWER)
    colleague = UserFactory(username="mia", role=roles.CONTENT_MANAGER)
    grant(emea, muted, colleague)
    grant(apac, elsewhere)
    notifications.set_preferences(muted, set(notifications.KINDS) - {"review_waiting"})
    return {"muted": muted, "elsewhere": elsewhere, "colleague": colleague}


def _to(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def _in_review(manager, communities, committed, *assets):
    release = services.create(manager, communities=communities, name="Pump X200 launch")
    for asset in assets:
        services.add_item(manager, release, asset)
    committed(services.submit, manager, release)
    release.refresh_from_db()
    return release


def test_nothing_is_mailed_before_the_decision_commits(
    manager, emea, people, django_capture_on_commit_callbacks, eager_tasks
):
    release = services.create(manager, communities=[emea], name="Pump X200 launch")
    services.add_item(manager, release, canto_asset())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        services.submit(manager, release)
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert _to(mail.outbox) == ["ada@example.com", "rita@example.com"]


def test_review_waiting_goes_to_granted_reviewers_who_did_not_submit_and_did_not_opt_out(
    manager, portal_admin, emea, people, committed
):
    _in_review(manager, [emea], committed, canto_asset(regulated=True))
    # rita (granted), ada (a portal admin may review); not rolf (opted out), not rosa (APAC)
    assert _to(mail.outbox) == ["ada@example.com", "rita@example.com"]
    assert {m.subject for m in mail.outbox} == {"Review waiting: Pump X200 launch"}
    assert "Submitted by max." in mail.outbox[0].body

    _in_review(portal_admin, [emea], committed, canto_asset(regulated=True))
    assert _to(mail.outbox) == ["rita@example.com"]  # never the submitter


def test_a_decision_is_mailed_to_the_submitter_only(manager, reviewer, emea, people, committed):
    release = _in_review(manager, [emea], committed, canto_asset())
    committed(
        services.reject, reviewer, release, reason="Claims need a source", revision=release.revision
    )
    [rejected] = mail.outbox
    assert rejected.to == [manager.email] and rejected.subject == "Rejected: Pump X200 launch"
    assert "rita rejected" in rejected.body and "Claims need a source" in rejected.body

    committed(services.submit, manager, release)
    release.refresh_from_db()
    committed(services.approve, reviewer, release, revision=release.revision)
    approved = [m for m in mail.outbox if m.subject.startswith("Approved")]
    assert [m.to for m in approved] == [[manager.email]]
    assert "rita approved" in approved[0].body


def test_a_submitter_who_turned_decisions_off_gets_no_decision_mail(
    manager, reviewer, emea, people, committed
):
    notifications.set_preferences(manager, {"review_waiting", "auto_withdrawn"})
    release = _in_review(manager, [emea], committed, canto_asset())
    committed(services.approve, reviewer, release, revision=release.revision)
    assert mail.outbox == []


def test_a_new_version_in_canto_asks_the_reviewers_again(
    manager, reviewer, emea, people, committed
):
    claim = canto_asset(regulated=True)
    release = _in_review(manager, [emea], committed, claim)
    committed(services.approve, reviewer, release, revision=release.revision)
    committed(canto_change, claim, new_version=True)
    assert {m.subject for m in mail.outbox} == {"Review waiting: Pump X200 launch"}
    assert _to(mail.outbox) == ["ada@example.com", "rita@example.com"]


def test_an_automatic_withdrawal_is_mailed_to_the_managers_of_every_targeted_community(
    manager, reviewer, emea, people, committed
):
    sheet = canto_asset(name="SDS-X200.pdf")
    release = _in_review(manager, [emea], committed, sheet, canto_asset())
    committed(services.approve, reviewer, release, revision=release.revision)
    notifications.set_preferences(people["colleague"], set())
    committed(canto_change, sheet, status="Restricted")
    # max (granted), ada (admin); not mia (turned everything off), no reviewer
    assert _to(mail.outbox) == ["ada@example.com", "max@example.com"]
    assert {m.subject for m in mail.outbox} == {"Withdrawn automatically: Pump X200 launch"}
    assert "SDS-X200.pdf: Canto status is Restricted, not Approved" in mail.outbox[0].body


def test_a_write_trading_grid_keeps_refusing_is_reported_to_the_managers(
    manager, reviewer, emea, people, committed, trading_grid, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    release = _in_review(manager, [emea], committed, canto_asset())
    trading_grid.fail_next(422)

    def approve_and_relay():
        services.approve(reviewer, release, revision=release.revision)
        deliver_all()

    committed(approve_and_relay)
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.DEAD
    failed = [m for m in mail.outbox if m.subject == "Publishing failed: Pump X200 launch"]
    assert _to(failed) == ["ada@example.com", "max@example.com", "mia@example.com"]
    assert "Trading Grid refused the request (HTTP 422)" in failed[0].body


def test_preferences_reject_unknown_kinds_and_are_audited_when_they_change(manager):
    from audit.models import AuditEvent

    with pytest.raises(ValueError, match="Unknown notification"):
        notifications.set_preferences(manager, {"weekly_digest"})
    notifications.set_preferences(manager, {"release_approved"})
    notifications.set_preferences(manager, {"release_approved"})
    assert notifications.enabled_for(manager) == {"release_approved"}
    assert AuditEvent.objects.filter(action="notifications.preferences_changed").count() == 1
