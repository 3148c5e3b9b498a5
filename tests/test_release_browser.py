"""In headless Chromium, the release happy path: the manager builds and submits a release, the
reviewer approves it, the worker publishes it and the partner sees the asset in Trading Grid."""

import re

import pytest

from integrations.canto.runs import run_catalog_sync
from integrations.tradinggrid.sync import run_partner_sync
from portal import grants
from portal.models import Asset, Community, Partner, Publication, Release
from tests.browser_support import sign_in, sign_out
from tests.processes import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _community_with_member() -> tuple[Community, Partner]:
    for community in Community.objects.order_by("name"):
        member = Partner.objects.filter(
            status="active", memberships__community=community, memberships__active=True
        ).first()
        if member is not None:
            return community, member
    raise AssertionError("the Trading Grid sandbox seeds no community with an active partner")


def test_manager_submits_reviewer_approves_and_the_partner_sees_the_asset(
    canto, tradinggrid, live_server, browser, celery_worker, manager, reviewer
):
    run_catalog_sync(full=True)
    run_partner_sync(full=True)
    community, partner = _community_with_member()
    for person in (manager, reviewer):
        grants.grant_community(person, community)
    asset = Asset.objects.filter(
        approval_status="Approved", expires_at=None, regulated=True
    ).first()
    base = live_server.url
    page = browser.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))

    # The manager builds the release and submits it.
    sign_in(page, base, manager.username)
    page.click("nav >> text=Releases")
    page.goto(base + "/releases/new/")
    page.fill("input[name=name]", "Pump X200 launch")
    page.fill("textarea[name=instructions]", "Use from 1 March.")
    page.check(f"label:has-text('{community.name}') >> input[name=communities]")
    page.click("button:has-text('Create and add assets')")
    page.wait_for_url(re.compile(r"/releases/\d+/add/"))
    page.fill("input[name=q]", asset.name)
    page.press("input[name=q]", "Enter")
    row = page.locator("table.picker tr", has_text=asset.name).first
    row.locator("button:has-text('Add')").click()
    page.wait_for_selector("text=In this release")
    page.click("text=Done")
    page.click("button:has-text('Submit for review')")
    page.wait_for_selector("text=In review")
    release = Release.objects.get(name="Pump X200 launch")
    assert release.state == Release.State.IN_REVIEW
    sign_out(page, base)

    # The reviewer finds it in the queue and approves the versions shown.
    sign_in(page, base, reviewer.username)
    page.click("nav >> text=Reviews")
    page.locator("tr", has_text=release.name).locator("a.button:text-is('Review')").click()
    page.wait_for_url(re.compile(r"/releases/\d+/review/"))
    page.wait_for_selector(f"text=Version {asset.version_no}")
    assert asset.md5 in page.inner_text("main")
    page.click("button:has-text('Approve these versions')")
    wait_until(
        lambda: Publication.objects.filter(release=release, state="live").exists(),
        timeout=30,
        message="the worker did not publish the approved release",
    )
    wait_until(
        lambda: Release.objects.get(pk=release.pk).state == Release.State.PUBLISHED,
        timeout=30,
        message="the release did not become published",
    )
    page.goto(base + release.get_absolute_url())
    assert "Published" in page.inner_text(".page-head")
    sign_out(page, base)

    # The partner's view of Trading Grid shows the asset with the approved version's file.
    page.goto(f"{tradinggrid.url}/_sandbox/?partner={partner.tg_id}")
    publication = Publication.objects.get(release=release, state="live")
    card = page.locator(".card", has_text=publication.tg_id)
    assert asset.name in card.inner_text()
    assert f"v{asset.version_no}" in card.inner_text()
    assert asset.md5 in card.inner_text()
    assert "Use from 1 March." in card.inner_text()
    assert problems == []
    page.close()
