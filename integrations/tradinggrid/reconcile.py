"""Reconciliation: what Trading Grid shows in each community against what the portal decided.

Every publication the portal holds is read back from Trading Grid. A live one that is gone
or archived there is published again; one showing another version is corrected; a withdrawn
one still showing is archived. Each finding is recorded on the publication, audited, and
repaired through the outbox, so a repair is delivered like any other write.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from audit.services import record
from integrations import outbox
from integrations.models import SyncRun
from integrations.syncruns import start_run
from integrations.tradinggrid.bodies import expected_version, is_kit, kit_rows, publication_body
from integrations.tradinggrid.client import TradingGridClient
from portal.models import Publication

ON_THE_WAY = [Publication.State.PUBLISHING, Publication.State.WITHDRAWING]


def _finding(publication: Publication, remote: dict | None) -> str:
    if publication.state == Publication.State.LIVE:
        if remote is None or remote.get("status") in ("archived", "expired"):
            return "missing from Trading Grid"
        if str(remote.get("version", "")) != expected_version(publication):
            return f"Trading Grid shows version {remote.get('version')}"
    if (
        publication.state == Publication.State.WITHDRAWN
        and remote is not None
        and (remote.get("status") in ("published", "scheduled"))
    ):
        return "still shown although withdrawn"
    return ""


def written_together(publication: Publication) -> list[Publication]:
    """A kit's rows are written as one Trading Grid publication; anything else alone."""
    return kit_rows(publication) if is_kit(publication) else [publication]


def _repair(publication: Publication, finding: str) -> None:
    community = publication.community.tg_id
    rows = written_together(publication)
    together = {"rows": [p.pk for p in rows]} if len(rows) > 1 else {}
    if finding == "missing from Trading Grid":
        outbox.add(
            "tradinggrid.publish",
            {
                "community_id": community,
                "publication": publication_body(publication, rows),
                **together,
            },
            obj=publication,
        )
    elif finding.startswith("Trading Grid shows version"):
        body = publication_body(publication, rows)
        outbox.add(
            "tradinggrid.update_publication",
            {
                "publication_id": publication.tg_id,
                "changes": {"version": body["version"], "files": body["files"]},
                **together,
            },
            obj=publication,
        )
    else:
        outbox.add(
            "tradinggrid.archive_publication",
            {"publication_id": publication.tg_id},
            obj=publication,
        )


def reconcile(client: TradingGridClient | None = None) -> dict[str, int]:
    """Compare and repair every published or withdrawn publication; returns counts.

    Runs never overlap (a lock), a publication whose repair is still owed is left to it, and
    each decision is taken on the row as it is after the remote read.
    """
    run = start_run(SyncRun.Kind.TG_RECONCILE, "tradinggrid-reconcile")
    counts = {"checked": 0, "drift": 0}
    try:
        client = client or TradingGridClient.from_settings()
        candidates = (
            Publication.objects.exclude(tg_id="")
            .filter(state__in=[Publication.State.LIVE, Publication.State.WITHDRAWN])
            .order_by("tg_id", "state", "-pk")
            .values_list("pk", "tg_id", "state")
        )
        last = None
        for pk, tg_id, state in candidates.iterator(chunk_size=200):
            if (tg_id, state) == last:
                continue  # another file of the same kit: one check, one repair
            last = (tg_id, state)
            remote = client.publication(tg_id)
            counts["checked"] += 1
            counts["drift"] += int(_check(pk, tg_id, remote))
    except Exception as exc:
        SyncRun.objects.filter(pk=run.pk).update(
            state=SyncRun.State.FAILED, finished_at=timezone.now(), error=str(exc)[:2000]
        )
        raise
    SyncRun.objects.filter(pk=run.pk).update(
        state=SyncRun.State.SUCCEEDED,
        finished_at=timezone.now(),
        seen=counts["checked"],
        updated=counts["drift"],
    )
    return counts


def _check(pk: int, tg_id: str, remote: dict | None) -> bool:
    now = timezone.now()
    with transaction.atomic():
        publication = (
            Publication.objects.select_for_update()
            .select_related("asset", "community")
            .filter(pk=pk, tg_id=tg_id)
            .first()
        )
        if publication is None or outbox.pending_for(publication):
            return False  # changed meanwhile, or a write for it is still on its way
        if Publication.objects.filter(tg_id=tg_id, state__in=ON_THE_WAY).exclude(pk=pk).exists():
            return False  # a newer version or a withdrawal of it is on its way
        if (
            publication.state == Publication.State.WITHDRAWN
            and Publication.objects.filter(tg_id=tg_id, state=Publication.State.LIVE).exists()
        ):
            return False  # a file taken out of a kit that is still live: the kit is checked
        finding = _finding(publication, remote)
        if not finding:
            Publication.objects.filter(pk=pk).update(checked_at=now, drift="")
            return False
        Publication.objects.filter(pk=pk).update(checked_at=now, drift=finding, drift_found_at=now)
        record(
            "publication.drift_found",
            obj=publication,
            reason=finding,
            after={
                "trading_grid": (remote or {}).get("status", "absent"),
                "version": (remote or {}).get("version"),
            },
        )
        _repair(publication, finding)
    return True


def _settle(publication_id: str) -> None:
    from portal.releases.publishing import settle

    settle(
        Publication.objects.filter(pk=publication_id).values_list("release_id", flat=True).first()
    )


def _rows(message) -> list[int]:
    """The portal rows one write was for: a kit's files, or the one publication."""
    rows = message.payload.get("rows") if isinstance(message.payload, dict) else None
    try:
        return [int(pk) for pk in rows] if rows else [int(message.object_id)]
    except (TypeError, ValueError):
        return [int(message.object_id)]


def on_published(message) -> None:
    """Outbox callback: a publication delivered (again) is live under its Trading Grid id.

    One withdrawn while it was being sent is archived now that its id is known.
    """
    if message.object_type != "portal.publication" or not message.result:
        return
    tg_id = str(message.result.get("id", ""))[:64]
    pk, rows = message.object_id, _rows(message)
    withdrawing = Publication.objects.filter(pk__in=rows, state=Publication.State.WITHDRAWING)
    if withdrawing.exists():
        Publication.objects.filter(pk__in=rows).update(tg_id=tg_id)
        shown = Publication.objects.filter(
            pk__in=rows, state__in=[Publication.State.PUBLISHING, Publication.State.LIVE]
        )
        if shown.exists():  # some files of a kit were withdrawn while it was being sent
            withdrawing.update(state=Publication.State.WITHDRAWN, withdrawn_at=timezone.now())
            shown.update(state=Publication.State.LIVE, published_at=timezone.now(), drift="")
            lead = shown.select_related("asset", "community", "release").first()
            record("publication.published", obj=lead, after={"trading_grid_id": tg_id})
            _repair(lead, "Trading Grid shows version of files withdrawn meanwhile")
        else:
            outbox.add(
                "tradinggrid.archive_publication",
                {"publication_id": tg_id},
                obj=Publication.objects.get(pk=pk),
            )
        _settle(pk)
        return
    changed = Publication.objects.filter(
        pk__in=rows, state__in=[Publication.State.PUBLISHING, Publication.State.LIVE]
    ).update(tg_id=tg_id, state=Publication.State.LIVE, published_at=timezone.now(), drift="")
    if changed:
        record(
            "publication.published",
            object_type="portal.publication",
            object_id=pk,
            after={"trading_grid_id": tg_id, **({"rows": rows} if len(rows) > 1 else {})},
        )
        _settle(pk)


def on_updated(message) -> None:
    """Outbox callback: a new version replaced the older one in place, or drift was corrected."""
    if message.object_type != "portal.publication":
        return
    pk, rows = message.object_id, _rows(message)
    tg_id = message.payload.get("publication_id", "")
    now = timezone.now()
    newer = (
        Publication.objects.filter(tg_id=tg_id, state=Publication.State.LIVE, pk__gt=max(rows))
        .select_related("asset", "community", "release")
        .first()
    )
    if newer is not None and Publication.objects.filter(
        pk__in=rows, state=Publication.State.PUBLISHING
    ).update(state=Publication.State.SUPERSEDED, withdrawn_at=now):
        # An older version's update landed after the newer one: show the newer one again.
        finding = f"Trading Grid shows version {message.payload.get('changes', {}).get('version')}"
        Publication.objects.filter(pk=newer.pk).update(drift=finding, drift_found_at=now)
        record("publication.drift_found", obj=newer, reason=finding, after={"late_update": pk})
        _repair(newer, finding)
        _settle(pk)
        return
    if Publication.objects.filter(pk__in=rows, state=Publication.State.PUBLISHING).update(
        state=Publication.State.LIVE, published_at=now, drift=""
    ):
        Publication.objects.filter(tg_id=tg_id, state=Publication.State.LIVE).exclude(
            pk__in=rows
        ).update(state=Publication.State.SUPERSEDED, withdrawn_at=now)
        record(
            "publication.replaced",
            object_type="portal.publication",
            object_id=pk,
            after=message.payload.get("changes", {}).get("version"),
        )
        _settle(pk)
        return
    Publication.objects.filter(pk__in=rows).update(drift="")
    record(
        "publication.corrected",
        object_type="portal.publication",
        object_id=pk,
        after=message.payload.get("changes"),
    )


def on_archived(message) -> None:
    """Outbox callback: every row showing this Trading Grid publication is now withdrawn."""
    if message.object_type != "portal.publication":
        return
    tg_id = message.payload.get("publication_id", "")
    changed = Publication.objects.filter(tg_id=tg_id, state=Publication.State.WITHDRAWING).update(
        state=Publication.State.WITHDRAWN, drift="", withdrawn_at=timezone.now()
    )
    if changed:
        record(
            "publication.archived", object_type="portal.publication", object_id=message.object_id
        )
        _settle(message.object_id)


def on_given_up(message) -> None:
    """Outbox: a publication write was given up; the people behind its release are told."""
    if message.object_type != "portal.publication":
        return
    from portal.notifications import notify

    publication = Publication.objects.select_related("release").filter(pk=message.object_id).first()
    if publication is not None and publication.release is not None:
        notify("publishing_failed", publication.release, error=message.last_error)
