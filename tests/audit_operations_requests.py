"""The operations on partner requests, status links, saved views and the outbox (see
``tests.audit_operations``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from integrations import outbox
from integrations.models import OutboxMessage
from portal.models import Contact, Publication, Release
from requests_app import links, saved_views
from requests_app import services as requests
from requests_app.models import PartnerRequest
from tests.audit_operations import operation, refusal, then
from tests.release_support import deliver, deliver_all, owed

S = PartnerRequest.State
RQ = "requests_app.services."


# Partner requests -------------------------------------------------------------------------------
def _request_op(name: str, state, call):
    @operation(RQ + name)
    def _(w):
        request = w.request(state=state, owner=w.manager)
        return lambda: then(call(w, request), request)


_request_op("triage", S.NEW, lambda w, r: requests.triage(w.manager, r))
_request_op("assign", S.TRIAGED, lambda w, r: requests.assign(w.manager, r, w.colleague))
_request_op(
    "set_due",
    S.TRIAGED,
    lambda w, r: requests.set_due(w.manager, r, timezone.now() + timedelta(days=9), reason="Asked"),
)
_request_op("start", S.TRIAGED, lambda w, r: requests.start(w.manager, r))
_request_op("ask_partner", S.TRIAGED, lambda w, r: requests.ask_partner(w.manager, r, "Which?"))
_request_op("reject", S.NEW, lambda w, r: requests.reject(w.manager, r, "Not ours"))
_request_op("answer", S.TRIAGED, lambda w, r: requests.answer(w.manager, r, "Page 4"))
_request_op("close", S.DELIVERED, lambda w, r: requests.close(w.manager, r))
_request_op("reopen", S.CLOSED, lambda w, r: requests.reopen(w.manager, r, reason="Again"))
_request_op("comment", S.TRIAGED, lambda w, r: requests.comment(w.manager, r, "On it"))


@operation("requests_app.links.issue")
def _(w):
    request = w.request()
    return lambda: then(links.issue(w.manager, request), request)


@operation("requests_app.links.revoke")
def _(w):
    request = w.request()
    link, _ = links.issue(w.manager, request)
    return lambda: then(links.revoke(w.manager, link), request)


@operation("requests_app.links.viewed")
def _(w):
    request = w.request()
    link, _ = links.issue(w.manager, request)
    return lambda: then(links.viewed(link), request)


@operation("requests_app.links.send_later")
def _(w):
    partner = w.partner()
    Contact.objects.create(partner=partner, tg_id="con_1", email="buyer@acme.example")
    request = w.request(partner=partner)

    def perform():
        from tests.release_support import tasks_run_here

        with tasks_run_here(), w.on_commit(execute=True):
            links.send_later(w.manager, request)
        return [request]

    return perform


@operation("requests_app.saved_views.save")
def _(w):
    return lambda: [saved_views.save(w.manager, "Mine", "?state=new&page=2")]


@operation("requests_app.saved_views.delete")
def _(w):
    view = saved_views.save(w.manager, "Mine", "state=new")
    return lambda: then(saved_views.delete(w.manager, view), view)


# The outbox -------------------------------------------------------------------------------------
def _publications(release: Release) -> list[Publication]:
    return list(Publication.objects.filter(release=release))


@operation("integrations.outbox.send")
def _(w):
    w.released()
    (message,) = owed()
    return lambda: then(deliver(message), Publication.objects.get(pk=message.object_id))


@operation("integrations.outbox.relay")
def _(w):
    release = w.released()
    return lambda: then(outbox.relay(), *_publications(release))


@operation("integrations.outbox.retry")
def _(w):
    _, message = w.dead_write()
    return lambda: then(outbox.retry(message, reason="Trading Grid is back"), message)


@operation("integrations.outbox.cancel")
def _(w):
    w.released()
    (message,) = owed()
    return lambda: then(outbox.cancel(message, reason="Sent by hand"), message)


def _request_refusal(name: str, state, call):
    @refusal(RQ + name)
    def _(w):
        request = w.request(state=state, owner=w.manager)
        return lambda: call(w, request)


_request_refusal("triage", S.NEW, lambda w, r: requests.triage(w.auditor, r))
_request_refusal("assign", S.CLOSED, lambda w, r: requests.assign(w.manager, r, w.colleague))
_request_refusal("set_due", S.TRIAGED, lambda w, r: requests.set_due(w.manager, r, None, reason=""))
_request_refusal("start", S.NEW, lambda w, r: requests.start(w.manager, r))
_request_refusal("reject", S.NEW, lambda w, r: requests.reject(w.manager, r, " "))
_request_refusal("answer", S.NEW, lambda w, r: requests.answer(w.manager, r, "Page 4"))
_request_refusal("reopen", S.TRIAGED, lambda w, r: requests.reopen(w.manager, r, reason="Again"))
_request_refusal("comment", S.TRIAGED, lambda w, r: requests.comment(w.auditor, r, "Hello"))


@refusal("requests_app.links.issue")
def _(w):
    request = w.request()
    return lambda: links.issue(w.manager, request, days=0)


@refusal("requests_app.links.revoke")
def _(w):
    request = w.request()
    link, _ = links.issue(w.manager, request)
    links.revoke(w.manager, link)
    return lambda: links.revoke(w.manager, link)


@refusal("requests_app.saved_views.delete")
def _(w):
    view = saved_views.save(w.colleague, "Theirs", "state=new")
    return lambda: saved_views.delete(w.manager, view)


@refusal("integrations.outbox.retry")
def _(w):
    w.released()
    (message,) = owed()
    return lambda: outbox.retry(message, reason="Still waiting")


@refusal("integrations.outbox.cancel")
def _(w):
    w.released()
    deliver_all()
    message = OutboxMessage.objects.get(status=OutboxMessage.Status.SENT)
    return lambda: outbox.cancel(message, reason="Too late")
