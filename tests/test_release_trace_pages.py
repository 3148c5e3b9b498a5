"""What partners will see, where each asset is shared and who approved it, what is live in a
community, what needs attention on the dashboard, and notification settings."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from integrations.models import OutboxMessage
from portal import notifications
from portal.models import Publication, Release
from portal.releases import reactions
from tests.factories import AssetFactory
from tests.release_pages_support import (
    approved,
    csv_rows,
    draft,
    make_programme,
    page,
    shown_messages,
    trading_grid_accepts,
    trading_grid_gives_up,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(manager, reviewer):
    return make_programme(manager, reviewer)


def _sections(html: str) -> dict[str, str]:
    """The preview's community cards by community name."""
    cards = html.split('<section class="card plan">')[1:]
    return {card.split("</a></h2>")[0].rsplit(">", 1)[1]: card for card in cards}


def test_preview_lists_what_each_community_will_see(client, manager, reviewer, programme):
    logo = AssetFactory(name="Logo.svg", mime_type="image/svg+xml", size=2048)
    sheet = AssetFactory(name="Sheet.pdf", mime_type="application/pdf")
    release = draft(
        manager,
        "Brand",
        [programme["emea"], programme["na"]],
        logo,
        sheet,
        partners=[programme["acme"]],
        instructions="Replace the 2023 logo.",
    )
    client.force_login(manager)
    cards = _sections(page(client, "releases:preview", release.pk))
    assert sorted(cards) == ["EMEA Resellers", "North America Distributors"]
    for card in cards.values():
        assert "Will appear" in card and "Logo.svg" in card and "Sheet.pdf" in card
        assert "Unchanged" not in card and "Replace the 2023 logo." in card
    assert "only Acme Distribution" in cards["EMEA Resellers"]
    assert "2.0\xa0KB" in cards["EMEA Resellers"] and "image/svg+xml" in cards["EMEA Resellers"]

    release = approved(manager, reviewer, "Sheet only", [programme["emea"]], sheet)
    for pub in Publication.objects.filter(release=release):
        trading_grid_accepts(pub, "pub_sheet")
    cards = _sections(page(client, "releases:preview", release.pk))
    assert "Unchanged" in cards["EMEA Resellers"] and "Will appear" not in cards["EMEA Resellers"]


def test_asset_page_traces_releases_publications_and_approvals(
    client, manager, portal_admin, programme
):
    sheet = AssetFactory(name="Sheet.pdf")
    release = approved(manager, portal_admin, "Sheets", [programme["emea"], programme["na"]], sheet)
    trading_grid_accepts(
        Publication.objects.get(release=release, community=programme["emea"]), "pub_emea_1"
    )
    draft(manager, "Next wave", [programme["na"]], sheet)
    client.force_login(manager)
    html = page(client, "catalog:detail", sheet.pk)
    assert "Where it is shared" in html and "Sheets" in html and "Next wave" in html
    assert "pub_emea_1" in html and "Live" in html and "Being published" in html
    rows = csv_rows(client.get(reverse("catalog:releases-export", args=[sheet.pk])))
    by_community = {(r["release"], r["community"]): r for r in rows}
    live = by_community[("Sheets", "EMEA Resellers")]
    assert live["publication_state"] == "live" and live["tradinggrid_id"] == "pub_emea_1"
    assert live["published_version"] == "1" and live["approved_by"] == "ada"
    assert by_community[("Sheets", "North America Distributors")]["publication_state"] == (
        "publishing"
    )
    assert by_community[("Next wave", "")]["release_state"] == "draft"

    client.force_login(programme["rosa"])  # EMEA only: NA rows and the NA draft are not hers
    rows = csv_rows(client.get(reverse("catalog:releases-export", args=[sheet.pk])))
    assert [(r["release"], r["community"]) for r in rows] == [("Sheets", "EMEA Resellers")]


def test_community_page_lists_what_is_live_there(client, manager, reviewer, programme):
    sheet, logo = AssetFactory(name="Sheet.pdf"), AssetFactory(name="Logo.png")
    release = approved(manager, reviewer, "Brand", [programme["emea"]], sheet, logo)
    trading_grid_accepts(Publication.objects.get(release=release, asset=sheet), "pub_sheet")
    client.force_login(manager)
    html = page(client, "communities:detail", programme["emea"].pk)
    live_section = html.split("Live here")[1].split("On the way in or out")[0]
    assert "Sheet.pdf" in live_section and "pub_sheet" in live_section and "Brand" in live_section
    assert "Logo.png" not in live_section  # still being published
    rows = csv_rows(client.get(reverse("communities:live-export", args=[programme["emea"].pk])))
    assert [(r["asset"], r["version"], r["release"], r["tradinggrid_id"]) for r in rows] == [
        ("Sheet.pdf", "1", "Brand", "pub_sheet")
    ]
    client.force_login(programme["nina"])
    response = client.get(reverse("communities:live-export", args=[programme["emea"].pk]))
    assert response.status_code == 404


def test_failed_writes_are_visible_and_can_be_retried(client, manager, reviewer, programme):
    sheet, logo = AssetFactory(name="Sheet.pdf"), AssetFactory(name="Logo.png")
    release = approved(manager, reviewer, "Brand", [programme["emea"]], sheet, logo)
    trading_grid_accepts(Publication.objects.get(release=release, asset=sheet), "pub_sheet")
    failed = trading_grid_gives_up(
        Publication.objects.get(release=release, asset=logo), "Trading Grid is unavailable"
    )
    client.force_login(manager)
    html = page(client, "releases:detail", release.pk)
    assert "1 write to Trading Grid failed, 1 given up" in html
    assert "Trading Grid is unavailable" in html and "Retry failed writes" in html
    dashboard = page(client, "dashboard")
    assert "publishing failed" in dashboard and reverse("releases:detail", args=[release.pk]) in (
        dashboard
    )
    response = client.post(reverse("releases:retry", args=[release.pk]), follow=True)
    assert shown_messages(response) == ["1 failed write to Trading Grid queued again."]
    failed.refresh_from_db()
    assert failed.status == OutboxMessage.Status.PENDING
    again = client.post(reverse("releases:retry", args=[release.pk]), follow=True)
    assert shown_messages(again)[-1] == "No failed write of this release is waiting to be retried."


def test_dashboard_warns_of_content_withdrawn_automatically(client, manager, reviewer, programme):
    sheet = AssetFactory(name="Sheet.pdf")
    release = approved(manager, reviewer, "Sheets", [programme["emea"]], sheet, AssetFactory())
    trading_grid_accepts(Publication.objects.get(release=release, asset=sheet), "pub_sheet")
    sheet.approval_status = "Restricted"
    sheet.save()
    reactions.react([sheet])
    assert AuditEvent.objects.filter(action="release.asset_withdrawn").exists()
    client.force_login(manager)
    html = page(client, "dashboard")
    assert "Sheet.pdf taken down automatically (Canto status is Restricted, not Approved)" in html
    detail = page(client, "releases:detail", release.pk)
    assert "Withdrawn</span> Canto status is Restricted, not Approved" in detail
    client.force_login(programme["nina"])
    assert "taken down automatically" not in page(client, "dashboard")
    assert Release.objects.get(pk=release.pk).state != Release.State.WITHDRAWN


def test_notification_settings_are_saved(client, reviewer):
    client.force_login(reviewer)
    html = page(client, "notification-settings")
    assert all(label in html for label in notifications.KINDS.values())
    assert reverse("notification-settings") in page(client, "dashboard")
    response = client.post(
        reverse("notification-settings"), {"enabled": ["review_waiting", "publishing_failed"]}
    )
    assert response.status_code == 302
    assert notifications.enabled_for(reviewer) == {"review_waiting", "publishing_failed"}
    assert AuditEvent.objects.filter(action="notifications.preferences_changed").count() == 1
    html = page(client, "notification-settings")
    assert 'value="review_waiting" id="id_enabled_0" checked' in html
    assert 'value="release_approved" id="id_enabled_1" checked' not in html
    client.post(reverse("notification-settings"), {})
    assert notifications.enabled_for(reviewer) == set()
