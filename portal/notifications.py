"""E-mail notifications about releases, sent by workers through Django's e-mail backend.

``notify`` is called inside the transaction of the decision; the mail goes out after it
commits. Recipients are worked out when the mail is sent and each person can turn every kind
off on their notification settings page.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string

from audit.services import record
from portal.jobs import enqueue
from portal.models import NotificationOptOut, Release

KINDS = {
    "review_waiting": "A release waits for my review",
    "release_approved": "A release I submitted was approved",
    "release_rejected": "A release I submitted was rejected",
    "publishing_failed": "Publishing a release to Trading Grid failed",
    "auto_withdrawn": "Content was withdrawn automatically after a change in Canto",
    "request_breached": "A partner request I own passed its due date",
    "request_digest": "Daily digest of partner requests due soon or overdue",
    "onboarding_follow_up": "Overdue onboarding material was given to me to follow up",
}


def notify(kind: str, release: Release, **extra) -> None:
    if kind not in KINDS:
        raise ValueError(f"Unknown notification {kind!r}.")
    enqueue(send_release_notification, kind, release.pk, extra)


def _holders(codename: str):
    perm = Permission.objects.get(content_type__app_label="portal", codename=codename)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions=perm) | Q(user_permissions=perm))
        .exclude(email="")
        .distinct()
    )


def recipients(kind: str, release: Release) -> list:
    from portal.releases.rules import acts_on_all

    if kind == "review_waiting":
        people = [
            u
            for u in _holders("review_release")
            if u.pk != release.submitted_by_id and acts_on_all(u, release)
        ]
    elif kind in ("release_approved", "release_rejected"):
        people = [u for u in [release.submitted_by] if u is not None and u.email]
    else:
        people = [u for u in _holders("change_release") if acts_on_all(u, release)]
    muted = set(
        NotificationOptOut.objects.filter(kind=kind, user__in=people).values_list(
            "user_id", flat=True
        )
    )
    return [u for u in people if u.pk not in muted]


@shared_task(name="portal.notifications.send_release_notification")
def send_release_notification(kind: str, release_id: int, extra: dict) -> int:
    release = Release.objects.filter(pk=release_id).first()
    if release is None:
        return 0
    people = recipients(kind, release)
    context = {
        "release": release,
        "url": settings.PORTAL_BASE_URL.rstrip("/") + release.get_absolute_url(),
        **extra,
    }
    subject = render_to_string(f"emails/{kind}_subject.txt", context).strip()
    messages = [
        (
            subject,
            render_to_string(f"emails/{kind}.txt", {**context, "person": person}),
            settings.DEFAULT_FROM_EMAIL,
            [person.email],
        )
        for person in people
    ]
    return send_mass_mail(messages, fail_silently=False) if messages else 0


@transaction.atomic
def set_preferences(user, enabled: set[str]) -> None:
    """Keep the kinds in ``enabled`` on and turn the others off (audited when it changes)."""
    unknown = set(enabled) - set(KINDS)
    if unknown:
        raise ValueError(f"Unknown notification {sorted(unknown)[0]!r}.")
    before = set(NotificationOptOut.objects.filter(user=user).values_list("kind", flat=True))
    after = set(KINDS) - set(enabled)
    if before == after:
        return
    NotificationOptOut.objects.filter(user=user).exclude(kind__in=after).delete()
    NotificationOptOut.objects.bulk_create(
        [NotificationOptOut(user=user, kind=k) for k in sorted(after - before)]
    )
    record(
        "notifications.preferences_changed",
        object_type="auth.user",
        object_id=str(user.pk),
        object_label=user.get_username(),
        before={"off": sorted(before)},
        after={"off": sorted(after)},
    )


def enabled_for(user) -> set[str]:
    return set(KINDS) - set(
        NotificationOptOut.objects.filter(user=user).values_list("kind", flat=True)
    )
