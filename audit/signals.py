"""Sign-in events and administrative changes written to the audit trail."""

from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from audit.services import record
from portal.context import SYSTEM, USER, Actor

_ADMIN_ACTIONS = {ADDITION: "admin.added", CHANGE: "admin.changed"}
# Models people delete (in the admin site, one at a time or in bulk, or anywhere else).
# Django writes bulk deletions' admin log with bulk_create, which sends no signal, so
# deletions are recorded from the models themselves.
AUDITED_DELETIONS = {
    "auth.user",
    "auth.group",
    "authtoken.token",
    "django_celery_beat.periodictask",
    "django_celery_beat.crontabschedule",
    "django_celery_beat.intervalschedule",
    "integrations.cantofieldmapping",
    "requests_app.servicelevel",
}
SECRET_LABELS = {"authtoken.token", "authtoken.tokenproxy"}


def _user_actor(user) -> Actor:
    return Actor(USER, user.get_username(), user.pk)


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    record("auth.login", obj=user, actor=_user_actor(user))


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record("auth.logout", obj=user, actor=_user_actor(user))


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    if request is not None and getattr(request, "axes_locked_out", False):
        return  # the lockout event below says it already
    username = str(credentials.get("username", ""))[:150]
    # The typed name is what was tried, not who tried it.
    record(
        "auth.login_failed",
        object_type="auth.user",
        object_label=username,
        actor=Actor(SYSTEM, "anonymous"),
    )


@receiver(user_locked_out)
def on_lockout(sender, request, username, ip_address, **kwargs):
    username = str(username or "")[:150]
    record(
        "auth.lockout",
        object_type="auth.user",
        object_label=username,
        after={"username": username, "ip": ip_address},
        reason="Too many failed sign-in attempts",
        actor=Actor(SYSTEM, "anonymous"),
    )


def _label(object_type: str, label: str) -> str:
    # An API token's text is its key: never write a secret into an append-only trail.
    return "API token" if object_type in SECRET_LABELS else label


@receiver(post_save, sender=LogEntry)
def on_admin_change(sender, instance: LogEntry, created: bool, **kwargs):
    if not created or instance.action_flag not in _ADMIN_ACTIONS:
        return
    object_type = (
        f"{instance.content_type.app_label}.{instance.content_type.model}"
        if instance.content_type_id
        else ""
    )
    record(
        _ADMIN_ACTIONS[instance.action_flag],
        object_type=object_type,
        object_id="" if object_type in SECRET_LABELS else instance.object_id or "",
        object_label=_label(object_type, instance.object_repr),
        after={"change": instance.get_change_message()},
        actor=_user_actor(instance.user),
    )


@receiver(post_delete)
def on_delete(sender, instance, **kwargs):
    object_type = sender._meta.label_lower
    if object_type not in AUDITED_DELETIONS:
        return
    secret = object_type in SECRET_LABELS
    record(
        "admin.deleted",
        object_type=object_type,
        object_id="" if secret else str(instance.pk),
        object_label=_label(object_type, str(instance)[:255]),
    )
