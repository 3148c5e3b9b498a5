"""Locking a release and moving it between states, shared by people's actions and reactions."""

from __future__ import annotations

from django.utils import timezone

from audit.services import record
from portal.models import Release
from portal.releases.errors import StaleRevision
from portal.releases.signals import release_moved


def lock(release: Release | int, *, revision: int | None = None) -> Release:
    """The release, row-locked; ``revision`` (what the person loaded) must still be current."""
    pk = release.pk if isinstance(release, Release) else release
    locked = Release.objects.select_for_update().get(pk=pk)
    if revision is not None and locked.revision != revision:
        raise StaleRevision("The release changed since you loaded it; reload it and retry.")
    return locked


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
    release_moved.send(sender=Release, release=release, before=before, after=to)


def bump(release: Release, *fields: str) -> None:
    """A change that invalidates what a reviewer saw: a new revision."""
    release.revision += 1
    release.save(update_fields=["revision", "updated_at", *fields])
