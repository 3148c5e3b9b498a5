"""Who may see and act on which partner requests."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.errors import NotAllowed
from portal.grants import communities_for, may_act_on
from requests_app.models import PartnerRequest

VIEW = "requests_app.view_partnerrequest"
CHANGE = "requests_app.change_partnerrequest"


def visible_requests(user) -> QuerySet[PartnerRequest]:
    """The requests of the communities granted to the person (none without the role)."""
    if not user.is_authenticated or not user.has_perm(VIEW):
        return PartnerRequest.objects.none()
    return PartnerRequest.objects.filter(community__in=communities_for(user))


def require(user, request: PartnerRequest | None = None, permission: str = CHANGE) -> None:
    """Refuse unless the person holds the role permission and the request's community."""
    if not user.is_authenticated or not user.has_perm(permission):
        raise NotAllowed("Your role does not allow this.")
    if request is not None and not may_act_on(user, request.community):
        raise NotAllowed("This request belongs to a community you may not act on.")


def may_own(user, request: PartnerRequest) -> bool:
    """Whether the person can be made the owner: an active manager of the request's community."""
    return bool(user.is_active and user.has_perm(CHANGE) and may_act_on(user, request.community))
