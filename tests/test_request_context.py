"""Request ids, client addresses and actors, as the audit trail records them."""

import uuid

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token

from audit.models import AuditEvent
from portal.context import RequestContext, client_ip


@pytest.mark.django_db
def test_every_response_carries_a_new_request_id(client):
    first = client.get(reverse("healthz"))["X-Request-ID"]
    second = client.get(reverse("healthz"))["X-Request-ID"]
    assert uuid.UUID(first) and first != second


@pytest.mark.django_db
def test_request_id_from_an_untrusted_client_is_not_believed(client):
    response = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="chosen-by-client")
    assert response["X-Request-ID"] != "chosen-by-client"


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_trusted_proxy_request_id_and_client_address_reach_the_audit_trail(client, manager):
    response = client.post(
        reverse("login"),
        {"username": "max", "password": "secret-pass-123"},
        REMOTE_ADDR="10.1.2.3",
        HTTP_X_REQUEST_ID="lb-4711",
        HTTP_X_FORWARDED_FOR="203.0.113.9, 10.1.2.4",
    )
    assert response["X-Request-ID"] == "lb-4711"
    event = AuditEvent.objects.get(action="auth.login")
    assert (event.request_id, event.ip) == ("lb-4711", "203.0.113.9")


def test_forwarded_for_is_ignored_from_an_untrusted_peer():
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.1"])
def test_a_forged_leftmost_forwarded_address_does_not_win():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5"
    )
    assert client_ip(request) == "203.0.113.5"


@pytest.mark.django_db
def test_api_token_requests_act_as_the_token(manager):
    token = Token.objects.create(user=manager)
    request = RequestFactory().get("/api/v1/jobs/")
    request.user, request.auth = manager, token
    actor = RequestContext(request=request).resolved_actor()
    assert (actor.type, actor.name, actor.id) == ("api_token", "max", manager.pk)
    request.auth = None
    assert RequestContext(request=request).resolved_actor().type == "user"
