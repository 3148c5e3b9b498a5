"""The scale users (one per role), communities, partners, their memberships and contacts."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from portal import grants, roles
from portal.context import USER, Actor, acting_as
from portal.models import Community, Contact, Membership, Partner
from portal.scale.base import Ref, Run, moment

MANAGER, REVIEWER = "scale-manager", "scale-reviewer"
AUDITOR, ADMIN = "scale-auditor", "scale-admin"
SCALE_USERS = (
    (MANAGER, roles.CONTENT_MANAGER, "Morgan", "Scale-Manager"),
    (REVIEWER, roles.COMPLIANCE_REVIEWER, "Robin", "Scale-Reviewer"),
    (AUDITOR, roles.AUDITOR, "Alex", "Scale-Auditor"),
    (ADMIN, roles.PORTAL_ADMIN, "Sam", "Scale-Admin"),
)
GRANTED = (MANAGER, REVIEWER)

REGIONS = {"NA": "North America", "EMEA": "EMEA", "APAC": "APAC", "LATAM": "Latin America"}
CHANNELS = ("Distributors", "Resellers", "Service Partners", "Integrators", "Retail Channel")
TIERS = ("platinum", "gold", "silver", "registered")
LANGUAGES = ("en", "de", "fr", "es", "it", "ja", "pt", "nl", "sv")
COMPANY_FIRST = (
    "Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Adatum", "Proseware",
    "Wingtip", "Lucerne", "Alpine", "Coho", "Woodgrove", "Trey", "Humongous", "Blue Yonder",
    "Fourth Coffee", "Margie", "Datum", "Relecloud", "Graphic Design",
)  # fmt: skip
COMPANY_SECOND = (
    "Industrial Supply", "Electrical", "Automation", "Systems", "Components", "Technik",
    "Distribution", "Solutions", "Controls", "Engineering", "Trading", "Installations",
)  # fmt: skip
COMPANY_FORM = ("Inc.", "GmbH", "Ltd", "S.A.", "B.V.", "AB", "S.p.A.", "K.K.", "LLC")
FIRST_NAMES = ("Anna", "Ben", "Chloe", "David", "Eva", "Felix", "Giulia", "Hiro", "Ines", "Jonas")
LAST_NAMES = ("Berg", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito", "Jensen")


@transaction.atomic
def users(run: Run, password: str) -> int:
    """Create (or reuse) the four scale users with their roles; return how many were new."""
    roles.sync_roles()
    user_model = get_user_model()
    created_count = 0
    for username, role, first, last in SCALE_USERS:
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
        )
        created_count += created
        user.set_password(password)
        user.is_staff = user.is_superuser = role == roles.PORTAL_ADMIN
        user.save()
        user.groups.add(Group.objects.get(name=role))
        run.users[username] = user
    return created_count


def communities(run: Run, count: int) -> int:
    """Communities over every region, each granted to the scale manager and reviewer."""
    rng = run.rng("communities")
    codes = list(REGIONS)
    rows = []
    for i in range(count):
        code = codes[i % len(codes)]
        regions = [code] if rng.random() < 0.85 else sorted({code, *rng.sample(codes, 2)})
        channel = CHANNELS[(i // len(codes)) % len(CHANNELS)]
        rows.append(
            Community(
                tg_id=f"{run.prefix}-com-{i:05d}",
                name=f"{REGIONS[code]} {channel} {i + 1}",
                description=f"{channel} of the {REGIONS[code]} region (scale data).",
                status="active",
                regions=regions,
                region=regions[0],
                region_index="|" + "|".join(regions) + "|",
                tiers=list(TIERS[: rng.randint(2, 4)]),
                review_optional=rng.random() < 0.2,
                tg_updated_at=moment(rng, run.since, run.now),
                last_synced_at=run.now,
            )
        )
    with transaction.atomic():
        created = Community.objects.bulk_create(rows, batch_size=1000)
        run.communities = [Ref(c.pk, c.name) for c in created]
        run.community_regions = {c.pk: c.region for c in created}
        admin = run.users[ADMIN]
        with acting_as(Actor(USER, admin.get_username(), admin.pk), via="cli"):
            for community in created:
                for username in GRANTED:
                    grants.grant_community(run.users[username], community)
    return len(created)


def partners(run: Run, count: int) -> int:
    """Partners spread over the communities (one to three each), with one contact each."""
    if not run.communities:
        return 0
    rng = run.rng("partners")
    rows = []
    for i in range(count):
        name = (
            f"{rng.choice(COMPANY_FIRST)} {rng.choice(COMPANY_SECOND)} "
            f"{rng.choice(COMPANY_FORM)} {i + 1}"
        )
        rows.append(
            Partner(
                tg_id=f"{run.prefix}-par-{i:06d}",
                company_name=name,
                status="active" if rng.random() < 0.95 else "inactive",
                tier=rng.choices(TIERS, (1, 3, 4, 4))[0],
                regions=[rng.choice(list(REGIONS))],
                language=rng.choice(LANGUAGES),
                tags=rng.sample(["stocking", "service", "online", "key-account", "new"], 2),
                joined_at=moment(rng, run.since, run.now),
                tg_updated_at=moment(rng, run.since, run.now),
            )
        )
    with transaction.atomic():
        created = Partner.objects.bulk_create(rows, batch_size=1000)
        memberships, contacts = [], []
        for partner in created:
            picked = rng.sample(run.communities, min(len(run.communities), rng.randint(1, 3)))
            run.partner_communities[partner.pk] = [c.pk for c in picked]
            for community in picked:
                left = rng.random() < 0.05
                joined = partner.joined_at
                memberships.append(
                    Membership(
                        partner=partner,
                        community_id=community.pk,
                        active=not left,
                        joined_at=joined,
                        left_at=joined + timedelta(days=rng.randint(30, 400)) if left else None,
                    )
                )
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            contacts.append(
                Contact(
                    partner=partner,
                    tg_id=f"{partner.tg_id}-c1",
                    email=f"{first.lower()}.{last.lower()}{partner.pk}@partner.example.com",
                    first_name=first,
                    last_name=last,
                    locale=partner.language,
                    status="active",
                )
            )
        Membership.objects.bulk_create(memberships, batch_size=2000)
        Contact.objects.bulk_create(contacts, batch_size=2000)
    run.partners = [Ref(p.pk, p.company_name) for p in created]
    return len(created)
