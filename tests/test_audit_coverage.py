"""No change escapes the audit trail: every service operation, found by looking at the service
modules rather than listed by hand, writes at least one event naming what it changed, and an
operation refused for a permission or state reason writes nothing at all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.db.models import Max
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import object_ref, verify
from integrations.models import OutboxMessage
from portal.errors import ServiceError
from portal.kits import services as kits
from portal.models import Publication, Release
from portal.releases import services as releases
from tests import audit_operations_content, audit_operations_intake, audit_operations_requests
from tests.audit_operations import (
    NOT_OPERATIONS,
    OPERATIONS,
    REFUSALS,
    World,
    discovered,
)
from tests.release_support import canto_asset, canto_change, deliver_all, owed

pytestmark = pytest.mark.django_db
# The tables of operations fill as these modules are imported.
TABLES = (audit_operations_content, audit_operations_requests, audit_operations_intake)
WATCHED_APPS = ("portal", "requests_app", "integrations", "audit", "guardian", "auth")


@pytest.fixture
def world(
    manager,
    reviewer,
    auditor,
    portal_admin,
    emea,
    trading_grid,
    settings,
    django_capture_on_commit_callbacks,
):
    return World(
        manager,
        reviewer,
        auditor,
        portal_admin,
        emea,
        trading_grid,
        settings,
        django_capture_on_commit_callbacks,
    )


def _last_seq() -> int:
    return AuditEvent.objects.aggregate(m=Max("seq"))["m"] or 0


def _everything() -> dict[str, list[dict]]:
    """Every row of the portal's tables, to prove a refusal left nothing behind."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label in WATCHED_APPS and not model._meta.proxy
    }


def test_every_mutating_service_function_has_an_operation():
    found = discovered()
    assert set(NOT_OPERATIONS) <= found, "declared as not changing anything, but gone"
    missing = found - set(NOT_OPERATIONS) - set(OPERATIONS)
    assert not missing, f"service functions no test performs: {sorted(missing)}"
    assert set(OPERATIONS) <= found, "operations of functions that no longer exist"
    assert set(REFUSALS) <= set(OPERATIONS)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_operation_is_on_the_audit_trail(name, world):
    perform = OPERATIONS[name](world)
    before = _last_seq()
    named = perform()
    events = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
    assert events, f"{name} changed the portal and wrote no audit event"
    refs = {(e.object_type, e.object_id) for e in events}
    actions = {e.action for e in events}
    assert named, f"{name}: say what the events must name"
    for expected in named:
        if isinstance(expected, str):
            assert expected in actions, (name, expected, actions)
        else:
            assert object_ref(expected)[:2] in refs, (name, object_ref(expected), refs)
    assert verify().intact


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_refused_operation_changes_nothing(name, world):
    perform = REFUSALS[name](world)
    before, rows = _last_seq(), _everything()
    with pytest.raises((ServiceError, ValueError)):
        perform()
    assert _last_seq() == before, f"{name} was refused but wrote audit events"
    assert _everything() == rows, f"{name} was refused but left changes behind"


def test_a_kit_write_replaced_before_it_was_sent_is_recorded_as_cancelled(
    manager, reviewer, emea, trading_grid
):
    kit = kits.create(
        manager,
        name="Spring launch kit",
        communities=[emea],
        deadline=timezone.now() + timedelta(days=10),
        on_new_version=Release.OnNewVersion.AUTO,
    )
    first, second = canto_asset(), canto_asset()
    for asset in (first, second):
        releases.add_item(manager, kit.release, asset)
    releases.submit(manager, kit.release)
    kit.release.refresh_from_db()
    releases.approve(reviewer, kit.release, revision=kit.release.revision)
    deliver_all()
    canto_change(first, new_version=True)
    (update,) = owed(operation="tradinggrid.update_publication")
    before = _last_seq()

    canto_change(first, new_version=True)

    update.refresh_from_db()
    assert update.status == OutboxMessage.Status.CANCELLED
    replaced = Publication.objects.filter(pk__in=update.payload["rows"])
    assert set(replaced.values_list("state", flat=True)) == {Publication.State.SUPERSEDED}
    cancelled = AuditEvent.objects.filter(seq__gt=before, action="outbox.cancelled")
    assert sorted(e.object_id for e in cancelled) == sorted(str(p.pk) for p in replaced)
