"""Which communities a person may act on, decided in one place.

Portal admins (and superusers) act on every community. Content managers and compliance
reviewers act on the communities granted to them one by one (django-guardian object
permissions) and on every community of the regions granted to them. Every list, detail, export
and API response about communities, partners and what is targeted at them narrows its
queryset with ``communities_for`` (or ``visible``), never in a template.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from guardian.shortcuts import (
    assign_perm,
    get_objects_for_user,
    get_users_with_perms,
    remove_perm,
)

from audit.services import record
from portal.models import Community, RegionGrant
from portal.roles import PORTAL_ADMIN

PERMISSION = "portal.act_on_community"


def sees_everything(user) -> bool:
    return user.is_superuser or user.groups.filter(name=PORTAL_ADMIN).exists()


def communities_for(user) -> QuerySet[Community]:
    if not user.is_authenticated:
        return Community.objects.none()
    if sees_everything(user):
        return Community.objects.all()
    granted = get_objects_for_user(
        user, PERMISSION, klass=Community, accept_global_perms=False, with_superuser=False
    )
    allowed = Q(pk__in=granted.values("pk"))
    for region in RegionGrant.objects.filter(user=user).values_list("region", flat=True):
        allowed |= Q(region=region) | Q(region_index__contains=f"|{region}|")
    return Community.objects.filter(allowed)


def may_act_on(user, community: Community) -> bool:
    return communities_for(user).filter(pk=community.pk).exists()


def people_acting_on(community: Community) -> QuerySet[User]:
    """Everyone who may act on the community: admins, its grantees and its regions' grantees."""
    regions = {community.region, *community.region_index.strip("|").split("|")} - {""}
    granted = get_users_with_perms(
        community, only_with_perms_in=["act_on_community"], with_group_users=False
    )
    return User.objects.filter(
        Q(is_superuser=True)
        | Q(groups__name=PORTAL_ADMIN)
        | Q(pk__in=granted.values("pk"))
        | Q(region_grants__region__in=regions)
    ).distinct()


def _holds(user: User, community: Community) -> bool:
    return (
        get_objects_for_user(
            user, PERMISSION, klass=Community, accept_global_perms=False, with_superuser=False
        )
        .filter(pk=community.pk)
        .exists()
    )


@transaction.atomic
def grant_community(user: User, community: Community) -> None:
    """Let the user act on the community; granting what is held changes and records nothing."""
    if _holds(user, community):
        return
    assign_perm(PERMISSION, user, community)
    record("grant.community_granted", obj=community, after={"user": user.get_username()})


@transaction.atomic
def revoke_community(user: User, community: Community) -> None:
    if not _holds(user, community):
        return
    remove_perm(PERMISSION, user, community)
    record("grant.community_revoked", obj=community, before={"user": user.get_username()})


@transaction.atomic
def grant_region(user: User, region: str, *, by: str = "") -> RegionGrant:
    grant, created = RegionGrant.objects.get_or_create(
        user=user, region=region, defaults={"granted_by": by}
    )
    if created:
        record(
            "grant.region_granted",
            object_type="auth.user",
            object_id=str(user.pk),
            object_label=user.get_username(),
            after={"region": region},
        )
    return grant


@transaction.atomic
def revoke_region(user: User, region: str) -> None:
    deleted, _ = RegionGrant.objects.filter(user=user, region=region).delete()
    if deleted:
        record(
            "grant.region_revoked",
            object_type="auth.user",
            object_id=str(user.pk),
            object_label=user.get_username(),
            before={"region": region},
        )
