import pytest
from django.urls import reverse

from portal.celery import app


@pytest.mark.django_db
def test_healthz_answers_while_the_process_lives(client):
    response = client.get(reverse("healthz"))
    assert (response.status_code, response.content) == (200, b"ok")


@pytest.mark.django_db
def test_readyz_checks_database_and_broker(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_readyz_says_what_failed_when_the_broker_is_unreachable(client, portal_admin):
    configured = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:9/0"
    try:
        anonymous = client.get(reverse("readyz"))
        client.force_login(portal_admin)
        staff = client.get(reverse("readyz"))
    finally:
        app.conf.broker_url = configured
    assert anonymous.status_code == staff.status_code == 503
    assert anonymous.json() == {"status": "fail", "checks": {"database": "ok", "broker": "fail"}}
    assert "Error" in staff.json()["errors"]["broker"]
