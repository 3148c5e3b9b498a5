"""Who may see and change onboarding programs, enrollments and follow-ups.

Everything is narrowed to the communities granted to the person (all of them for portal
admins), here and nowhere else.
"""

from __future__ import annotations

from django.db.models import QuerySet

from portal.errors import NotAllowed
from portal.grants import communities_for, may_act_on, sees_everything
from portal.models import Community, Enrollment, FollowUp, OnboardingProgram

VIEW = "portal.view_onboardingprogram"
ADD = "portal.add_onboardingprogram"
CHANGE = "portal.change_onboardingprogram"
ENROLL = "portal.enroll_partner"
VIEW_ENROLLMENT = "portal.view_enrollment"
VIEW_FOLLOW_UP = "portal.view_followup"
CHANGE_FOLLOW_UP = "portal.change_followup"


def _allowed(user, permission: str) -> bool:
    return bool(user.is_authenticated and user.has_perm(permission))


def visible_programs(user) -> QuerySet[OnboardingProgram]:
    if not _allowed(user, VIEW):
        return OnboardingProgram.objects.none()
    if sees_everything(user):
        return OnboardingProgram.objects.all()
    return OnboardingProgram.objects.filter(community__in=communities_for(user))


def visible_enrollments(user) -> QuerySet[Enrollment]:
    if not _allowed(user, VIEW_ENROLLMENT):
        return Enrollment.objects.none()
    if sees_everything(user):
        return Enrollment.objects.all()
    return Enrollment.objects.filter(program__community__in=communities_for(user))


def visible_follow_ups(user) -> QuerySet[FollowUp]:
    if not _allowed(user, VIEW_FOLLOW_UP):
        return FollowUp.objects.none()
    if sees_everything(user):
        return FollowUp.objects.all()
    return FollowUp.objects.filter(enrollment__program__community__in=communities_for(user))


def require(user, permission: str, community: Community | None = None) -> None:
    """Refuse unless the person holds the role permission and acts on the community."""
    if not _allowed(user, permission):
        raise NotAllowed("Your role does not allow this.")
    if community is not None and not may_act_on(user, community):
        raise NotAllowed(f"You may not act on {community.name}.")
