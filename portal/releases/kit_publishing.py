"""Campaign kits in Trading Grid: one publication per community holding every file of the kit.

Each file keeps its own portal row, so where an asset is shared, its usage and its withdrawal
read as for any release. The rows of one kit in one community share the Trading Grid id and
are written together: one publish, one update or one archive, the write naming its rows.
Any change to the files writes a fresh set of rows; the update that carries them replaces the
older set, exactly as a new version replaces an asset's publication.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from audit.services import record
from integrations import outbox
from integrations.models import OutboxMessage
from integrations.tradinggrid.bodies import in_kit_order, kit_body, kit_ref
from portal.models import Community, Publication, Release

P = Publication.State
SHOWN = [P.PUBLISHING, P.LIVE]
UNSENT = [OutboxMessage.Status.PENDING, OutboxMessage.Status.RETRYING, OutboxMessage.Status.DEAD]
WRITES = ["tradinggrid.publish", "tradinggrid.update_publication"]
CHANGES = (
    "title",
    "summary",
    "files",
    "version",
    "audience",
    "requires_acknowledgement",
    "acknowledgement_due_at",
)


def write(release: Release, steps) -> None:
    """Queue what makes each community's kit show the planned files (inside the lock)."""
    by_community = defaultdict(list)
    for step in steps:
        by_community[step.community.pk].append(step)
    for community_steps in by_community.values():
        if any(step.action != "keep" for step in community_steps):
            _write_community(release, community_steps[0].community, community_steps)


def rewrite(release: Release) -> None:
    """After files left the kit (withdrawn in Canto, or waiting for review): show the rest."""
    from portal.releases.publishing import plan

    write(release, plan(release))


def _shown(release: Release, community: Community) -> list[Publication]:
    return list(
        Publication.objects.filter(release=release, community=community, state__in=SHOWN)
        .select_related("asset", "community")
        .order_by("pk")
    )


def _unsent(rows: list[Publication]):
    return OutboxMessage.objects.filter(
        object_type="portal.publication",
        object_id__in=[str(p.pk) for p in rows],
        status__in=UNSENT,
        operation__in=WRITES,
    )


def _rows_of(message: OutboxMessage) -> list[int]:
    rows = message.payload.get("rows") or [message.object_id]
    return [int(pk) for pk in rows]


def _cancel(rows: list[Publication], reason: str) -> set[int]:
    """Cancel the kit's writes not sent yet; returns the rows they were for."""
    unsent = _unsent(rows)
    never_sent = {pk for message in unsent for pk in _rows_of(message)}
    if never_sent:
        unsent.update(status=OutboxMessage.Status.CANCELLED, last_error=reason[:2000])
    return never_sent


def _write_community(release: Release, community: Community, steps) -> None:
    wanted = [s for s in steps if s.action in ("publish", "replace", "keep")]
    shown = _shown(release, community)
    if not wanted:
        take_down(shown, "every file of the kit was withdrawn")
        return
    tg_ids = {p.tg_id for p in shown}
    missing = OutboxMessage.objects.filter(
        object_type="portal.publication",
        object_id__in=[str(p.pk) for p in shown if p.state == P.LIVE],
        status__in=UNSENT,
        operation="tradinggrid.publish",
    ).exists()
    if shown and len(tg_ids) == 1 and "" not in tg_ids and not missing:
        _update(release, community, wanted, shown, tg_ids.pop())
    else:
        # Never confirmed, or lost in Trading Grid: the older kit goes and a new one is sent.
        take_down(shown, "replaced by a newer version of the kit")
        rows = _new_rows(release, community, wanted, tg_id="")
        outbox.add(
            "tradinggrid.publish",
            {
                "community_id": community.tg_id,
                "publication": kit_body(release, community, rows),
                "rows": [p.pk for p in rows],
            },
            obj=rows[0],
        )


def _update(release, community, wanted, shown, tg_id: str) -> None:
    reason = "replaced by a newer version of the kit before it was sent"
    never_sent = _cancel(shown, reason)
    now = timezone.now()
    superseded = list(Publication.objects.filter(pk__in=never_sent, state=P.PUBLISHING))
    Publication.objects.filter(pk__in=[p.pk for p in superseded]).update(
        state=P.SUPERSEDED, withdrawn_at=now
    )
    for pub in superseded:
        record(
            "outbox.cancelled",
            obj=pub,
            reason=reason,
            before={"state": pub.state},
            after={"state": P.SUPERSEDED, "version": pub.version_no},
        )
    kept = {s.item.asset_id for s in wanted}
    for pub in shown:
        if pub.asset_id not in kept and pub.state == P.LIVE:
            Publication.objects.filter(pk=pub.pk).update(
                state=P.WITHDRAWN, withdrawn_at=now, withdraw_reason="removed from the kit"
            )
            record(
                "publication.archived",
                obj=pub,
                reason="removed from the kit",
                after={"community": community.name, "version": pub.version_no},
            )
    rows = _new_rows(release, community, wanted, tg_id=tg_id)
    body = kit_body(release, community, rows)
    outbox.add(
        "tradinggrid.update_publication",
        {
            "publication_id": tg_id,
            "changes": {k: body[k] for k in CHANGES if k in body},
            "rows": [p.pk for p in rows],
        },
        obj=rows[0],
    )


def _new_rows(release, community, wanted, *, tg_id: str) -> list[Publication]:
    rows = []
    for step in wanted:
        asset = step.item.asset
        rows.append(
            Publication.objects.create(
                release=release,
                asset=asset,
                community=community,
                version_no=step.version_no,
                md5=step.md5,
                title=asset.name[:255],
                external_ref=kit_ref(release, community),
                tg_id=tg_id,
                state=P.PUBLISHING,
            )
        )
    rows = in_kit_order(release, rows)
    audience = kit_body(release, community, rows)["audience"]
    Publication.objects.filter(pk__in=[p.pk for p in rows]).update(audience=audience)
    return rows


def take_down(rows: list[Publication], reason: str) -> None:
    """Withdraw whole kits: one archive per Trading Grid publication, unsent writes cancelled."""
    rows = [p for p in rows if p.state in SHOWN]
    if not rows:
        return
    # A kit Trading Grid lost (its publish again still owed) has nothing to archive.
    owed = set(
        _unsent([p for p in rows if p.state == P.LIVE])
        .filter(operation="tradinggrid.publish")
        .values_list("object_id", flat=True)
    )
    lost = {p.tg_id for p in rows if str(p.pk) in owed}
    never_sent = _cancel(rows, reason)
    now = timezone.now()
    archive: dict[str, Publication] = {}
    for pub in rows:
        in_flight = pub.state == P.PUBLISHING and pub.pk not in never_sent
        shown = pub.state == P.LIVE and pub.tg_id not in lost
        state = P.WITHDRAWING if shown or in_flight else P.WITHDRAWN
        Publication.objects.filter(pk=pub.pk).update(
            state=state,
            withdraw_reason=reason[:255],
            withdrawn_at=now if state == P.WITHDRAWN else None,
        )
        if shown and pub.tg_id:
            archive.setdefault(pub.tg_id, pub)
        record(
            "publication.withdrawing" if state == P.WITHDRAWING else "publication.archived",
            obj=pub,
            reason=reason,
            after={"community": pub.community.name, "version": pub.version_no},
        )
    for tg_id, pub in archive.items():
        outbox.add("tradinggrid.archive_publication", {"publication_id": tg_id}, obj=pub)
