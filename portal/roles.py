"""The portal's roles as Django groups with model permissions.

Which communities a manager or reviewer may act on is granted per object (django-guardian);
the groups here say what kind of work each role does at all.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

CONTENT_MANAGER = "Content managers"
COMPLIANCE_REVIEWER = "Compliance reviewers"
PORTAL_ADMIN = "Portal admins"
AUDITOR = "Auditors"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    CONTENT_MANAGER: [
        "portal.view_jobrun",
        "portal.view_asset",
        "portal.start_sync",
        "integrations.view_syncrun",
        "portal.view_community",
        "portal.view_partner",
        "portal.view_release",
        "portal.add_release",
        "portal.change_release",
        "portal.submit_release",
        "portal.withdraw_release",
        "portal.view_usagedaily",
        "requests_app.view_partnerrequest",
        "requests_app.change_partnerrequest",
        "portal.view_onboardingprogram",
        "portal.add_onboardingprogram",
        "portal.change_onboardingprogram",
        "portal.enroll_partner",
        "portal.view_enrollment",
        "portal.view_followup",
        "portal.change_followup",
    ],
    COMPLIANCE_REVIEWER: [
        "portal.view_asset",
        "portal.view_community",
        "portal.view_partner",
        "portal.view_release",
        "portal.review_release",
        "portal.view_usagedaily",
        "requests_app.view_partnerrequest",
        "portal.view_onboardingprogram",
        "portal.view_enrollment",
        "portal.view_followup",
    ],
    AUDITOR: [
        "audit.view_auditevent",
        "portal.view_jobrun",
        "portal.view_asset",
        "integrations.view_syncrun",
        "portal.view_community",
        "portal.view_partner",
        "portal.view_release",
        "portal.view_usagedaily",
        "requests_app.view_partnerrequest",
        "portal.view_onboardingprogram",
        "portal.view_enrollment",
        "portal.view_followup",
    ],
}
# Portal admins hold every permission of these apps (and manage users and groups).
ADMIN_APPS = [
    "portal",
    "audit",
    "integrations",
    "requests_app",
    "auth",
    "authtoken",
    "django_celery_beat",
    "axes",
]
ADMIN_EXCLUDED = ["audit.add_auditevent", "audit.change_auditevent", "audit.delete_auditevent"]


def _permissions(names: list[str]) -> list[Permission]:
    query = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(query))


def sync_roles() -> None:
    """Create the role groups and give them exactly their permissions (idempotent)."""
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(_permissions(names))
    admin, _ = Group.objects.get_or_create(name=PORTAL_ADMIN)
    excluded = Q(pk__in=[])
    for name in ADMIN_EXCLUDED:
        app_label, codename = name.split(".", 1)
        excluded |= Q(content_type__app_label=app_label, codename=codename)
    admin.permissions.set(
        Permission.objects.filter(content_type__app_label__in=ADMIN_APPS).exclude(excluded)
    )


def sync_roles_after_migrate(**kwargs) -> None:
    sync_roles()


def role_names(user) -> list[str]:
    if not user.is_authenticated:
        return []
    return sorted(user.groups.values_list("name", flat=True))
