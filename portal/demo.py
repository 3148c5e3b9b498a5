"""Demo data for trying the portal: one user per role. Only ``seed_demo`` calls this."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from audit.services import record
from portal import grants, roles

DEMO_PASSWORD = "demo"  # noqa: S105  (published demo login, refused when DEBUG is off)
DEMO_REGIONS = {"manager": ["NA", "EMEA"], "reviewer": ["EMEA", "APAC"]}
DEMO_USERS = [
    ("admin", roles.PORTAL_ADMIN, "Ada", "Admin"),
    ("manager", roles.CONTENT_MANAGER, "Max", "Manager"),
    ("reviewer", roles.COMPLIANCE_REVIEWER, "Rita", "Reviewer"),
    ("auditor", roles.AUDITOR, "Aldo", "Auditor"),
]


@transaction.atomic
def seed_demo_users() -> list[str]:
    """Create or reset the demo users; return the names created this time."""
    roles.sync_roles()
    user_model = get_user_model()
    created_names = []
    for username, role, first, last in DEMO_USERS:
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            created_names.append(username)
        user.is_staff = role == roles.PORTAL_ADMIN
        user.is_superuser = role == roles.PORTAL_ADMIN
        user.save()
        user.groups.set([Group.objects.get(name=role)])
    if created_names:
        record("demo.seeded", after={"users": created_names})
        # Whole regions, so the grants hold for communities the first sync brings in.
        for username, regions in DEMO_REGIONS.items():
            user = user_model.objects.get(username=username)
            for region in regions:
                grants.grant_region(user, region, by="demo seeding")
    return created_names
