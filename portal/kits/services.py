"""Campaign kit services: create and change a kit, and remind partners before its deadline.

A kit is a release of kind ``kit``: adding assets, ordering them, submitting, reviewing,
publishing and withdrawing are the release services. What is the kit's own (the deadline and
the reminders) is decided here, atomically and audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from audit.services import record
from portal.errors import ServiceError
from portal.kits import tracking
from portal.models import Contact, Kit, KitReminder, Release
from portal.releases import services as releases
from portal.releases.rules import require

KIT_FIELDS = ("deadline", "remind_hours_before")
REMINDED_STATES = (Release.State.PUBLISHING, Release.State.PUBLISHED, Release.State.OUTDATED)
LONGEST_REMINDER = timedelta(days=60)


def _check(deadline: datetime | None, launch: datetime | None, remind: int | None) -> None:
    if deadline is None:
        raise ServiceError("Set the deadline by which partners should act on the kit.")
    if deadline <= timezone.now():
        raise ServiceError("The deadline must be in the future.")
    if launch and deadline <= launch:
        raise ServiceError("The deadline must come after the launch date.")
    if remind is not None and not 0 < remind <= LONGEST_REMINDER.days * 24:
        raise ServiceError(
            f"Remind between 1 hour and {LONGEST_REMINDER.days * 24} hours before the deadline."
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@transaction.atomic
def create(
    user,
    *,
    deadline: datetime | None,
    remind_hours_before: int = 48,
    communities,
    partners=(),
    **values,
) -> Kit:
    """A draft kit; its assets are added and ordered like a release's."""
    values.setdefault("requires_acknowledgement", True)
    _check(deadline, values.get("publish_at"), remind_hours_before)
    release = releases.new_release(
        user, communities=communities, partners=partners, kind=Release.Kind.KIT, **values
    )
    kit = Kit.objects.create(
        release=release, deadline=deadline, remind_hours_before=remind_hours_before
    )
    record(
        "kit.created",
        obj=kit,
        after={
            "name": release.name,
            "communities": sorted(c.name for c in release.communities.all()),
            "launch": _iso(release.publish_at),
            "deadline": _iso(deadline),
        },
    )
    return kit


@transaction.atomic
def update(user, kit: Kit, *, revision: int | None = None, **values) -> Kit:
    """Change the kit while it is a draft or rejected (the release's rule)."""
    kit_values = {k: values.pop(k) for k in KIT_FIELDS if k in values}
    release = releases.update(user, kit.release, revision=revision, **values)
    kit = Kit.objects.select_for_update().get(pk=kit.pk)
    changed = {k: v for k, v in kit_values.items() if getattr(kit, k) != v}
    if not changed:
        if release.publish_at and release.publish_at >= kit.deadline:
            raise ServiceError("The deadline must come after the launch date.")
        return kit
    _check(
        changed.get("deadline", kit.deadline),
        release.publish_at,
        changed.get("remind_hours_before", kit.remind_hours_before),
    )
    before = {k: getattr(kit, k) for k in changed}
    for name, value in changed.items():
        setattr(kit, name, value)
    kit.save(update_fields=list(changed))
    plain = {k: _iso(v) if isinstance(v, datetime) else v for k, v in changed.items()}
    record(
        "kit.updated",
        obj=kit,
        before={k: _iso(v) if isinstance(v, datetime) else v for k, v in before.items()},
        after=plain,
    )
    return kit


def check_may_change(user, kit: Kit) -> None:
    require(user, "change_release", kit.release)


def reminder_due(kit: Kit, now: datetime) -> bool:
    return (
        kit.reminded_at is None
        and kit.release.state in REMINDED_STATES
        and kit.deadline - timedelta(hours=kit.remind_hours_before) <= now < kit.deadline
    )


def send_reminders(now: datetime | None = None) -> int:
    """Beat: once per kit, a reminder to each partner who has not yet done what it asks."""
    now = now or timezone.now()
    candidates = Kit.objects.filter(
        reminded_at=None,
        release__state__in=REMINDED_STATES,
        deadline__gt=now,
        deadline__lte=now + LONGEST_REMINDER,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(candidates):
        with transaction.atomic():
            kit = Kit.objects.select_for_update().select_related("release").get(pk=pk)
            if reminder_due(kit, now):
                sent += _remind(kit, now)
    return sent


def _remind(kit: Kit, now: datetime) -> int:
    waiting = list(tracking.waiting(kit).select_related("partner", "community"))
    reminded, mails = [], []
    for row in waiting:
        _, created = KitReminder.objects.get_or_create(kit=kit, partner=row.partner)
        if not created:
            continue
        emails = list(
            Contact.objects.filter(partner=row.partner, status="active")
            .exclude(email="")
            .values_list("email", flat=True)
        )
        KitReminder.objects.filter(kit=kit, partner=row.partner).update(recipients=len(emails))
        reminded.append(row.partner.company_name)
        if emails:
            body = render_to_string(
                "emails/kit_reminder.txt",
                {"kit": kit, "partner": row.partner, "url": tracking.partner_url(kit, row)},
            )
            subject = f"Reminder: {kit.release.name} is due {kit.deadline:%Y-%m-%d %H:%M} UTC"
            mails.append((subject, body, settings.DEFAULT_FROM_EMAIL, emails))
    kit.reminded_at = now
    kit.save(update_fields=["reminded_at"])
    record(
        "kit.reminders_sent",
        obj=kit,
        after={"partners": sorted(reminded), "deadline": _iso(kit.deadline)},
    )
    if mails:
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=False))
    return len(reminded)
