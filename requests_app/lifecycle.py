"""A request's states, how it moves between them, and what Trading Grid is told each time.

Every move takes the request's row lock, records one audit event and, when the partner should
know, queues the Trading Grid status and a public comment in the partner's language through the
outbox, in the same transaction.
"""

from __future__ import annotations

from django.utils import timezone

from audit.services import record
from integrations import outbox
from portal.errors import Conflict
from portal.numbers import plain_id
from requests_app import wording
from requests_app.models import PartnerRequest, RequestComment

S = PartnerRequest.State
OPEN = set(PartnerRequest.OPEN_STATES)
# Which states each state may move to.
MOVES: dict[str, set[str]] = {
    S.NEW: {S.TRIAGED, S.REJECTED},
    S.TRIAGED: {S.IN_PROGRESS, S.WAITING_FOR_PARTNER, S.AWAITING_APPROVAL, S.DELIVERED, S.REJECTED},
    S.IN_PROGRESS: {S.WAITING_FOR_PARTNER, S.AWAITING_APPROVAL, S.DELIVERED, S.REJECTED},
    S.WAITING_FOR_PARTNER: {S.IN_PROGRESS, S.AWAITING_APPROVAL, S.DELIVERED, S.REJECTED},
    S.AWAITING_APPROVAL: {S.IN_PROGRESS, S.WAITING_FOR_PARTNER, S.DELIVERED, S.REJECTED},
    S.DELIVERED: {S.CONFIRMED, S.CLOSED, S.IN_PROGRESS},
    S.CONFIRMED: {S.CLOSED, S.IN_PROGRESS},
    S.CLOSED: {S.IN_PROGRESS},
    S.REJECTED: {S.CLOSED, S.IN_PROGRESS},
}
# The Trading Grid status that says the same to the partner.
TG_STATUS = {
    S.NEW: "new",
    S.TRIAGED: "open",
    S.IN_PROGRESS: "pending_internal",
    S.WAITING_FOR_PARTNER: "pending_partner",
    S.AWAITING_APPROVAL: "pending_internal",
    S.DELIVERED: "resolved",
    S.CONFIRMED: "closed",
    S.CLOSED: "closed",
    S.REJECTED: "cancelled",
}


def lock(request: PartnerRequest | int) -> PartnerRequest:
    pk = request.pk if isinstance(request, PartnerRequest) else request
    return (
        PartnerRequest.objects.select_related("community", "partner")
        .select_for_update(of=("self",))
        .get(pk=pk)
    )


def allowed(request: PartnerRequest, to: str) -> bool:
    return to in MOVES.get(request.state, set())


def move(
    request: PartnerRequest,
    to: str,
    action: str,
    *,
    fields=(),
    after=None,
    tell_partner: bool = True,
    message: str | None = None,
    **audit,
) -> None:
    """Move the locked request to ``to``; refuse moves the lifecycle does not allow."""
    if not allowed(request, to):
        raise Conflict(
            f"A request that is {request.get_state_display().lower()} cannot become "
            f"{S(to).label.lower()}."
        )
    before = request.state
    now = timezone.now()
    request.state = to
    request.state_changed_at = now
    changed = ["state", "state_changed_at", "updated_at", *fields]
    if to == S.DELIVERED:
        request.delivered_at = now
        changed.append("delivered_at")
    if to in (S.CLOSED, S.REJECTED):
        request.closed_at = now
        changed.append("closed_at")
    elif before in (S.CLOSED, S.REJECTED):
        request.closed_at = None
        changed.append("closed_at")
    request.save(update_fields=changed)
    record(
        action, obj=request, before={"state": before}, after={"state": to, **(after or {})}, **audit
    )
    if tell_partner:
        if message is None:
            message = wording.state_message(request, reason=audit.get("reason", ""))
        tell(request, message)


def tell(request: PartnerRequest, message: str) -> None:
    """Queue the request's Trading Grid status and a public comment saying why."""
    if not request.tg_id:
        return
    status = TG_STATUS[request.state]
    if request.tg_status != status:
        outbox.add(
            "tradinggrid.update_request",
            {"request_id": request.tg_id, "changes": {"status": status}},
            obj=request,
        )
        # What Trading Grid will say back is already known, so its echo is no news.
        PartnerRequest.objects.filter(pk=request.pk).update(tg_status=status)
        request.tg_status = status
    if message:
        post_comment(request, message, visibility="public", author=None)


def post_comment(request: PartnerRequest, body: str, *, visibility: str, author) -> RequestComment:
    """A comment written here, owed to Trading Grid; its echo is matched by the author id."""
    name = (author.get_full_name() or author.get_username()) if author else "Partner content portal"
    comment = RequestComment.objects.create(
        request=request,
        origin=RequestComment.Origin.PORTAL,
        author=author,
        author_type="internal_user" if author else "system",
        author_name=name[:255],
        visibility=visibility,
        body=body,
    )
    if request.tg_id:
        outbox.add(
            "tradinggrid.add_comment",
            {
                "request_id": request.tg_id,
                "comment_id": comment.pk,
                "comment": {
                    "body": body,
                    "visibility": visibility,
                    "author": {
                        "type": "internal_user" if author else "system",
                        "id": portal_author_id(comment),
                        "name": name,
                    },
                },
            },
            obj=comment,
        )
    return comment


def portal_author_id(comment: RequestComment) -> str:
    return f"portal-comment-{comment.pk}"


def comment_pk_from_author(author_id: str) -> int | None:
    prefix = "portal-comment-"
    return plain_id(author_id[len(prefix) :]) if author_id.startswith(prefix) else None
