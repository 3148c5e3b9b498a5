"""A partner request's page and the actions on it.

Every action goes through a service (``services``, ``routing``, ``findability``). An incomplete
form, or one a service refuses, is shown again on the page with its error and a 4xx status;
a request that moved on meanwhile (409) is a message on the fresh page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from audit.services import object_ref
from integrations.tradinggrid.bodies import publication_url
from portal.errors import Conflict, ServiceError
from requests_app import findability, lifecycle, routing, services, sla, wording
from requests_app import forms as f
from requests_app.models import PartnerRequest
from requests_app.views import CHANGE, VIEW, may_change, visible_request

S = PartnerRequest.State
TIMELINE_LIMIT = 200
SHOWN_ELSEWHERE = ("request.commented", "request.comment_received")


@dataclass(frozen=True)
class Action:
    form: type[f.RequestForm]
    perform: Callable
    done: str
    shown: Callable[[PartnerRequest], bool]
    title: str
    button: str


def _owner_name(req: PartnerRequest) -> str:
    return req.owner.get_username() if req.owner_id else "nobody"


def _deliver(user, req, data):
    release = routing.deliver(user, req, data.get("chosen"))
    return f"Delivery release “{release.name}” submitted."


ACTIONS: dict[str, Action] = {
    "triage": Action(
        f.TriageForm,
        lambda user, req, d: services.triage(user, req, owner=d["owner"], due_at=d["due_at"]),
        "Request triaged; its work item in Canto is queued.",
        lambda r: r.state == S.NEW and lifecycle.allowed(r, S.TRIAGED),
        "Triage",
        "Accept and triage",
    ),
    "assign": Action(
        f.AssignForm,
        lambda user, req, d: services.assign(user, req, d["owner"]),
        "Owner changed.",
        lambda r: r.is_open and r.state != S.NEW,
        "Owner",
        "Give to",
    ),
    "due": Action(
        f.DueForm,
        lambda user, req, d: services.set_due(user, req, d["due_at"], reason=d["reason"]),
        "Due date changed.",
        lambda r: r.is_open and r.state != S.NEW,
        "Due date",
        "Change due date",
    ),
    "start": Action(
        f.EmptyForm,
        lambda user, req, d: services.start(user, req),
        "Work on the request started.",
        lambda r: r.is_open and lifecycle.allowed(r, S.IN_PROGRESS),
        "Start",
        "Start work",
    ),
    "ask": Action(
        f.QuestionForm,
        lambda user, req, d: services.ask_partner(user, req, d["question"]),
        "Question sent; the request waits for the partner.",
        lambda r: lifecycle.allowed(r, S.WAITING_FOR_PARTNER),
        "Ask the partner",
        "Ask",
    ),
    "deliver": Action(
        f.DeliverForm,
        _deliver,
        "",
        lambda r: r.state in routing.DELIVERABLE,
        "Deliver a file",
        "Deliver through a release",
    ),
    "answer": Action(
        f.AnswerForm,
        lambda user, req, d: services.answer(user, req, d["text"]),
        "Answer sent; the request is delivered.",
        lambda r: lifecycle.allowed(r, S.DELIVERED),
        "Answer",
        "Send answer",
    ),
    "reject": Action(
        f.RejectForm,
        lambda user, req, d: services.reject(user, req, d["reason"]),
        "Request rejected; the partner has been told why.",
        lambda r: lifecycle.allowed(r, S.REJECTED),
        "Reject",
        "Reject request",
    ),
    "close": Action(
        f.CloseForm,
        lambda user, req, d: services.close(user, req, reason=d["reason"]),
        "Request closed.",
        lambda r: lifecycle.allowed(r, S.CLOSED),
        "Close",
        "Close request",
    ),
    "reopen": Action(
        f.ReopenForm,
        lambda user, req, d: services.reopen(user, req, reason=d["reason"]),
        "Request reopened.",
        lambda r: not r.is_open and lifecycle.allowed(r, S.IN_PROGRESS),
        "Reopen",
        "Reopen request",
    ),
    "comment": Action(
        f.CommentForm,
        lambda user, req, d: services.comment(
            user, req, d["body"], internal=d["visibility"] == "internal"
        ),
        "Comment added.",
        lambda r: True,
        "Comment",
        "Add comment",
    ),
}


def _timeline(req: PartnerRequest) -> list[dict]:
    """Comments and recorded events of the request, oldest first."""
    object_type, object_id, _ = object_ref(req)
    events = (
        AuditEvent.objects.filter(object_type=object_type, object_id=object_id)
        .exclude(action__in=SHOWN_ELSEWHERE)
        .order_by("-seq")[:TIMELINE_LIMIT]
    )
    comments = req.comments.select_related("author").order_by("-created_at", "-id")
    entries = chain(
        ({"time": e.time, "event": e} for e in events),
        (
            {"time": c.tg_created_at or c.created_at, "comment": c}
            for c in comments[:TIMELINE_LIMIT]
        ),
    )
    return sorted(entries, key=lambda entry: entry["time"])


def _delivered(req: PartnerRequest) -> list[tuple]:
    """Each live delivered file with the address the partner opens it at in Trading Grid."""
    partner = req.partner.tg_id if req.partner_id else ""
    return [(p, publication_url(p, partner)) for p in routing.delivered_files(req)]


def _links(req: PartnerRequest) -> list:
    return list(req.status_links.select_related("created_by", "revoked_by"))


def render_detail(request, req: PartnerRequest, *, bound=None, status: int = 200, **extra):
    """The request page; ``bound`` is a form to show again with its errors."""
    user = request.user
    can_act = may_change(user, req)
    forms = {}
    if can_act:
        for name, action in ACTIONS.items():
            if bound is not None and bound.prefix == name:
                forms[name] = bound
            elif action.shown(req):
                forms[name] = action.form(req=req, user=user, prefix=name)
        if bound is not None and bound.prefix == "link":
            forms["link"] = bound
        else:
            forms["link"] = f.LinkForm(req=req, user=user, prefix="link")
        if req.kind in PartnerRequest.REPORT_KINDS:
            forms["replacement"] = f.ReplacementForm(req=req, user=user, prefix="replacement")
    actions = [
        {"name": name, "action": action, "form": forms[name]}
        for name, action in ACTIONS.items()
        if name in forms
    ]
    context = {
        "req": req,
        "standing": sla.standing(req),
        "partner_state": wording.partner_state(req),
        "assets": req.assets.order_by("name"),
        "tag": routing.tag_for(req),
        "delivered": _delivered(req),
        "timeline": _timeline(req),
        "links": _links(req),
        "can_act": can_act,
        "actions": actions,
        "forms": forms,
        "follow_ups": req.follow_ups.order_by("pk"),
        **extra,
    }
    return render(request, "requests/detail.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def detail(request, pk: int):
    return render_detail(request, visible_request(request, pk))


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def act(request, pk: int, action: str):
    """Run one action of the request page through its service."""
    if action not in ACTIONS:
        raise Http404("No such action.")
    spec = ACTIONS[action]
    req = visible_request(request, pk)
    form = spec.form(request.POST, req=req, user=request.user, prefix=action)
    if not form.is_valid():
        return render_detail(request, req, bound=form, status=400)
    try:
        result = spec.perform(request.user, req, form.cleaned_data)
    except Conflict as error:
        messages.error(request, f"Not done: {error}")
        return redirect("requests:detail", req.pk)
    except ServiceError as error:
        form.add_error(None, str(error))
        req.refresh_from_db()
        return render_detail(request, req, bound=form, status=error.status)
    messages.success(request, result if isinstance(result, str) else spec.done)
    return redirect("requests:detail", req.pk)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def replacement(request, pk: int):
    """Open a request for new content to replace what a findability report found lacking."""
    req = visible_request(request, pk)
    form = f.ReplacementForm(request.POST, req=req, user=request.user, prefix="replacement")
    if not form.is_valid():
        return render_detail(request, req, bound=form, status=400)
    try:
        created = findability.replacement(request.user, req, subject=form.cleaned_data["subject"])
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect("requests:detail", req.pk)
    messages.success(request, f"{created.reference} opened to replace the content.")
    return redirect("requests:detail", created.pk)
