"""Demo data for trying the portal: one user per role and a few releases at different steps.
Only ``seed_demo`` calls this."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import record
from portal import grants, roles
from portal.context import USER, Actor, acting_as
from portal.models import Asset, Community, Release, ReleaseItem
from portal.releases import services

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


@dataclass(frozen=True)
class DemoRelease:
    name: str
    stage: str  # draft, in_review or published
    category: str
    language: str
    communities: tuple[str, ...]
    instructions: str
    requires_acknowledgement: bool = False


# One release at each step a newcomer meets first: the manager's draft, one waiting for the
# reviewer, and one partners already see. Communities are seeded EMEA ones, granted to both.
DEMO_RELEASES = (
    DemoRelease(
        "Campaign banners",
        "draft",
        "Campaign",
        "en",
        ("EMEA Resellers",),
        "Banners for the launch and holiday promotions; submit once the campaign dates are set.",
    ),
    DemoRelease(
        "DACH safety data sheets",
        "in_review",
        "Safety data sheet",
        "de",
        ("DACH Partners",),
        "Replace every earlier copy of these safety data sheets and confirm you did.",
        requires_acknowledgement=True,
    ),
    DemoRelease(
        "EMEA product sheets",
        "published",
        "Product sheet",
        "en",
        ("EMEA Resellers", "Nordics Channel"),
        "The current English product sheets for the EMEA range.",
    ),
)
DEMO_ITEMS = 2


class DemoDataMissing(Exception):
    """The catalog or the communities the demo releases need are not mirrored (or cannot be)."""


def missing_demo_releases() -> list[DemoRelease]:
    names = [r.name for r in DEMO_RELEASES]
    existing = set(Release.objects.filter(name__in=names).values_list("name", flat=True))
    return [r for r in DEMO_RELEASES if r.name not in existing]


def mirrored() -> bool:
    return Asset.objects.exists() and Community.objects.exists()


@contextmanager
def sandboxes_answering() -> Iterator[None]:
    """The embedded sandboxes, reachable for the length of the block.

    A sandbox already running (``make run`` is up) is used as it is; one that is not is served
    from this process meanwhile, seeded as ``make run`` seeds it, so what is mirrored from it
    is what the stack's own sandbox will serve. Its tokens are forgotten afterwards.
    """
    from integrations.canto.client import CantoClient
    from integrations.management.commands.run_sandbox import serve_in_background
    from integrations.tradinggrid.client import TradingGridClient

    servers = []
    try:
        for kind, base_url in (
            ("canto", settings.CANTO_BASE_URL),
            ("tradinggrid", settings.TRADINGGRID_BASE_URL),
        ):
            if not _answers(base_url):
                address = urlsplit(base_url)
                try:
                    servers.append(serve_in_background(kind, address.hostname, address.port))
                except OSError as exc:
                    raise DemoDataMissing(f"the {kind} sandbox cannot start: {exc}") from exc
        yield
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
        if servers:
            cache.delete_many(
                [CantoClient.from_settings().token_key, TradingGridClient.from_settings().token_key]
            )


def _answers(base_url: str) -> bool:
    try:
        return requests.get(f"{base_url}/_sandbox/api/info", timeout=2).ok
    except requests.RequestException:
        return False


def mirror_from_sandboxes() -> None:
    """Fill an empty catalog and community list from the embedded sandboxes."""
    from integrations.canto.runs import run_catalog_sync
    from integrations.tradinggrid.sync import run_partner_sync

    if not (settings.CANTO_SANDBOX and settings.TRADINGGRID_SANDBOX):
        raise DemoDataMissing(
            "Demo releases need the catalog and the communities: run a Canto and a Trading Grid "
            "sync first (python manage.py sync_canto --full; python manage.py sync_tradinggrid)."
        )
    with sandboxes_answering():
        if not Asset.objects.exists():
            run_catalog_sync(full=True)
        if not Community.objects.exists():
            run_partner_sync(full=True)


def _eligible(spec: DemoRelease, used: set[int]) -> list[Asset]:
    eligible = (
        Asset.objects.filter(approval_status="Approved", deleted_in_canto=False)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now() + timedelta(days=30)))
        .exclude(pk__in=used)
        .order_by("name", "pk")
    )
    wanted = eligible.filter(category=spec.category)
    if spec.language:
        wanted = wanted.filter(language=spec.language)
    return list(wanted[:DEMO_ITEMS]) or list(eligible[:DEMO_ITEMS])


def _person(user):
    return acting_as(Actor(USER, user.get_username(), user.pk), via="cli")


def seed_demo_releases() -> list[DemoRelease]:
    """Create the demo releases that do not exist yet (by name); return those created.

    The published one is approved here and published by the worker through the outbox, as
    any release is: at once when the stack is up, else as soon as it starts.
    """
    missing = missing_demo_releases()
    if not missing:
        return []
    if not mirrored():
        raise DemoDataMissing("The catalog or the communities are not mirrored yet.")
    user_model = get_user_model()
    manager = user_model.objects.get(username="manager")
    reviewer = user_model.objects.get(username="reviewer")
    used = set(
        ReleaseItem.objects.filter(release__name__in=[r.name for r in DEMO_RELEASES]).values_list(
            "asset_id", flat=True
        )
    )
    for spec in missing:
        communities = list(Community.objects.filter(name__in=spec.communities).order_by("name"))
        if len(communities) != len(spec.communities):
            raise DemoDataMissing(
                f"{spec.name} needs the communities {', '.join(spec.communities)}."
            )
        assets = _eligible(spec, used)
        if not assets:
            raise DemoDataMissing(f"No asset in the catalog may be released for {spec.name}.")
        used.update(a.pk for a in assets)
        with transaction.atomic():
            with _person(manager):
                release = services.create(
                    manager,
                    communities=communities,
                    name=spec.name,
                    instructions=spec.instructions,
                    requires_acknowledgement=spec.requires_acknowledgement,
                )
                for asset in assets:
                    services.add_item(manager, release, asset)
                if spec.stage != "draft":
                    services.submit(manager, release)
            if spec.stage == "published":
                release.refresh_from_db()
                with _person(reviewer):
                    services.approve(reviewer, release, revision=release.revision)
    return missing
