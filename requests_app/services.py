"""What people do to partner requests. Each function is one atomic, audited step.

Views, the API and tasks call these; they check role, community grant and state, and queue
whatever Trading Grid and Canto must be told through the outbox.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q

from audit.services import record
from integrations import outbox
from portal.errors import Conflict, ServiceError
from portal.grants import people_acting_on
from portal.releases import services as releases
from requests_app import lifecycle, routing, sla
from requests_app.models import PartnerRequest, RequestComment
from requests_app.rules import may_own, require

S = PartnerRequest.State


def _owner(user, request: PartnerRequest, owner) -> object:
    owner = owner or user
    if not may_own(owner, request):
        raise ServiceError(f"{owner.get_username()} may not work on {request.community.name}.")
    return owner


def _assignee(request: PartnerRequest) -> dict:
    """What Trading Grid shows as the owner and due date."""
    changes = {}
    if request.owner_id:
        owner = request.owner
        changes["assignee"] = owner.get_full_name() or owner.get_username()
    if request.due_at:
        changes["due_at"] = request.due_at.isoformat().replace("+00:00", "Z")
    return changes


def _push_assignee(request: PartnerRequest) -> None:
    if request.tg_id:
        outbox.add(
            "tradinggrid.update_request",
            {"request_id": request.tg_id, "changes": _assignee(request)},
            obj=request,
        )


@transaction.atomic
def triage(user, request: PartnerRequest, *, owner=None, due_at=None) -> PartnerRequest:
    """Accept a new request: an owner, a due date, and its work item in Canto."""
    request = lifecycle.lock(request)
    require(user, request)
    owner = _owner(user, request, owner)
    request.owner = owner
    if due_at is not None:
        request.due_at = due_at
    elif request.due_at is None:
        request.due_at = sla.due_for(request)
    lifecycle.move(
        request,
        S.TRIAGED,
        "request.triaged",
        fields=["owner", "due_at"],
        after={"owner": owner.get_username(), "due_at": sla.iso(request.due_at)},
    )
    _push_assignee(request)
    routing.open_work_item(request)
    return request


@transaction.atomic
def assign(user, request: PartnerRequest, owner) -> PartnerRequest:
    request = lifecycle.lock(request)
    require(user, request)
    if not request.is_open:
        raise Conflict("Only an open request can be given to someone.")
    owner = _owner(user, request, owner)
    before = request.owner.get_username() if request.owner_id else None
    if request.owner_id == owner.pk:
        return request
    request.owner = owner
    request.save(update_fields=["owner", "updated_at"])
    record(
        "request.assigned",
        obj=request,
        before={"owner": before},
        after={"owner": owner.get_username()},
    )
    _push_assignee(request)
    return request


@transaction.atomic
def set_due(user, request: PartnerRequest, due_at, *, reason: str) -> PartnerRequest:
    request = lifecycle.lock(request)
    require(user, request)
    if not request.is_open:
        raise Conflict("Only an open request has a due date.")
    if not reason.strip():
        raise ServiceError("Say why the due date changes.")
    before = sla.iso(request.due_at)
    request.due_at = due_at
    request.breach_noted_at = None
    request.save(update_fields=["due_at", "breach_noted_at", "updated_at"])
    record(
        "request.due_changed",
        obj=request,
        before={"due_at": before},
        after={"due_at": sla.iso(due_at)},
        reason=reason.strip(),
    )
    _push_assignee(request)
    return request


@transaction.atomic
def start(user, request: PartnerRequest) -> PartnerRequest:
    request = lifecycle.lock(request)
    require(user, request)
    lifecycle.move(request, S.IN_PROGRESS, "request.started")
    return request


@transaction.atomic
def ask_partner(user, request: PartnerRequest, question: str) -> PartnerRequest:
    """Ask the partner something; the request waits for their answer."""
    request = lifecycle.lock(request)
    require(user, request)
    if not question.strip():
        raise ServiceError("Write the question for the partner.")
    lifecycle.move(request, S.WAITING_FOR_PARTNER, "request.waiting_for_partner", message="")
    lifecycle.post_comment(request, question.strip(), visibility="public", author=user)
    return request


@transaction.atomic
def reject(user, request: PartnerRequest, reason: str) -> PartnerRequest:
    """Decline the request; a delivery still on its way to the partner is withdrawn first."""
    require(user, request)
    if not reason.strip():
        raise ServiceError("Give the partner a reason for rejecting the request.")
    delivery = PartnerRequest.objects.get(pk=request.pk).delivery_release
    if delivery is not None and delivery.state in routing.RELEASE_BUSY:
        releases.withdraw(user, delivery, reason=f"{request.reference} was rejected: {reason}")
    request = lifecycle.lock(request)
    request.rejection_reason = reason.strip()
    lifecycle.move(
        request,
        S.REJECTED,
        "request.rejected",
        fields=["rejection_reason"],
        reason=reason.strip(),
    )
    return request


@transaction.atomic
def answer(user, request: PartnerRequest, text: str) -> PartnerRequest:
    """Deliver an answer rather than a file (questions, findability reports)."""
    request = lifecycle.lock(request)
    require(user, request)
    if not text.strip():
        raise ServiceError("Write the answer for the partner.")
    lifecycle.move(request, S.DELIVERED, "request.answered", reason=text.strip())
    return request


@transaction.atomic
def close(user, request: PartnerRequest, *, reason: str = "") -> PartnerRequest:
    request = lifecycle.lock(request)
    require(user, request)
    lifecycle.move(request, S.CLOSED, "request.closed", reason=reason.strip())
    return request


@transaction.atomic
def reopen(user, request: PartnerRequest, *, reason: str) -> PartnerRequest:
    request = lifecycle.lock(request)
    require(user, request)
    if request.is_open:
        raise Conflict("The request is still open.")
    if not reason.strip():
        raise ServiceError("Say why the request is reopened.")
    lifecycle.move(request, S.IN_PROGRESS, "request.reopened", reason=reason.strip())
    return request


@transaction.atomic
def comment(user, request: PartnerRequest, body: str, *, internal: bool = False) -> RequestComment:
    """A comment from the portal: public ones reach the partner, internal ones stay with staff."""
    request = lifecycle.lock(request)
    require(user, request)
    if not body.strip():
        raise ServiceError("A comment needs some text.")
    if len(body) > 10_000:
        raise ServiceError("Keep a comment under 10,000 characters.")
    visibility = "internal" if internal else "public"
    created = lifecycle.post_comment(request, body.strip(), visibility=visibility, author=user)
    record("request.commented", obj=request, after={"visibility": visibility})
    return created


def managers_of(request: PartnerRequest):
    """People who could own the request: active holders of the role granted its community."""
    perm = Permission.objects.get(
        content_type__app_label="requests_app", codename="change_partnerrequest"
    )
    holders = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions=perm) | Q(user_permissions=perm))
        .distinct()
        .order_by("username")
    )
    return list(holders.filter(pk__in=people_acting_on(request.community).values("pk")))
