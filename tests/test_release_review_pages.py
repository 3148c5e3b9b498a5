"""Compliance review pages: who sees a release in the queue, what the review page shows, and
how decisions that are stale, late, one's own or without a reason are refused in words."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import AssetVersion, Publication, Release
from portal.releases import reactions
from tests.factories import AssetFactory
from tests.release_pages_support import (
    approved,
    make_programme,
    page,
    regulated_asset,
    shown_messages,
    submitted,
    trading_grid_accepts,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(manager, reviewer):
    return make_programme(manager, reviewer)


def _queue(client, person) -> list[str]:
    client.force_login(person)
    return [r.name for r in client.get(reverse("reviews:queue")).context["object_list"]]


def test_queue_shows_a_release_to_granted_reviewers_but_not_its_submitter(
    client, manager, reviewer, portal_admin, programme
):
    submitted(manager, "Safety EMEA", [programme["emea"]], regulated_asset())
    submitted(portal_admin, "Safety APAC", [programme["apac"]], regulated_asset())
    assert _queue(client, reviewer) == ["Safety EMEA", "Safety APAC"]
    assert _queue(client, programme["rosa"]) == ["Safety EMEA"]  # EMEA only
    assert _queue(client, programme["nina"]) == ["Safety APAC"]  # APAC only
    assert _queue(client, portal_admin) == ["Safety EMEA"]  # not the one they submitted
    client.force_login(manager)
    assert client.get(reverse("reviews:queue")).status_code == 403
    client.force_login(reviewer)
    html = client.get(reverse("dashboard")).content.decode()
    assert "Reviews waiting for you" in html and f'href="{reverse("reviews:queue")}"' in html
    assert ">Releases</a>" in html and ">Reviews</a>" in html


def test_review_page_shows_each_item_and_approving_publishes(client, manager, reviewer, programme):
    sheet = regulated_asset(name="SDS pump.pdf", language="de", region="DACH")
    release = submitted(manager, "Safety", [programme["emea"]], sheet)
    client.force_login(reviewer)
    html = page(client, "releases:review", release.pk)
    assert "SDS pump.pdf" in html and "Safety data sheet" in html and "DACH" in html
    assert reverse("catalog:preview", args=[sheet.pk]) in html
    assert f'name="revision" value="{release.revision}"' in html
    response = client.post(
        reverse("releases:approve", args=[release.pk]), {"revision": release.revision}, follow=True
    )
    assert shown_messages(response) == ["Release approved; publishing to Trading Grid is queued."]
    release.refresh_from_db()
    assert release.state == Release.State.PUBLISHING
    assert Publication.objects.get(release=release).community == programme["emea"]
    assert "Approved" in response.content.decode() and "rita" in response.content.decode()


def test_approving_a_release_that_changed_since_it_was_opened_is_refused(
    client, manager, reviewer, programme
):
    release = submitted(manager, "Safety", [programme["emea"]], regulated_asset())
    seen = release.revision
    client.force_login(reviewer)
    page(client, "releases:review", release.pk)
    asset = release.items.get().asset
    asset.version_no, asset.md5 = 2, "b" * 32
    asset.save()
    reactions.react([asset])  # Canto has a new version while the reviewer looks
    response = client.post(
        reverse("releases:approve", args=[release.pk]), {"revision": seen}, follow=True
    )
    assert response.status_code == 200
    assert shown_messages(response) == [
        "The release changed since you opened it; reload and review again."
    ]
    assert Release.objects.get(pk=release.pk).state == Release.State.IN_REVIEW


def test_a_reviewer_deciding_second_is_told_another_decided_first(
    client, manager, reviewer, programme
):
    release = submitted(manager, "Safety", [programme["emea"]], regulated_asset())
    seen = release.revision
    other_browser = Client()
    other_browser.force_login(programme["rosa"])
    other_browser.post(
        reverse("releases:reject", args=[release.pk]), {"revision": seen, "reason": "Old logo"}
    )
    client.force_login(reviewer)
    response = client.post(
        reverse("releases:approve", args=[release.pk]), {"revision": seen}, follow=True
    )
    assert response.status_code == 200
    [message] = shown_messages(response)
    assert message.startswith("Another reviewer decided first: rosa rejected this release at ")
    assert message.endswith("Your decision was not recorded.")
    assert Release.objects.get(pk=release.pk).state == Release.State.REJECTED


def test_rejecting_needs_a_reason(client, manager, reviewer, programme):
    release = submitted(manager, "Safety", [programme["emea"]], regulated_asset())
    client.force_login(reviewer)
    url = reverse("releases:reject", args=[release.pk])
    response = client.post(url, {"revision": release.revision, "reason": "   "})
    assert response.status_code == 200
    assert "Say why the release is rejected." in response.content.decode()
    assert Release.objects.get(pk=release.pk).state == Release.State.IN_REVIEW
    response = client.post(
        url, {"revision": release.revision, "reason": "Claim on page 2 is not approved"}
    )
    release.refresh_from_db()
    assert release.state == Release.State.REJECTED
    client.force_login(manager)
    html = page(client, "releases:detail", release.pk)
    assert "Rejected: Claim on page 2 is not approved" in html


def test_a_reviewer_cannot_approve_a_release_they_submitted(client, portal_admin, programme):
    release = submitted(portal_admin, "Own", [programme["emea"]], regulated_asset())
    client.force_login(portal_admin)
    detail = page(client, "releases:detail", release.pk)
    assert reverse("releases:review", args=[release.pk]) not in detail  # no Review button
    html = page(client, "releases:review", release.pk)
    assert "another reviewer must decide" in html and "Approve these versions" not in html
    response = client.post(
        reverse("releases:approve", args=[release.pk]), {"revision": release.revision}, follow=True
    )
    assert shown_messages(response) == [
        "You submitted this release; another reviewer must decide (four-eyes)."
    ]
    assert Release.objects.get(pk=release.pk).state == Release.State.IN_REVIEW


def test_re_review_shows_what_changed_since_the_approved_version(
    client, manager, reviewer, programme
):
    sheet = regulated_asset(name="SDS pump.pdf", md5="a" * 32, language="en")
    AssetVersion.objects.create(asset=sheet, no=1, comment="First issue")
    release = approved(manager, reviewer, "Safety", [programme["emea"]], sheet)
    trading_grid_accepts(Publication.objects.get(release=release), "pub_1")
    AssetVersion.objects.create(asset=sheet, no=2, comment="New hazard statement H317")
    sheet.version_no, sheet.md5, sheet.language = 2, "b" * 32, "de"
    sheet.save()
    reactions.react([sheet])
    release.refresh_from_db()
    assert release.state == Release.State.IN_REVIEW
    client.force_login(programme["rosa"])
    html = page(client, "releases:review", release.pk)
    assert "changed since v1 was approved" in html
    assert "New hazard statement H317" in html and "First issue" not in html
    assert "<td>Language</td>" in html and "<code>en</code>" in html and "<code>de</code>" in html
    assert "<td>MD5</td>" in html and "b" * 32 in html
    assert "<td>Category</td>" not in html  # unchanged facts are not listed
    preview = page(client, "releases:preview", release.pk)
    assert "Will replace an older version" in preview and "v1 → replaced by v2" in preview


def test_content_that_became_regulated_shows_the_reclassification_to_the_reviewer(
    client, manager, reviewer, programme
):
    sheet = AssetFactory(regulated=False, category="Product sheet")
    release = approved(manager, reviewer, "Sheets", [programme["emea"]], sheet)
    trading_grid_accepts(Publication.objects.get(release=release), "pub_1")
    sheet.regulated = True
    sheet.save()
    reactions.react([sheet])
    release.refresh_from_db()
    assert release.state == Release.State.IN_REVIEW
    client.force_login(programme["rosa"])
    html = page(client, "releases:review", release.pk)
    assert "changed since v1 was approved" in html
    assert "<td>Regulated</td>" in html


def test_a_release_not_in_review_has_no_decision_forms(client, manager, reviewer, programme):
    release = submitted(manager, "Pending", [programme["emea"]], AssetFactory())
    client.force_login(reviewer)
    client.post(reverse("releases:approve", args=[release.pk]), {"revision": release.revision})
    html = page(client, "releases:review", release.pk)
    assert "not waiting for review" in html and "Approve these versions" not in html
