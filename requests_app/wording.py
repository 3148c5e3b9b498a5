"""What the partner reads: status names and the comments the portal posts to Trading Grid.

Everything here is translated into the request's locale (English, German, French, Spanish).
"""

from __future__ import annotations

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from requests_app.models import PartnerRequest

S = PartnerRequest.State
PARTNER_STATES = {
    S.NEW: gettext_lazy("Received"),
    S.TRIAGED: gettext_lazy("Accepted"),
    S.IN_PROGRESS: gettext_lazy("In progress"),
    S.WAITING_FOR_PARTNER: gettext_lazy("Waiting for your answer"),
    S.AWAITING_APPROVAL: gettext_lazy("Being approved"),
    S.DELIVERED: gettext_lazy("Delivered"),
    S.CONFIRMED: gettext_lazy("Confirmed"),
    S.CLOSED: gettext_lazy("Closed"),
    S.REJECTED: gettext_lazy("Declined"),
}
SUPPORTED = ("en", "de", "fr", "es")


def language_of(request: PartnerRequest) -> str:
    """The request's language among the supported ones (``de-AT`` → ``de``; else English)."""
    code = (request.locale or "").replace("_", "-").split("-")[0].lower()
    return code if code in SUPPORTED else "en"


def partner_state(request: PartnerRequest) -> str:
    return str(PARTNER_STATES[request.state])


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def state_message(
    request: PartnerRequest, *, reason: str = "", files: list[str] = (), state: str = ""
) -> str:
    """The public comment that tells the partner their request moved (or is about to move to
    ``state``), in their language."""
    state = state or request.state
    with translation.override(language_of(request)):
        ref = request.reference
        if state == S.TRIAGED:
            if request.due_at:
                return _("We have accepted your request %(ref)s. We aim to answer by %(due)s.") % {
                    "ref": ref,
                    "due": _date(request.due_at),
                }
            return _("We have accepted your request %(ref)s.") % {"ref": ref}
        if state == S.IN_PROGRESS:
            return _("We are working on your request %(ref)s.") % {"ref": ref}
        if state == S.AWAITING_APPROVAL:
            return _("The content for %(ref)s is ready and is being approved.") % {"ref": ref}
        if state == S.DELIVERED:
            if files:
                return _(
                    "Delivered: %(files)s is now available to you in %(community)s. "
                    "Please confirm that it meets your needs."
                ) % {"files": ", ".join(files), "community": request.community.name}
            return _("We have answered your request %(ref)s: %(answer)s") % {
                "ref": ref,
                "answer": reason,
            }
        if state == S.REJECTED:
            return _("We cannot fulfil your request %(ref)s: %(reason)s") % {
                "ref": ref,
                "reason": reason,
            }
        if state == S.CLOSED:
            return _("Your request %(ref)s is closed. Thank you.") % {"ref": ref}
        return _("Your request %(ref)s is now: %(state)s.") % {
            "ref": ref,
            "state": partner_state(request),
        }


def link_message(request: PartnerRequest, url: str, expires_at, language: str = "") -> str:
    with translation.override(language if language in SUPPORTED else language_of(request)):
        return _("Follow your request %(ref)s here until %(until)s: %(url)s") % {
            "ref": request.reference,
            "until": _date(expires_at),
            "url": url,
        }
