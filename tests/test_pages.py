"""Pages every role sees: dashboard, navigation, error pages and the admin site."""

import pytest
from django.test import override_settings
from django.urls import reverse

from audit.models import AuditEvent
from portal.demo import seed_demo_users
from portal.roles import AUDITOR, COMPLIANCE_REVIEWER, CONTENT_MANAGER, PORTAL_ADMIN


@pytest.mark.django_db
def test_dashboard_requires_sign_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_navigation_follows_the_role(client, manager, reviewer, auditor):
    client.force_login(auditor)
    html = client.get(reverse("dashboard")).content.decode()
    assert "Audit trail" in html and "Latest audit events" in html and "Jobs" in html
    client.force_login(reviewer)
    html = client.get(reverse("dashboard")).content.decode()
    assert "Audit trail" not in html and "Latest jobs" not in html
    assert "Compliance reviewers" in html
    client.force_login(manager)
    html = client.get(reverse("dashboard")).content.decode()
    assert "Latest jobs" in html and "Audit trail" not in html


@pytest.mark.django_db
def test_not_found_page_is_in_the_portal_style(client, manager):
    client.force_login(manager)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"404" in response.content and b"Back to the dashboard" in response.content


@override_settings(DEBUG=False)
def test_server_error_page_is_in_the_portal_style(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


@pytest.mark.django_db
def test_roles_exist_with_their_permissions_after_migrate():
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert {CONTENT_MANAGER, COMPLIANCE_REVIEWER, PORTAL_ADMIN, AUDITOR} <= names
    auditor_perms = set(
        Group.objects.get(name=AUDITOR).permissions.values_list("codename", flat=True)
    )
    assert "view_auditevent" in auditor_perms
    admin_perms = set(
        Group.objects.get(name=PORTAL_ADMIN).permissions.values_list("codename", flat=True)
    )
    assert "change_user" in admin_perms and "change_auditevent" not in admin_perms


@pytest.mark.django_db
def test_demo_seeding_is_idempotent_and_audited_once():
    assert sorted(seed_demo_users()) == ["admin", "auditor", "manager", "reviewer"]
    assert seed_demo_users() == []
    assert AuditEvent.objects.filter(action="demo.seeded").count() == 1


@pytest.mark.django_db
def test_demo_seeding_command_refuses_with_debug_off(settings):
    from django.core.management import CommandError, call_command

    settings.DEBUG = False
    with pytest.raises(CommandError, match="never seeded with DEBUG off"):
        call_command("seed_demo")


@pytest.mark.django_db
def test_admin_site_changes_are_audited(client, portal_admin):
    from django.contrib.auth.models import Group

    client.force_login(portal_admin)
    response = client.post(reverse("admin:auth_group_add"), {"name": "Regional leads"})
    assert response.status_code == 302
    group = Group.objects.get(name="Regional leads")
    event = AuditEvent.objects.get(action="admin.added")
    assert (event.actor_name, event.object_type, event.object_id) == (
        "ada",
        "auth.group",
        str(group.pk),
    )
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200


@pytest.mark.django_db
def test_admin_bulk_deletion_is_audited_per_object(client, portal_admin):
    from django.contrib.auth.models import Group

    client.force_login(portal_admin)
    doomed = [Group.objects.create(name=f"Temporary {n}") for n in range(2)]
    response = client.post(
        reverse("admin:auth_group_changelist"),
        {"action": "delete_selected", "_selected_action": [g.pk for g in doomed], "post": "yes"},
    )
    assert response.status_code == 302
    deleted = AuditEvent.objects.filter(action="admin.deleted", object_type="auth.group")
    assert sorted(deleted.values_list("object_label", flat=True)) == ["Temporary 0", "Temporary 1"]
    assert set(deleted.values_list("actor_name", flat=True)) == {"ada"}


@pytest.mark.django_db
def test_api_token_keys_never_reach_the_audit_trail(client, portal_admin, manager):
    from rest_framework.authtoken.models import Token

    client.force_login(portal_admin)
    client.post(reverse("admin:authtoken_tokenproxy_add"), {"user": manager.pk})
    key = Token.objects.get(user=manager).key
    client.post(reverse("admin:authtoken_tokenproxy_delete", args=[manager.pk]), {"post": "yes"})
    events = AuditEvent.objects.filter(object_type__startswith="authtoken")
    assert events.count() == 2
    assert all(key not in f"{e.object_id} {e.object_label} {e.after}" for e in events)
