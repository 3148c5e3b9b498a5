"""The partner's status page: one request, reached by its unguessable link, with no account.

Every answer (200, 404, 410, 429, 405) carries ``Referrer-Policy: no-referrer``,
``Cache-Control: no-store`` and ``X-Robots-Tag: noindex, nofollow``; no session or CSRF cookie
is set. Every attempt, with a known token or not, counts against ``STATUS_LINK_RATE`` per
client address. An unknown token gets 404 without saying whether it ever existed; an expired
or withdrawn one gets 410.

Views: every GET of a working link is counted on the link, but an audit event
(``request.status_viewed``, actor type partner) is written at most once per link per
``AUDIT_EVERY``: a view within that time of the last audited one is only counted, so
``last_viewed_at`` is the time of the last audited view. HEAD requests are not counted.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from audit.models import AuditEvent
from integrations.tradinggrid.bodies import publication_url
from requests_app import links, ratelimit, routing, wording
from requests_app.models import PartnerRequest, StatusLink

AUDIT_EVERY = timedelta(minutes=10)
HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}
REFUSALS = {
    "unknown": (
        _("Link not found"),
        _(
            "This link is not valid. Check that you copied the whole link, "
            "or ask your contact for a new one."
        ),
    ),
    "expired": (
        _("This link has expired"),
        _("Status links work for a limited time. Please ask your contact for a new link."),
    ),
    "revoked": (
        _("This link was withdrawn"),
        _("This link is no longer valid. Please ask your contact for a new link."),
    ),
    "busy": (
        _("Too many attempts"),
        _("Please wait a moment and try again."),
    ),
}
STATUS = {"unknown": 404, "expired": 410, "revoked": 410, "busy": 429}


@csrf_exempt
def status_page(request: HttpRequest, token: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        response = HttpResponse(status=405)
        response["Allow"] = "GET, HEAD"
        return _sealed(response)
    wait = ratelimit.hit("status-link", ratelimit.client_key(request), settings.STATUS_LINK_RATE)
    if wait:
        response = _refusal(request, "busy", _language(request))
        response["Retry-After"] = str(wait)
        return response
    link, outcome = links.resolve(token)
    if link is None:
        return _refusal(request, "unknown", _language(request))
    language = _language(request, link.request)
    if outcome != "ok":
        return _refusal(request, outcome, language)
    if request.method == "GET":
        _note_view(link)
    return _page("requests/status.html", language, 200, _details(link))


def _note_view(link: StatusLink) -> None:
    now = timezone.now()
    recent = StatusLink.objects.filter(pk=link.pk, last_viewed_at__gt=now - AUDIT_EVERY)
    if not recent.update(views=F("views") + 1):
        links.viewed(link, at=now)


def _language(request: HttpRequest, partner_request: PartnerRequest | None = None) -> str:
    """``?lang=`` when supported, else the request's language, else the browser's."""
    asked = request.GET.get("lang", "")
    if asked in wording.SUPPORTED:
        return asked
    if partner_request is not None:
        return wording.language_of(partner_request)
    browser = translation.get_language_from_request(request)
    return browser if browser in wording.SUPPORTED else "en"


def _details(link: StatusLink) -> dict:
    request = link.request
    return {
        "reference": request.reference,
        "subject": request.subject,
        "community": request.community.name,
        "state": wording.PARTNER_STATES[request.state],
        "due_at": request.due_at if request.is_open else None,
        "delivered_at": request.delivered_at,
        "expires_at": link.expires_at,
        "files": [(p.asset.name, publication_url(p)) for p in routing.delivered_files(request)],
        "timeline": timeline(request),
    }


def timeline(request: PartnerRequest) -> list[dict]:
    """What the partner may know, oldest first: state changes and public comments."""
    last = PartnerRequest.State.NEW
    entries = [
        {"at": request.tg_created_at or request.received_at, "state": wording.PARTNER_STATES[last]}
    ]
    events = AuditEvent.objects.filter(
        object_type=PartnerRequest._meta.label_lower,
        object_id=str(request.pk),
        after__has_key="state",
    ).order_by("seq")
    for at, before, after in events.values_list("time", "before", "after")[:1000]:
        state = after.get("state") if isinstance(after, dict) else None
        if not isinstance(before, dict) or state not in wording.PARTNER_STATES or state == last:
            continue
        entries.append({"at": at, "state": wording.PARTNER_STATES[state]})
        last = state
    for comment in request.comments.filter(visibility="public")[:500]:
        entries.append(
            {"at": comment.created_at, "author": comment.author_name, "body": comment.body}
        )
    return sorted(entries, key=lambda entry: entry["at"])


def _refusal(request: HttpRequest, reason: str, language: str) -> HttpResponse:
    heading, message = REFUSALS[reason]
    context = {"heading": heading, "message": message}
    return _page("requests/status_gone.html", language, STATUS[reason], context)


def _page(template: str, language: str, status: int, context: dict) -> HttpResponse:
    names = dict(settings.LANGUAGES)
    switcher = [(code, names.get(code, code), code == language) for code in wording.SUPPORTED]
    with translation.override(language):
        body = render_to_string(template, {**context, "languages": switcher})
    response = HttpResponse(body, status=status)
    response["Content-Language"] = language
    return _sealed(response)


def _sealed(response: HttpResponse) -> HttpResponse:
    for header, value in HEADERS.items():
        response[header] = value
    return response
