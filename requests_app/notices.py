"""What partner requests tell people by e-mail: breaches (recorded once), the daily digest of
due and overdue requests, and status links mailed to the partner's contacts."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail, send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from audit.services import record
from portal.models import NotificationOptOut
from requests_app import links, sla, wording
from requests_app.models import PartnerRequest
from requests_app.rules import CHANGE, visible_requests


def _muted(kind: str) -> set[int]:
    return set(NotificationOptOut.objects.filter(kind=kind).values_list("user_id", flat=True))


def _url(request: PartnerRequest) -> str:
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}/requests/{request.pk}/"


def note_breaches() -> int:
    """Record each request's breach once and tell its owner."""
    now = timezone.now()
    noted = 0
    muted = _muted("request_breached")
    for pk in sla.breached(PartnerRequest.objects.filter(breach_noted_at=None), now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            request = (
                PartnerRequest.objects.select_for_update(of=("self",))
                .select_related("owner")
                .filter(pk=pk, breach_noted_at=None)
                .first()
            )
            if request is None or not request.breached:
                continue
            request.breach_noted_at = now
            request.save(update_fields=["breach_noted_at"])
            record("request.breached", obj=request, after={"due_at": sla.iso(request.due_at)})
            noted += 1
            owner = request.owner
            if owner is not None and owner.email and owner.pk not in muted:
                body = render_to_string(
                    "emails/request_breached.txt", {"request": request, "url": _url(request)}
                )
                transaction.on_commit(
                    lambda o=owner, r=request, b=body: send_mail(
                        f"{r.reference} is overdue", b, settings.DEFAULT_FROM_EMAIL, [o.email]
                    )
                )
    return noted


def send_digest() -> int:
    """One e-mail per manager: their communities' requests that are overdue or due soon."""
    now = timezone.now()
    muted = _muted("request_digest")
    messages = []
    for user in get_user_model().objects.filter(is_active=True).exclude(email="").order_by("pk"):
        if user.pk in muted or not user.has_perm(CHANGE):
            continue
        mine = visible_requests(user).select_related("community", "owner")
        overdue = list(sla.breached(mine, now).order_by("due_at")[:50])
        soon = list(sla.due_soon(mine, now).order_by("due_at")[:50])
        if not overdue and not soon:
            continue
        body = render_to_string(
            "emails/request_digest.txt",
            {
                "person": user,
                "overdue": overdue,
                "soon": soon,
                "base": settings.PORTAL_BASE_URL.rstrip("/"),
            },
        )
        subject = f"Partner requests: {len(overdue)} overdue, {len(soon)} due soon"
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    return send_mass_mail(messages, fail_silently=False) if messages else 0


def mail_status_link(user, request: PartnerRequest, days: int | None) -> int:
    """Issue a link and e-mail it to the partner's contacts, each in their language; the token
    lives only in this function and in the mails."""
    link, token = links.issue(user, request, days=days)
    url = links.url_for(token)
    messages = []
    for contact in request.partner.contacts.exclude(email="").order_by("pk"):
        language = (contact.locale or request.locale or "en")[:2].lower()
        language = language if language in wording.SUPPORTED else wording.language_of(request)
        with translation.override(language):
            subject = translation.gettext("Your request %(ref)s") % {"ref": request.reference}
        body = wording.link_message(request, url, link.expires_at, language)
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [contact.email]))
    return send_mass_mail(messages, fail_silently=False) if messages else 0
