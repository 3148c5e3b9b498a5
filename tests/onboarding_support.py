"""What the onboarding tests share: programs approved through the release machinery, partners
joining and leaving the way the partner sync records it, and reading the audit trail."""

from __future__ import annotations

import json
import re

import responses
from django.utils import timezone

from audit.models import AuditEvent
from integrations.tradinggrid.sync import refresh_partner
from portal.models import Enrollment, OnboardingProgram, Partner, Release
from portal.onboarding import programs
from portal.onboarding.programs import Material
from portal.releases import services as releases
from tests.request_flow_support import person


def program_of(
    manager,
    community,
    materials,
    *,
    name: str = "Welcome to EMEA",
    target_days: int = 30,
    **values,
) -> OnboardingProgram:
    """A draft program with these materials: assets, or (asset, needs acknowledgement)."""
    with person(manager):
        program = programs.create_program(
            manager, name=name, community=community, target_days=target_days, **values
        )
        wanted = [m if isinstance(m, Material) else Material(*_pair(m)) for m in materials]
        programs.set_materials(manager, program, wanted)
    program.refresh_from_db()
    return program


def _pair(value):
    return value if isinstance(value, tuple) else (value, True)


def approved(manager, reviewer, program: OnboardingProgram) -> OnboardingProgram:
    """Submitted by the manager and approved by the reviewer (published: nobody enrolled yet)."""
    release = program.release
    with person(manager):
        releases.submit(manager, release)
    release.refresh_from_db()
    if release.state == Release.State.IN_REVIEW:
        with person(reviewer):
            releases.approve(reviewer, release, revision=release.revision)
    program.refresh_from_db()
    program.release.refresh_from_db()
    return program


def partner_data(tg_id: str, name: str, *communities) -> dict:
    return {
        "id": tg_id,
        "company_name": name,
        "status": "active",
        "tier": "gold",
        "regions": ["EMEA"],
        "language": "en",
        "community_ids": [c.tg_id for c in communities],
        "updated_at": timezone.now().isoformat(),
    }


def serve_partners(trading_grid) -> dict[str, dict]:
    """Let the faked Trading Grid answer for partners: what ``partner.joined`` makes us read."""
    partners: dict[str, dict] = {}
    api = re.escape(f"{trading_grid.base_url}/ac/v1")

    def one(request):
        found = partners.get(request.path_url.split("?")[0].rsplit("/", 1)[-1])
        if found is None:
            return 404, {"Content-Type": "application/problem+json"}, "{}"
        return 200, {"Content-Type": "application/json"}, json.dumps(found)

    def contacts(request):
        return 200, {"Content-Type": "application/json"}, json.dumps({"data": []})

    trading_grid.mock.add_callback(
        responses.GET, re.compile(rf"{api}/partners/([^/?]+)/contacts(\?.*)?$"), callback=contacts
    )
    trading_grid.mock.add_callback(
        responses.GET, re.compile(rf"{api}/partners/([^/?]+)(\?.*)?$"), callback=one
    )
    trading_grid.partners = partners
    return partners


def synced(trading_grid, tg_id: str, name: str, *communities) -> Partner:
    """The partner as Trading Grid now lists it, read the way a ``partner.*`` event makes the
    worker read it: its memberships become exactly these communities."""
    if not hasattr(trading_grid, "partners"):
        serve_partners(trading_grid)
    trading_grid.partners[tg_id] = partner_data(tg_id, name, *communities)
    assert refresh_partner(tg_id) in ("created", "updated")
    return Partner.objects.get(tg_id=tg_id)


def enrollment_of(program, partner) -> Enrollment:
    return Enrollment.objects.get(program=program, partner=partner)


def events(obj, action: str | None = None) -> list[str]:
    found = AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("seq")
    if action:
        found = found.filter(action=action)
    return list(found.values_list("action", flat=True))


def member(tg_id: str, name: str, community) -> Partner:
    """A partner who has long been a member of the community (joined before any program)."""
    from portal.models import Membership

    found = Partner.objects.get_or_create(
        tg_id=tg_id, defaults={"company_name": name, "status": "active"}
    )[0]
    Membership.objects.get_or_create(partner=found, community=community)
    return found


def enrolled(
    manager,
    program: OnboardingProgram,
    partner: Partner,
    *,
    acknowledged=(),
    declined=(),
    overdue: bool = False,
    took_days: float | None = None,
) -> Enrollment:
    """Enrolled by the manager; then, as Trading Grid reported it over time, these materials
    acknowledged or declined, the target time passed, or the program completed after days."""
    from datetime import timedelta

    from portal.models import Acknowledgement
    from portal.onboarding import enrollments

    with person(manager):
        enrollment = enrollments.enroll_partner(manager, program, partner)
    now = timezone.now()
    for names, status in ((acknowledged, "acknowledged"), (declined, "declined")):
        for name in names:
            Acknowledgement.objects.create(
                enrollment=enrollment,
                item=program.release.items.get(asset__name=name),
                status=status,
                at=now,
            )
    if overdue:
        Enrollment.objects.filter(pk=enrollment.pk).update(
            enrolled_at=now - timedelta(days=program.target_days + 2),
            due_at=now - timedelta(days=2),
        )
    if took_days is not None:
        Enrollment.objects.filter(pk=enrollment.pk).update(
            state=Enrollment.State.COMPLETED,
            enrolled_at=now - timedelta(days=took_days),
            completed_at=now,
        )
    enrollment.refresh_from_db()
    return enrollment
