"""The demo's onboarding program: approved for one seeded community, with two of its partners
enrolled, so the worker publishes the materials to them and the program page has people on it.
A newcomer then plays one of them in the Trading Grid sandbox and acknowledges, or makes a new
partner join the community and watches them be enrolled."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from portal.demo import DemoDataMissing, _person
from portal.models import Asset, Community, OnboardingProgram, Partner, Release
from portal.onboarding import enrollments, programs
from portal.onboarding.programs import Material
from portal.releases import services as releases

NAME = "EMEA reseller onboarding"
COMMUNITY = "EMEA Resellers"
MATERIALS = 3  # the first ones need acknowledgement, the last is for reading
ENROLLED = 2
INSTRUCTIONS = "Welcome aboard: read these before your first customer meeting."


def _materials() -> list[Asset]:
    preferred = Case(
        When(category__in=["Training", "Brand asset"], then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return list(
        Asset.objects.filter(approval_status="Approved", deleted_in_canto=False, regulated=False)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now() + timedelta(days=60)))
        .annotate(preferred=preferred)
        .order_by("preferred", "category", "name", "pk")[:MATERIALS]
    )


def seed_demo_program() -> OnboardingProgram | None:
    """Create the demo program unless it exists; the worker publishes it to those enrolled."""
    if OnboardingProgram.objects.filter(release__name=NAME).exists():
        return None
    community = Community.objects.filter(name=COMMUNITY).first()
    if community is None:
        raise DemoDataMissing(f"The demo onboarding program needs the community {COMMUNITY}.")
    assets = _materials()
    if len(assets) < MATERIALS:
        raise DemoDataMissing("Too few assets in the catalog for the demo onboarding program.")
    partners = list(
        Partner.objects.filter(
            memberships__community=community, memberships__active=True, status="active"
        ).order_by("company_name", "pk")[:ENROLLED]
    )
    users = get_user_model().objects
    manager, reviewer = users.get(username="manager"), users.get(username="reviewer")
    with transaction.atomic():
        with _person(manager):
            program = programs.create_program(
                manager,
                name=NAME,
                community=community,
                target_days=30,
                instructions=INSTRUCTIONS,
            )
            wanted = [Material(a, n < MATERIALS - 1) for n, a in enumerate(assets)]
            programs.set_materials(manager, program, wanted)
            releases.submit(manager, program.release)
        release = Release.objects.get(pk=program.release_id)
        if release.state == Release.State.IN_REVIEW:
            with _person(reviewer):
                releases.approve(reviewer, release, revision=release.revision)
        with _person(manager):
            for partner in partners:
                enrollments.enroll_partner(manager, program, partner)
    return program
