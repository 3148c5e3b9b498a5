"""What each partner did with a kit: views, downloads and acknowledgements read from Trading
Grid count for every file of the kit, the kit page and its export say who has not opened it,
and reminders go once, before the deadline, only to those who have not acted."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from portal.kits import services as kits
from portal.kits import tracking
from portal.models import KitReminder, UsageDaily
from tests.kit_support import PartnerActions, contact, kit_of, published
from tests.release_support import canto_asset
from tests.usage_support import partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(emea):
    return {
        "acme": partner("par_a", "Acme Pumps", emea),
        "bolt": partner("par_b", "Bolt Valves", emea),
        "cora": partner("par_c", "Cora Trading", emea),
    }


@pytest.fixture
def kit(manager, reviewer, emea, members, trading_grid):
    return published(
        manager, reviewer, [emea], [canto_asset("Banner.png"), canto_asset("Guide.pdf")]
    )


def _progress(kit) -> dict[str, str]:
    return {row.partner.tg_id: row.progress for row in tracking.partner_rows(kit)}


def test_partner_actions_count_for_every_file_and_show_per_partner(kit, emea, members):
    act = PartnerActions(kit, emea)
    act("par_a", "view", "download", "acknowledge")
    act("par_b", "view")

    assert _progress(kit) == {"par_a": "acknowledged", "par_b": "opened", "par_c": "not_opened"}
    per_file = UsageDaily.objects.filter(partner=members["acme"])
    assert sorted((r.asset.name, r.views, r.downloads, r.acknowledgements) for r in per_file) == [
        ("Banner.png", 1, 1, 1),
        ("Guide.pdf", 1, 1, 1),
    ]
    summary = tracking.summary(kit)
    assert (summary["audience"], summary["opened"], summary["acknowledged"]) == (3, 2, 1)
    assert summary["not_opened"] == 1


def test_the_kit_page_shows_who_has_not_opened_it_and_exports_the_same(client, manager, kit, emea):
    PartnerActions(kit, emea)("par_a", "view", "download")
    client.force_login(manager)
    page = client.get(reverse("kits:detail", args=[kit.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Acme Pumps" in html and "Downloaded" in html and "Not opened" in html

    waiting = client.get(reverse("kits:detail", args=[kit.pk]), {"progress": "not_opened"})
    rows = waiting.content.decode().split("<tbody>")[1]
    assert "Bolt Valves" in rows and "Cora Trading" in rows and "Acme Pumps" not in rows

    export = client.get(reverse("kits:partners-export", args=[kit.pk]), {"progress": "not_opened"})
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert lines[0].startswith("partner_id,partner,community")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["par_b", "par_c"]


def test_tiers_and_named_partners_narrow_the_audience(
    manager, reviewer, emea, members, trading_grid
):
    members["bolt"].tier = "Gold"
    members["bolt"].save()
    emea.tiers = ["Gold", "Silver"]
    emea.save()
    by_tier = kit_of(manager, reviewer, [emea], [canto_asset()], tiers=["Gold"])
    assert [r.partner.tg_id for r in tracking.partner_rows(by_tier)] == ["par_b"]
    named = kit_of(
        manager, reviewer, [emea], [canto_asset()], partners=[members["cora"]], name="Named"
    )
    assert [r.partner.tg_id for r in tracking.partner_rows(named)] == ["par_c"]


def test_reminders_go_once_before_the_deadline_to_those_who_have_not_acknowledged(
    manager, reviewer, emea, members, trading_grid, django_capture_on_commit_callbacks
):
    for name, person in members.items():
        contact(person, f"{name}@example.com")
    deadline = timezone.now() + timedelta(hours=30)
    kit = published(
        manager, reviewer, [emea], [canto_asset()], deadline=deadline, remind_hours_before=24
    )
    PartnerActions(kit, emea)("par_a", "view", "acknowledge")
    PartnerActions(kit, emea)("par_b", "view")

    assert kits.send_reminders(now=deadline - timedelta(hours=25)) == 0  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert kits.send_reminders(now=deadline - timedelta(hours=23)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["bolt@example.com", "cora@example.com"]
    assert "Spring launch kit" in mail.outbox[0].subject
    assert set(KitReminder.objects.values_list("partner__tg_id", flat=True)) == {"par_b", "par_c"}
    event = AuditEvent.objects.get(action="kit.reminders_sent")
    assert event.after["partners"] == ["Bolt Valves", "Cora Trading"]

    with django_capture_on_commit_callbacks(execute=True):
        assert kits.send_reminders(now=deadline - timedelta(hours=1)) == 0
    assert len(mail.outbox) == 2
    page_rows = {r.partner.tg_id: r.reminded_at for r in tracking.partner_rows(kit)}
    assert page_rows["par_a"] is None and page_rows["par_b"] is not None


def test_a_kit_not_published_reminds_nobody(manager, emea, members):
    deadline = timezone.now() + timedelta(hours=2)
    kits.create(manager, name="Draft kit", communities=[emea], deadline=deadline)
    assert kits.send_reminders() == 0
    assert not AuditEvent.objects.filter(action="kit.reminders_sent").exists()


def test_the_kit_list_costs_the_same_queries_for_few_and_many_kits(
    client, manager, reviewer, emea, members, trading_grid
):
    client.force_login(manager)
    published(manager, reviewer, [emea], [canto_asset()])
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("kits:list")).status_code == 200
    for n in range(4):
        published(manager, reviewer, [emea], [canto_asset(), canto_asset()], name=f"Kit {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("kits:list"))
    assert response.content.decode().count('href="/kits/') >= 5
    assert len(many) == len(few)
