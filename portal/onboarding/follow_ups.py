"""Follow-ups: materials still open after an enrollment's target time, for the community's
manager to chase.

Beat runs ``create_due``: each enrollment in progress past its due date gets one follow-up per
required material not yet acknowledged, assigned to the community's manager, audited, and
mailed to them. A manager marks a follow-up done; an acknowledgement arriving later, or the
partner leaving, closes it on its own.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audit.services import record
from portal.errors import Conflict, ServiceError
from portal.grants import people_acting_on
from portal.models import Community, Enrollment, FollowUp, NotificationOptOut
from portal.onboarding.acknowledgements import open_items
from portal.onboarding.enrollments import iso
from portal.onboarding.programs import lock_program
from portal.onboarding.rules import CHANGE_FOLLOW_UP, require
from portal.roles import CONTENT_MANAGER

E = Enrollment.State
NOTICE = "onboarding_follow_up"


def manager_of(community: Community):
    """The community's manager: among active people who enroll partners and act on it,
    content managers first, then by user name (portal admins only when no one else)."""
    perm = Permission.objects.get(content_type__app_label="portal", codename="enroll_partner")
    managers = get_user_model().objects.filter(groups__name=CONTENT_MANAGER, pk=OuterRef("pk"))
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions=perm) | Q(user_permissions=perm))
        .filter(pk__in=people_acting_on(community).values("pk"))
        .annotate(manages=Exists(managers))
        .order_by("-manages", "username")
        .distinct()
        .first()
    )


def _follow_up(enrollment_id: int, now) -> list[FollowUp]:
    """One enrollment's follow-ups, in one transaction under the program's lock."""
    with transaction.atomic():
        program_id = Enrollment.objects.values_list("program_id", flat=True).get(pk=enrollment_id)
        program, _ = lock_program(program_id)
        enrollment = (
            Enrollment.objects.select_for_update().select_related("partner").get(pk=enrollment_id)
        )
        if enrollment.state != E.ACTIVE or enrollment.due_at > now:
            return []
        enrollment.program = program
        existing = {f.item_id: f for f in FollowUp.objects.filter(enrollment=enrollment)}
        manager = None
        made = []
        for item in open_items(enrollment):
            found = existing.get(item.pk)
            # One per material and enrollment: kept once done, opened again only when the
            # partner enrolled again after it was closed.
            if found is not None and (
                found.done_at is None or found.done_at >= enrollment.enrolled_at
            ):
                continue
            manager = manager or manager_of(program.community)
            if found is None:
                found = FollowUp(enrollment=enrollment, item=item)
            found.assigned_to, found.created_at = manager, now
            found.done_at, found.done_by, found.note = None, None, ""
            found.save()
            record(
                "onboarding.follow_up_created",
                obj=found,
                after={
                    "partner": enrollment.partner.company_name,
                    "material": item.asset.name,
                    "due_at": iso(enrollment.due_at),
                    "assigned_to": manager.get_username() if manager else None,
                },
            )
            made.append(found)
        return made


def create_due(now=None) -> int:
    """Beat: follow-ups for every enrollment in progress that is past its due date."""
    now = now or timezone.now()
    due = (
        Enrollment.objects.filter(state=E.ACTIVE, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )
    made = []
    for pk in list(due):
        made.extend(_follow_up(pk, now))
    if made:
        mail(made)
    return len(made)


def mail(follow_ups: list[FollowUp]) -> int:
    """One e-mail per assignee listing their new follow-ups (unless they turned it off)."""
    muted = set(NotificationOptOut.objects.filter(kind=NOTICE).values_list("user_id", flat=True))
    mine = defaultdict(list)
    for follow_up in follow_ups:
        person = follow_up.assigned_to
        if person is not None and person.email and person.pk not in muted:
            mine[person].append(follow_up)
    base = settings.PORTAL_BASE_URL.rstrip("/")
    messages = []
    for person, theirs in sorted(mine.items(), key=lambda kv: kv[0].pk):
        body = render_to_string(
            "emails/onboarding_follow_up.txt",
            {
                "person": person,
                "follow_ups": theirs,
                "base": base,
                "list_url": base + reverse("onboarding:follow-ups") + "?mine=true&status=open",
            },
        )
        subject = f"Onboarding: {len(theirs)} overdue material{'s' if len(theirs) != 1 else ''}"
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [person.email]))
    return send_mass_mail(messages, fail_silently=False) if messages else 0


@transaction.atomic
def mark_done(user, follow_up: FollowUp, *, note: str = "") -> FollowUp:
    """A person followed the partner up; what they did is kept as the note."""
    found = (
        FollowUp.objects.select_for_update()
        .select_related("enrollment__program__community", "enrollment__partner", "item__asset")
        .get(pk=follow_up.pk)
    )
    require(user, CHANGE_FOLLOW_UP, found.enrollment.program.community)
    note = (note or "").strip()
    if len(note) > 2000:
        raise ServiceError("Keep the note under 2,000 characters.")
    if found.done_at is not None:
        raise Conflict("This follow-up is already done.")
    found.done_at, found.done_by, found.note = timezone.now(), user, note
    found.save(update_fields=["done_at", "done_by", "note"])
    record("onboarding.follow_up_done", obj=found, after={"note": note}, reason=note[:255])
    return found
