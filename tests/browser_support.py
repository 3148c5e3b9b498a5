"""What the browser tests share: signing in and out as a test user."""

PASSWORD = "secret-pass-123"


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")


def sign_out(page, base: str) -> None:
    page.click("text=Sign out")
    page.wait_for_url(base + "/login/")
