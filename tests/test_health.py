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
def test_readyz_says_what_failed_when_the_broker_is_unreachable(client):
    configured = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:9/0"
    try:
        response = client.get(reverse("readyz"))
    finally:
        app.conf.broker_url = configured
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {"database": "ok", "broker": "fail"}
    assert body["errors"]["broker"]
