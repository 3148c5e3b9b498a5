"""Locking a release and moving it between states, shared by people's actions and reactions."""

from __future__ import annotations

from django.utils import timezone

from audit.services import record
from portal.models import Release


def lock(release: Release | int) -> Release:
    pk = release.pk if isinstance(release, Release) else release
    return Release.objects.select_for_update().get(pk=pk)


def move(release: Release, to: str, action: str, *, fields=(), after=None, **audit) -> None:
    """Set the state, bump the revision and record the transition (under the caller's lock)."""
    before = release.state
    release.state = to
    release.revision += 1
    release.state_changed_at = timezone.now()
    release.save(update_fields=["state", "revision", "state_changed_at", "updated_at", *fields])
    record(
        action, obj=release, before={"state": before}, after={"state": to, **(after or {})}, **audit
    )


def bump(release: Release, *fields: str) -> None:
    """A change that invalidates what a reviewer saw: a new revision."""
    release.revision += 1
    release.save(update_fields=["revision", "updated_at", *fields])
