"""In headless Chromium: a manager triages a partner's request and delivers the asset it names,
the worker publishes it to Trading Grid, and the partner follows the request by its status
link, in their language, without signing in."""

import re

import pytest

from integrations.canto.runs import run_catalog_sync
from integrations.tradinggrid.sync import run_partner_sync
from portal import grants
from portal.models import Asset, Community, Partner
from requests_app.intake import refresh_request
from requests_app.models import PartnerRequest
from tests.browser_support import sign_in
from tests.processes import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_triages_and_delivers_and_the_partner_follows_it_by_link(
    canto, tradinggrid, live_server, browser, celery_worker, manager
):
    run_catalog_sync(full=True)
    run_partner_sync(full=True)
    partner = Partner.objects.filter(status="active", memberships__active=True).first()
    community: Community = partner.communities.first()
    community.review_optional = True
    community.save()
    grants.grant_community(manager, community)
    asset = Asset.objects.filter(approval_status="Approved", expires_at=None, regulated=False)[0]
    opened = tradinggrid.control(
        "POST",
        "requests",
        {
            "community_id": community.tg_id,
            "partner_id": partner.tg_id,
            "type": "asset_request",
            "subject": "Current pump brochure",
            "locale": "de-DE",
            "asset_refs": [asset.canto_id],
        },
    )
    refresh_request(opened["id"])
    request = PartnerRequest.objects.get(tg_id=opened["id"])
    base = live_server.url
    page = browser.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))

    # The manager finds the new request in the queue and triages it.
    sign_in(page, base, manager.username)
    page.click("nav >> text=Requests")
    page.click(f"text={request.reference}")
    page.wait_for_url(re.compile(rf"/requests/{request.pk}/$"))
    page.click("#action-triage >> button:has-text('Accept and triage')")
    page.wait_for_selector("text=Request triaged")
    assert PartnerRequest.objects.get(pk=request.pk).state == "triaged"

    # It delivers the asset the partner named; the worker publishes it to Trading Grid.
    page.check(f"#action-deliver >> label:has-text('{asset.name}') >> input")
    page.click("#action-deliver >> button:has-text('Deliver through a release')")
    wait_until(
        lambda: PartnerRequest.objects.get(pk=request.pk).state == "delivered",
        timeout=60,
        message="the delivery release did not reach Trading Grid",
    )
    page.goto(f"{base}/requests/{request.pk}/")
    page.wait_for_selector("h1 >> text=Delivered")
    remote = tradinggrid.control("GET", f"requests?partner_id={partner.tg_id}")
    assert next(r for r in remote if r["id"] == opened["id"])["status"] == "resolved"

    # A status link is shown once; the partner opens it without an account, in German.
    page.click("button:has-text('Create link')")
    url = page.input_value("input[aria-label='Status link']")
    assert url.startswith("http") and "/status/" in url
    link = url[url.index("/status/") :]
    partner_page = browser.new_context().new_page()
    partner_page.on("pageerror", lambda e: problems.append(str(e)))
    response = partner_page.goto(base + link)
    assert response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    partner_page.wait_for_selector(f"text={request.reference}")
    assert partner_page.locator("html").get_attribute("lang") == "de"
    assert partner_page.locator("text=Geliefert").count() >= 1
    assert partner_page.locator(f"a:has-text('{asset.name}')").count() == 1
    partner_page.click("a:has-text('English')")
    partner_page.wait_for_selector("text=Delivered")
    assert partner_page.context.cookies() == []

    # Revoked in the portal, the link answers 410 with a page that says so.
    page.goto(f"{base}/requests/{request.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Revoke')")
    page.wait_for_selector("text=revoked")
    assert partner_page.goto(base + link).status == 410
    assert problems == []
