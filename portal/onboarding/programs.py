"""What people do to onboarding programs. Each function is one atomic, audited step.

A program is a release of kind ``onboarding`` for one community: the release machinery
reviews and publishes its materials (``portal.releases``), this module keeps what only a
program has: its community, target time, whether it enrolls newcomers, and which materials
partners must acknowledge, in which order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from audit.services import record
from portal.errors import Conflict, ServiceError
from portal.models import Asset, Community, OnboardingProgram, Release, ReleaseItem, Review
from portal.onboarding.rules import ADD, CHANGE, require
from portal.releases import services as releases
from portal.releases.rules import require_eligible
from portal.releases.transitions import bump, lock

MAX_TARGET_DAYS = 365
PROGRAM_FIELDS = ("target_days", "active")
RELEASE_FIELDS = ("name", "instructions")


@dataclass(frozen=True)
class Material:
    """One wanted material: an asset and whether partners must acknowledge it."""

    asset: Asset
    needs_acknowledgement: bool = True


def _check_target(target_days) -> int:
    if not isinstance(target_days, int) or isinstance(target_days, bool):
        raise ServiceError("The target time is a whole number of days.")
    if not 1 <= target_days <= MAX_TARGET_DAYS:
        raise ServiceError(f"The target time lies between 1 and {MAX_TARGET_DAYS} days.")
    return target_days


def _check_name(name) -> str:
    name = str(name or "").strip()
    if not name:
        raise ServiceError("Give the program a name.")
    if len(name) > 200:
        raise ServiceError("Keep the name under 200 characters.")
    return name


@transaction.atomic
def create_program(
    user,
    *,
    name: str,
    community: Community,
    target_days: int = 30,
    instructions: str = "",
    active: bool = True,
) -> OnboardingProgram:
    """A draft program for one community; its materials are added next, then it is reviewed."""
    require(user, ADD, community)
    name = _check_name(name)
    target_days = _check_target(target_days)
    release = releases.new_release(
        user,
        communities=[community],
        kind=Release.Kind.ONBOARDING,
        name=name,
        instructions=(instructions or "").strip(),
    )
    program = OnboardingProgram.objects.create(
        release=release, community=community, target_days=target_days, active=bool(active)
    )
    record(
        "onboarding.program_created",
        obj=program,
        after={
            "release": release.pk,
            "name": name,
            "community": community.name,
            "target_days": target_days,
            "active": program.active,
        },
    )
    return program


def lock_program(program: OnboardingProgram | int) -> tuple[OnboardingProgram, Release]:
    """The program and its release, the release row-locked (the program's one lock)."""
    pk = program.pk if isinstance(program, OnboardingProgram) else program
    release_id = OnboardingProgram.objects.values_list("release_id", flat=True).get(pk=pk)
    release = lock(release_id)
    program = OnboardingProgram.objects.select_related("community").get(pk=pk)
    program.release = release
    return program, release


@transaction.atomic
def update_program(user, program: OnboardingProgram, **values) -> OnboardingProgram:
    """Change what is given of name, instructions, target days and active.

    The name and instructions are what partners read, so they change only while the program
    is a draft or rejected; the target time (for enrollments from now on) and whether
    newcomers are enrolled change at any time.
    """
    program, release = lock_program(program)
    require(user, CHANGE, program.community)
    unknown = set(values) - set(PROGRAM_FIELDS) - set(RELEASE_FIELDS)
    if unknown:
        raise ServiceError(f"A program has no field {sorted(unknown)[0]!r}.")
    if "name" in values:
        values["name"] = _check_name(values["name"])
    if "instructions" in values:
        values["instructions"] = str(values["instructions"] or "").strip()
    if "target_days" in values:
        values["target_days"] = _check_target(values["target_days"])
    if "active" in values:
        values["active"] = bool(values["active"])
    before, after = {}, {}
    for name, value in values.items():
        holder = release if name in RELEASE_FIELDS else program
        if getattr(holder, name) != value:
            before[name], after[name] = getattr(holder, name), value
    if not after:
        return program
    shown = [name for name in after if name in RELEASE_FIELDS]
    if shown and not release.is_editable:
        raise Conflict(
            f"The program is {release.get_state_display().lower()}: its name and instructions "
            "change only while it is a draft or rejected."
        )
    for name in shown:
        setattr(release, name, after[name])
    if shown:
        bump(release, *shown)
    kept = [name for name in after if name in PROGRAM_FIELDS]
    for name in kept:
        setattr(program, name, after[name])
    if kept:
        program.save(update_fields=kept)
    record("onboarding.program_changed", obj=program, before=before, after=after)
    return program


def _describe(items: Sequence[ReleaseItem]) -> list[dict]:
    return [
        {
            "asset": item.asset.canto_id,
            "name": item.asset.name,
            "version": item.version_no,
            "needs_acknowledgement": item.needs_acknowledgement,
        }
        for item in items
    ]


@transaction.atomic
def set_materials(
    user, program: OnboardingProgram, materials: Sequence[Material], *, revision: int | None = None
) -> list[ReleaseItem]:
    """The program's materials become exactly these, in this order.

    New assets are pinned to their current Canto version (and must be eligible); assets left
    out are removed. Only while the program is a draft or rejected: what a reviewer approves is
    exactly what partners are asked to acknowledge.
    """
    program, release = lock_program(program)
    require(user, CHANGE, program.community)
    if revision is not None and revision != release.revision:
        raise Conflict("The program changed since you loaded it; reload it and retry.")
    if not release.is_editable:
        raise Conflict(
            f"The program is {release.get_state_display().lower()}: materials change only "
            "while it is a draft or rejected."
        )
    wanted = list(materials)
    seen: set[int] = set()
    for material in wanted:
        if material.asset.pk in seen:
            raise ServiceError(f"{material.asset.name} is listed twice.")
        seen.add(material.asset.pk)
    current = list(release.items.select_related("asset").order_by("position", "id"))
    before = _describe(current)
    by_asset = {item.asset_id: item for item in current}
    for item in current:
        if item.asset_id not in seen:
            item.delete()
    result = []
    for position, material in enumerate(wanted, start=1):
        item = by_asset.get(material.asset.pk)
        needs = bool(material.needs_acknowledgement)
        if item is None:
            asset = Asset.objects.select_for_update().get(pk=material.asset.pk)
            require_eligible(asset)
            item = ReleaseItem.objects.create(
                release=release,
                asset=asset,
                position=position,
                version_no=asset.version_no,
                md5=asset.md5,
                needs_acknowledgement=needs,
            )
        elif (item.position, item.needs_acknowledgement) != (position, needs):
            item.position, item.needs_acknowledgement = position, needs
            item.save(update_fields=["position", "needs_acknowledgement"])
        result.append(item)
    after = _describe(result)
    if after == before:
        return result
    bump(release)
    record("onboarding.materials_changed", obj=program, before=before, after=after)
    return result


def materials_of(program: OnboardingProgram) -> list[Material]:
    return [
        Material(item.asset, item.needs_acknowledgement)
        for item in program.release.items.select_related("asset").order_by("position", "id")
    ]


def add_material(
    user, program: OnboardingProgram, asset: Asset, *, needs_acknowledgement: bool = True
) -> list[ReleaseItem]:
    """Append one asset to the materials (the picker's "Add")."""
    current = materials_of(program)
    if any(m.asset.pk == asset.pk for m in current):
        raise ServiceError(f"{asset.name} is already a material of this program.")
    return set_materials(user, program, [*current, Material(asset, needs_acknowledgement)])


def remove_material(user, program: OnboardingProgram, item: ReleaseItem) -> list[ReleaseItem]:
    if item.release_id != program.release_id:
        raise ServiceError("That material is not part of this program.")
    kept = [m for m in materials_of(program) if m.asset.pk != item.asset_id]
    return set_materials(user, program, kept)


def was_approved(release: Release) -> bool:
    """Whether a reviewer (or the review policy) approved the program at least once."""
    return release.reviews.filter(decision=Review.Decision.APPROVED).exists()
