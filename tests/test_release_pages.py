"""Release pages: the form, the asset picker, the detail page and its actions, the list and its
CSV export, all narrowed to the person's communities."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from portal.models import Release
from tests.factories import AssetFactory
from tests.release_pages_support import (
    approved,
    csv_rows,
    draft,
    make_programme,
    page,
    shown_messages,
    submitted,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(manager, reviewer):
    return make_programme(manager, reviewer)


LOCAL = "%Y-%m-%dT%H:%M"


def test_manager_creates_a_release_through_the_form(client, manager, programme):
    client.force_login(manager)
    form = page(client, "releases:create")
    assert "EMEA Resellers" in form and "North America Distributors" in form
    assert "APAC Integrators" not in form  # not granted to the manager
    expire = (timezone.now() + timedelta(days=30)).strftime(LOCAL)
    response = client.post(
        reverse("releases:create"),
        {
            "name": "Pump X200 launch",
            "instructions": "Use from 1 June.",
            "communities": [programme["emea"].pk],
            "tiers": ["Gold"],
            "partners": [programme["acme"].pk],
            "expire_at": expire,
            "requires_acknowledgement": "on",
            "on_new_version": "withdraw",
        },
    )
    release = Release.objects.get(name="Pump X200 launch")
    assert response.status_code == 302
    assert response["Location"] == reverse("releases:add", args=[release.pk])
    assert release.state == Release.State.DRAFT and release.tiers == ["Gold"]
    assert list(release.communities.all()) == [programme["emea"]]
    assert list(release.partners.all()) == [programme["acme"]]
    assert release.requires_acknowledgement and release.on_new_version == "withdraw"
    assert AuditEvent.objects.filter(action="release.created", object_id=str(release.pk)).exists()


def test_form_refusals_are_shown_on_the_form(client, manager, programme):
    client.force_login(manager)
    base = {"name": "Late", "on_new_version": "review"}
    outside = client.post(
        reverse("releases:create"), {**base, "communities": [programme["apac"].pk]}
    )
    assert "is not one of the available choices" in outside.content.decode()
    past = (timezone.now() - timedelta(days=1)).strftime(LOCAL)
    refused = client.post(
        reverse("releases:create"),
        {**base, "communities": [programme["emea"].pk], "expire_at": past},
    )
    assert refused.status_code == 200
    assert "The expiry must be in the future." in refused.content.decode()
    tier = client.post(
        reverse("releases:create"),
        {**base, "communities": [programme["na"].pk], "tiers": ["Gold"]},
    )
    assert "Not used by the chosen communities: Gold." in tier.content.decode()
    assert not Release.objects.exists()


def test_editing_a_draft_and_not_a_release_in_review(client, manager, programme):
    release = draft(manager, "Brochures", [programme["emea"]], AssetFactory())
    client.force_login(manager)
    form = page(client, "releases:edit", release.pk)
    assert 'value="Brochures"' in form
    response = client.post(
        reverse("releases:edit", args=[release.pk]),
        {
            "name": "Brochures 2025",
            "communities": [programme["emea"].pk, programme["na"].pk],
            "on_new_version": "review",
        },
    )
    assert response.status_code == 302
    release.refresh_from_db()
    assert release.name == "Brochures 2025" and release.communities.count() == 2
    release = submitted(manager, "In review", [programme["emea"]], AssetFactory())
    response = client.get(reverse("releases:edit", args=[release.pk]), follow=True)
    assert shown_messages(response)[-1] == (
        "This release is in review; only drafts and rejected releases can be edited."
    )


def test_picker_adds_eligible_assets_and_says_why_others_cannot(client, manager, programme):
    sheet = AssetFactory(name="Pump X200 sheet.pdf")
    pending = AssetFactory(name="Pump X200 draft.pdf", approval_status="Pending")
    release = draft(manager, "Pump launch", [programme["emea"]])
    client.force_login(manager)
    picker = page(client, "releases:add", release.pk, q="Pump X200")
    assert "Cannot be released: Canto status is Pending, not Approved" in picker
    url = reverse("releases:add", args=[release.pk]) + "?q=Pump+X200"
    added = client.post(url, {"asset": sheet.pk}, follow=True)
    assert "Pump X200 sheet.pdf (version 1) added to Pump launch." in shown_messages(added)
    assert "In this release" in added.content.decode()
    refused = client.post(url, {"asset": pending.pk}, follow=True)
    assert shown_messages(refused) == [
        "Pump X200 draft.pdf cannot be released: Canto status is Pending, not Approved."
    ]
    assert [i.asset for i in release.items.all()] == [sheet]
    for junk in ("", "abc", "999999"):
        answer = client.post(url, {"asset": junk}, follow=True)
        assert answer.status_code == 200
        assert shown_messages(answer) == ["Choose an asset from the list."]
    search = client.get(
        reverse("releases:add", args=[release.pk]), {"q": "draft"}, HTTP_HX_REQUEST="true"
    )
    html = search.content.decode()
    assert html.startswith('<div id="results">') and "<html" not in html
    assert "Pump X200 draft.pdf" in html and "Pump X200 sheet.pdf" not in html


def test_asset_page_adds_to_one_of_my_editable_releases(client, manager, programme):
    sheet = AssetFactory(name="Warranty terms.pdf")
    release = draft(manager, "Warranty pack", [programme["na"]])
    submitted(manager, "Already in review", [programme["na"]], AssetFactory())
    client.force_login(manager)
    asset_page = page(client, "catalog:detail", sheet.pk)
    assert "Warranty pack (draft)" in asset_page and "Already in review" not in asset_page
    response = client.post(reverse("releases:add-asset", args=[sheet.pk]), {"release": release.pk})
    assert response["Location"] == reverse("releases:detail", args=[release.pk])
    assert release.items.get().asset == sheet


def test_detail_page_shows_items_targets_and_actions_by_state(client, manager, programme):
    sheet = AssetFactory(name="Safety sheet.pdf", regulated=True, md5="a" * 32)
    release = draft(manager, "Safety", [programme["emea"]], sheet, tiers=["Gold"])
    client.force_login(manager)
    html = page(client, "releases:detail", release.pk)
    assert "Safety sheet.pdf" in html and "EMEA Resellers" in html and "Gold" in html
    assert reverse("catalog:preview", args=[sheet.pk]) in html
    assert "Submit for review" in html and "Remove" in html and "History" in html
    response = client.post(reverse("releases:submit", args=[release.pk]), follow=True)
    assert shown_messages(response) == ["Release submitted. A compliance reviewer decides next."]
    html = response.content.decode()
    assert "Submit for review" not in html and "Waiting for a compliance reviewer" in html
    assert Release.objects.get(pk=release.pk).state == Release.State.IN_REVIEW


def test_submitting_an_empty_release_says_what_is_missing(client, manager, programme):
    release = draft(manager, "Empty", [programme["emea"]])
    client.force_login(manager)
    response = client.post(reverse("releases:submit", args=[release.pk]), follow=True)
    assert shown_messages(response) == ["Add at least one asset before submitting."]


def test_get_never_changes_a_release(client, manager, reviewer, programme):
    release = draft(manager, "Flyers", [programme["emea"]], AssetFactory())
    client.force_login(manager)
    for name in ("releases:submit", "releases:withdraw", "releases:retry"):
        assert client.get(reverse(name, args=[release.pk])).status_code == 405
    assert Release.objects.get(pk=release.pk).state == Release.State.DRAFT
    release = submitted(manager, "Posters", [programme["emea"]], AssetFactory())
    client.force_login(reviewer)
    for name in ("releases:approve", "releases:reject"):
        assert client.get(reverse(name, args=[release.pk])).status_code == 405
    assert Release.objects.get(pk=release.pk).state == Release.State.IN_REVIEW


def test_removing_an_item_and_withdrawing_with_a_reason(client, manager, reviewer, programme):
    first, second = AssetFactory(name="One.pdf"), AssetFactory(name="Two.pdf")
    release = draft(manager, "Pair", [programme["emea"]], first, second)
    client.force_login(manager)
    item = release.items.get(asset=first)
    removed = client.post(reverse("releases:remove-item", args=[release.pk, item.pk]), follow=True)
    assert shown_messages(removed) == ["One.pdf removed from the release."]
    assert [i.asset for i in release.items.all()] == [second]
    live = approved(manager, reviewer, "Live one", [programme["emea"]], AssetFactory())
    url = reverse("releases:withdraw", args=[live.pk])
    refused = client.post(url, {"reason": " "}, follow=True)
    assert shown_messages(refused) == ["Say why the release is withdrawn."]
    too_long = client.post(url, {"reason": "x" * 501}, follow=True)
    assert shown_messages(too_long) == [
        "Ensure this value has at most 500 characters (it has 501)."
    ]
    assert Release.objects.get(pk=live.pk).state == Release.State.PUBLISHING
    done = client.post(url, {"reason": "Product recalled"}, follow=True)
    assert "Release withdrawn; partners will no longer see its assets." in shown_messages(done)
    assert Release.objects.get(pk=live.pk).state == Release.State.WITHDRAWN
    event = AuditEvent.objects.get(action="release.withdrawn", object_id=str(live.pk))
    assert event.reason == "Product recalled"


def test_a_person_without_a_grant_gets_404(client, manager, auditor, programme):
    release = draft(manager, "NA only", [programme["na"]], AssetFactory())
    for person in (programme["nina"], auditor):
        client.force_login(person)
        for name in ("releases:detail", "releases:preview", "releases:review"):
            assert client.get(reverse(name, args=[release.pk])).status_code in (403, 404)
        assert client.get(reverse("releases:detail", args=[release.pk])).status_code == 404
    client.force_login(programme["nina"])
    assert client.post(reverse("releases:approve", args=[release.pk])).status_code == 404


def test_list_and_csv_follow_filters_and_grants(client, manager, portal_admin, programme):
    draft(manager, "Brochures EMEA", [programme["emea"]], AssetFactory())
    submitted(manager, "Safety NA", [programme["na"]], AssetFactory(regulated=True))
    draft(portal_admin, "APAC kit", [programme["apac"]], AssetFactory())
    client.force_login(manager)
    listed = client.get(reverse("releases:list")).context["object_list"]
    assert sorted(r.name for r in listed) == ["Brochures EMEA", "Safety NA"]
    rows = csv_rows(client.get(reverse("releases:export")))
    assert sorted(r["name"] for r in rows) == ["Brochures EMEA", "Safety NA"]
    rows = csv_rows(client.get(reverse("releases:export"), {"state": "in_review"}))
    assert [(r["name"], r["regulated"], r["items"], r["submitted_by"]) for r in rows] == [
        ("Safety NA", "True", "1", "max")
    ]
    rows = csv_rows(client.get(reverse("releases:list"), {"format": "csv", "regulated": "false"}))
    assert [(r["name"], r["communities"]) for r in rows] == [("Brochures EMEA", "EMEA Resellers")]
    bad = client.get(reverse("releases:list"), {"updated_since": "soon"})
    assert bad.status_code == 200 and list(bad.context["object_list"]) == []


def test_release_list_queries_do_not_grow_with_rows(client, manager, programme):
    def add_releases(n):
        for i in range(n):
            draft(manager, f"R{i}", [programme["emea"], programme["na"]], AssetFactory())

    client.force_login(manager)
    add_releases(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("releases:list")).status_code == 200
    add_releases(30)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(reverse("releases:list")).context["object_list"]) == 33
    assert len(few) == len(many)
