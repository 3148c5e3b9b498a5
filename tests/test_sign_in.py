"""Sign-in, sign-out and login throttling, each on the audit trail."""

import pytest
from django.test import override_settings
from django.urls import reverse

from audit.models import AuditEvent


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.django_db
def test_sign_in_and_out_are_audited(client, manager):
    response = _login(client, "max", "secret-pass-123")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    login = AuditEvent.objects.get(action="auth.login")
    assert (login.actor_name, login.object_type, login.object_id) == (
        "max",
        "auth.user",
        str(manager.pk),
    )
    assert login.ip == "127.0.0.1" and login.via == "web"

    client.post(reverse("logout"))
    assert AuditEvent.objects.filter(action="auth.logout", actor_name="max").exists()
    assert client.get(reverse("dashboard")).status_code == 302


@pytest.mark.django_db
def test_failed_sign_in_shows_a_form_error_and_is_audited(client, manager):
    response = _login(client, "max", "wrong")
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.object_label == "max"


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_out_and_the_lockout_is_audited(client, manager):
    for _ in range(2):
        assert _login(client, "max", "wrong").status_code == 200
    locked = _login(client, "max", "wrong")
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content

    # Even the right password is refused while locked out.
    again = _login(client, "max", "secret-pass-123")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session

    # The lockout and every attempt refused during it are on the trail.
    lockouts = AuditEvent.objects.filter(action="auth.lockout").order_by("seq")
    assert [e.after for e in lockouts] == [{"username": "max", "ip": "127.0.0.1"}] * 2
    assert not AuditEvent.objects.filter(action="auth.login").exists()


@pytest.mark.django_db
def test_login_page_renders_with_csrf_protection(client):
    page = client.get(reverse("login"))
    assert page.status_code == 200 and b"csrfmiddlewaretoken" in page.content
    strict = client.__class__(enforce_csrf_checks=True)
    refused = strict.post(reverse("login"), {"username": "x", "password": "y"})
    assert refused.status_code == 403
    assert b"The form has expired or was not sent from this site" in refused.content
