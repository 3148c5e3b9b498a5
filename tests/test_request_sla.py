"""Service levels: due dates per kind, breaches seen with a frozen clock, the daily digest."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from portal.notifications import set_preferences
from requests_app import services, sla
from requests_app.models import PartnerRequest, ServiceLevel
from requests_app.tasks import note_breaches, send_digest
from tests.release_support import Clock, community, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def emea(manager, reviewer):
    emea = community("com_emea", "EMEA distributors", "EMEA")
    grant(emea, manager, reviewer)
    return emea


def received(emea, kind="asset_request", **fields) -> PartnerRequest:
    request = PartnerRequest.objects.create(
        community=emea, kind=kind, subject=fields.pop("subject", "Logo"), tg_status="new", **fields
    )
    request.due_at = sla.due_for(request)
    request.save(update_fields=["due_at"])
    return request


def test_due_dates_follow_the_kind_and_the_admins_service_level(emea, settings):
    question = received(emea, "question")
    assert question.due_at == question.received_at + timedelta(
        hours=settings.REQUEST_SERVICE_HOURS["question"]
    )
    ServiceLevel.objects.create(kind="localized_version", target_hours=36, warn_hours=6)
    localised = received(emea, "localized_version")
    assert localised.due_at == localised.received_at + timedelta(hours=36)


def test_a_request_breaches_once_its_due_date_passes_and_the_owner_is_told_once(
    emea, manager, monkeypatch, django_capture_on_commit_callbacks
):
    manager.email = "manager@example.com"
    manager.save()
    clock = Clock(monkeypatch)
    ServiceLevel.objects.create(kind="asset_request", target_hours=48, warn_hours=12)
    request = received(emea)
    services.triage(manager, request)
    everything = PartnerRequest.objects.all()

    clock.advance(hours=35)
    assert sla.standing(PartnerRequest.objects.get()) == "on_track"
    assert not sla.breached(everything).exists() and not sla.due_soon(everything).exists()
    clock.advance(hours=2)
    assert sla.standing(PartnerRequest.objects.get()) == "due_soon"
    assert list(sla.due_soon(everything)) == [request]
    assert note_breaches() == 0

    clock.advance(hours=12)
    assert sla.standing(PartnerRequest.objects.get()) == "breached"
    assert list(sla.breached(everything)) == [request]
    with django_capture_on_commit_callbacks(execute=True):
        assert note_breaches() == 1
        assert note_breaches() == 0
    assert AuditEvent.objects.filter(action="request.breached").count() == 1
    assert [m.to for m in mail.outbox] == [["manager@example.com"]]
    assert request.reference in mail.outbox[0].subject

    services.answer(manager, PartnerRequest.objects.get(), "Done")
    assert not sla.breached(everything).exists()
    assert sla.standing(PartnerRequest.objects.get()) == ""


def test_the_digest_lists_each_managers_overdue_and_due_soon_requests(
    emea, manager, reviewer, monkeypatch
):
    manager.email, reviewer.email = "manager@example.com", "reviewer@example.com"
    manager.save()
    reviewer.save()
    apac = community("com_apac", "APAC resellers", "APAC")
    late = received(emea, subject="Late logo")
    late.due_at = timezone.now() - timedelta(hours=1)
    late.save()
    soon = received(emea, subject="Soon brochure")
    soon.due_at = timezone.now() + timedelta(hours=2)
    soon.save()
    received(emea, subject="Far away")
    elsewhere = received(apac, subject="Not yours")
    elsewhere.due_at = timezone.now() - timedelta(days=1)
    elsewhere.save()

    assert send_digest() == 1  # the reviewer does not work on requests
    (message,) = mail.outbox
    assert message.to == ["manager@example.com"]
    assert "Late logo" in message.body and "Soon brochure" in message.body
    assert "Far away" not in message.body and "Not yours" not in message.body
    assert message.body.index("Late logo") < message.body.index("Soon brochure")

    set_preferences(manager, set())
    mail.outbox.clear()
    assert send_digest() == 0
