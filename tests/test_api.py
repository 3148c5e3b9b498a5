"""The REST API base: token auth, permissions, filters, pagination and the OpenAPI schema."""

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from audit.services import record
from portal.context import Actor


@pytest.fixture
def trail(db):
    for n in range(3):
        record("auth.login", object_type="auth.user", object_id=str(n), actor=Actor("user", "ada"))
    record(
        "admin.changed",
        object_type="auth.group",
        object_id="1",
        object_label="Auditors",
        actor=Actor("user", "bob"),
    )


@pytest.mark.django_db
def test_token_created_by_the_command_authenticates(api_client, auditor, trail, capsys):
    call_command("drf_create_token", "aldo")
    token = Token.objects.get(user=auditor).key
    assert token in capsys.readouterr().out
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.get("/api/v1/audit-events/", {"actor": "bob"})
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 1
    assert body["results"][0]["action"] == "admin.changed"
    assert body["results"][0]["action_label"] == "Changed in the admin site"


@pytest.mark.django_db
def test_audit_events_are_paginated_newest_first_by_keyset_cursor(api_client, auditor, trail):
    api_client.force_authenticate(auditor)
    page = api_client.get("/api/v1/audit-events/", {"page_size": 2}).json()
    assert [e["seq"] for e in page["results"]] == [4, 3] and page["previous"] is None
    # An event recorded while the reader pages does not shift what the next page holds.
    record("admin.changed", object_type="auth.user", object_id="9")
    older = api_client.get(page["next"]).json()
    assert [e["seq"] for e in older["results"]] == [2, 1] and older["next"] is None
    assert "cursor=" in page["next"] and "page=" not in page["next"]
    numbered = api_client.get("/api/v1/audit-events/", {"page": 2})
    assert numbered.status_code == 400 and "cursor" in numbered.json()["page"][0]
    detail = api_client.get("/api/v1/audit-events/1/").json()
    assert detail["prev_hash"] == ""


@pytest.mark.django_db
def test_api_refuses_the_unauthenticated_and_the_unpermitted(api_client, manager, trail):
    assert api_client.get("/api/v1/audit-events/").status_code == 401
    api_client.force_authenticate(manager)
    response = api_client.get("/api/v1/audit-events/")
    assert response.status_code == 403
    assert "permission" in response.json()["detail"]
    assert api_client.get("/api/v1/jobs/").status_code == 200


@pytest.mark.django_db
def test_api_is_read_only_for_the_audit_trail(api_client, trail):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    api_client.force_authenticate(root)
    assert api_client.delete("/api/v1/audit-events/1/").status_code == 405
    assert api_client.post("/api/v1/audit-events/", {}, format="json").status_code == 405
    assert len(api_client.get("/api/v1/audit-events/").json()["results"]) == 4


@pytest.mark.django_db
def test_bad_filter_values_get_a_clear_400(api_client, auditor):
    api_client.force_authenticate(auditor)
    response = api_client.get("/api/v1/audit-events/", {"action": "no.such"})
    assert response.status_code == 400
    assert "action" in response.json()
    bad_date = api_client.get("/api/v1/jobs/", {"queued_after": "yesterday"})
    assert bad_date.status_code == 400


@pytest.mark.django_db
def test_openapi_schema_and_offline_swagger_ui(client, manager):
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/audit-events/" in paths and "/api/v1/jobs/" in paths
    client.force_login(manager)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
