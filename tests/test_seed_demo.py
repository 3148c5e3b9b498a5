"""seed_demo's releases: one at each step a newcomer meets first, the approved one published for
real in the Trading Grid sandbox by a worker, and seeding again changes nothing."""

import socket
import time
from io import StringIO

import pytest
import requests
from django.core.management import call_command

from audit.models import AuditEvent
from integrations.management.commands.run_sandbox import DEFAULT_ASSETS
from integrations.models import OutboxMessage
from portal.demo import DEMO_RELEASES
from portal.models import (
    Asset,
    Community,
    Kit,
    OnboardingProgram,
    Publication,
    Release,
    ReleaseItem,
)
from requests_app.models import PartnerRequest
from tests.processes import wait_until


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            AuditEvent,
            Release,
            ReleaseItem,
            Publication,
            OutboxMessage,
            Asset,
            PartnerRequest,
        )
    }


@pytest.mark.django_db(transaction=True)
def test_demo_releases_are_seeded_once_and_the_approved_one_reaches_partners(
    canto, tradinggrid, celery_worker, settings
):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "created now: Campaign banners (a draft)" in out.getvalue()

    releases = {r.name: r for r in Release.objects.filter(kind=Release.Kind.ASSETS)}
    assert set(releases) == {r.name for r in DEMO_RELEASES}
    assert releases["Campaign banners"].state == "draft"
    waiting = releases["DACH safety data sheets"]
    assert waiting.state == "in_review" and waiting.submitted_by.username == "manager"
    assert not waiting.reviews.exists()
    shown = releases["EMEA product sheets"]
    wait_until(
        lambda: Release.objects.get(pk=shown.pk).state == "published",
        message="the approved demo release was not published by the worker",
    )
    assert shown.reviews.get().reviewer.username == "reviewer"
    live = list(Publication.objects.filter(release=shown, state="live"))
    assert len(live) == shown.items.count() * shown.communities.count() == 4
    remote = {p["id"]: p for p in tradinggrid.control("GET", "publications")}
    for publication in live:
        assert remote[publication.tg_id]["status"] == "published"
        assert [f["md5"] for f in remote[publication.tg_id]["files"]] == [publication.md5]
    for release in releases.values():
        assert AuditEvent.objects.filter(
            object_type="portal.release", object_id=str(release.pk), action="release.created"
        ).exists()

    kit = Kit.objects.get(release__name="Spring campaign kit")
    wait_until(
        lambda: Release.objects.get(pk=kit.release_id).state == "published",
        message="the demo kit was not published by the worker",
    )
    kit_rows = Publication.objects.filter(release=kit.release, state="live")
    (kit_id,) = {p.tg_id for p in kit_rows}
    assert remote_kit(tradinggrid, kit_id)["type"] == "kit"
    assert len(remote_kit(tradinggrid, kit_id)["files"]) == kit_rows.count() == 3
    assert "Demo kit ready; created now: Spring campaign kit" in out.getvalue()

    program = OnboardingProgram.objects.get(release__name="EMEA reseller onboarding")
    assert program.enrollments.filter(state="active").count() == 2
    wait_until(
        lambda: Publication.objects.filter(release=program.release, state="live").count() == 3,
        message="the demo onboarding program's materials were not published by the worker",
    )
    assert "Demo onboarding program ready; created now: EMEA reseller onboarding" in (
        out.getvalue()
    )

    assert PartnerRequest.objects.count() >= 10
    triaged = PartnerRequest.objects.exclude(state="new")
    assert {r.owner.username for r in triaged} == {"manager"} and triaged.count() == 3
    assert triaged.filter(state="waiting_for_partner").count() == 1
    assert "triaged now: REQ-" in out.getvalue()
    wait_until(_settled, message="the demo's writes did not reach the sandboxes")

    before = _counts()
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert "Demo releases ready; created now: none." in again.getvalue()
    assert "Demo kit ready; created now: none" in again.getvalue()
    assert "Demo onboarding program ready; created now: none." in again.getvalue()
    assert _counts() == before, list(
        AuditEvent.objects.filter(seq__gt=last).values_list("action", "actor_name", "object_type")
    )


def _settled() -> bool:
    """Every write sent and its follow-up recorded (a sent write's callback runs just after)."""
    if OutboxMessage.objects.exclude(status="sent").exists():
        return False
    events = AuditEvent.objects.count()
    time.sleep(0.5)
    return AuditEvent.objects.count() == events and not (
        OutboxMessage.objects.exclude(status="sent").exists()
    )


def remote_kit(tradinggrid, tg_id: str) -> dict:
    return {p["id"]: p for p in tradinggrid.control("GET", "publications")}[tg_id]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
def test_seeding_before_the_stack_runs_mirrors_sandboxes_served_meanwhile(settings):
    """``make run`` seeds before its sandboxes start: they are served from the command
    meanwhile, seeded as the stack seeds them, and the approved release waits in the outbox."""
    settings.DEBUG = True
    settings.CANTO_BASE_URL = settings.CANTO_OAUTH_URL = f"http://127.0.0.1:{_free_port()}"
    settings.TRADINGGRID_BASE_URL = f"http://127.0.0.1:{_free_port()}"
    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert "Mirroring the Canto catalog" in out.getvalue()
    assert Asset.objects.count() == DEFAULT_ASSETS
    assert Community.objects.filter(name__in=["EMEA Resellers", "DACH Partners"]).count() == 2
    states = dict(Release.objects.filter(kind=Release.Kind.ASSETS).values_list("name", "state"))
    assert states == {
        "Campaign banners": "draft",
        "DACH safety data sheets": "in_review",
        "EMEA product sheets": "publishing",
    }
    waiting = Release.objects.get(name="DACH safety data sheets")
    assert set(waiting.items.values_list("asset__category", "asset__language")) == {
        ("Safety data sheet", "de")
    }
    owed = OutboxMessage.objects.filter(operation="tradinggrid.publish", status="pending")
    # The release's four publications, the kit's one and the onboarding program's three.
    assert owed.count() == 4 + 1 + 3
    for base_url in (settings.CANTO_BASE_URL, settings.TRADINGGRID_BASE_URL):
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{base_url}/_sandbox/api/info", timeout=2)
