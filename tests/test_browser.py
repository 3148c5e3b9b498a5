"""In headless Chromium: every demo user signs in through the form and sees the dashboard."""

import pytest

from portal.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo_users


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("username", "role"), [(name, role) for name, role, *_ in DEMO_USERS])
def test_demo_user_signs_in_and_sees_the_dashboard(live_server, browser, username, role):
    seed_demo_users()
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    page.goto(live_server.url + "/")
    assert page.url.startswith(live_server.url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")

    page.wait_for_selector("h1")
    assert page.url == live_server.url + "/"
    assert "Good to see you" in page.inner_text("h1")
    assert role in page.inner_text(".account")
    if role in ("Auditors", "Portal admins"):
        page.click("text=Audit trail")
        page.wait_for_selector("table.table")
        assert "Signed in" in page.inner_text("table.table")
    page.click("text=Sign out")
    page.wait_for_url(live_server.url + "/login/")
    assert problems == []
    page.close()
