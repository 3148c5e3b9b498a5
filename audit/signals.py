"""Sign-in events and Django admin changes written to the audit trail."""

from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from audit.services import record
from portal.context import USER, Actor

_ADMIN_ACTIONS = {ADDITION: "admin.added", CHANGE: "admin.changed", DELETION: "admin.deleted"}


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
    username = str(credentials.get("username", ""))[:150]
    record(
        "auth.login_failed",
        object_type="auth.user",
        object_label=username,
        actor=Actor("user", username or "unknown"),
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
        actor=Actor("user", username or "unknown"),
    )


@receiver(post_save, sender=LogEntry)
def on_admin_change(sender, instance: LogEntry, created: bool, **kwargs):
    if not created:
        return
    record(
        _ADMIN_ACTIONS.get(instance.action_flag, "admin.changed"),
        object_type=instance.content_type.app_label + "." + instance.content_type.model
        if instance.content_type_id
        else "",
        object_id=instance.object_id or "",
        object_label=instance.object_repr,
        after={"change": instance.get_change_message()},
        actor=_user_actor(instance.user),
    )
