"""From approved versions to Trading Grid publications, through the outbox.

``plan`` says, per community, what partners will see after publishing: what appears, what
replaces an older version and what is taken down. ``start`` turns the plan into publications
and outbox writes (one Trading Grid call per publication); the outbox callbacks call
``settle``, which marks the release published once nothing is on its way any more.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audit.services import record
from integrations import outbox
from integrations.models import OutboxMessage
from integrations.tradinggrid import bodies
from portal.models import Community, Publication, Release, ReleaseItem
from portal.releases import kit_publishing
from portal.releases.transitions import lock, move

P = Publication.State
ON_THE_WAY = [P.PUBLISHING, P.WITHDRAWING]
SHOWN = [P.PUBLISHING, P.LIVE]
UNSENT = [OutboxMessage.Status.PENDING, OutboxMessage.Status.RETRYING, OutboxMessage.Status.DEAD]


@dataclass
class Step:
    """One line of "what partners will see": publish, replace, keep or withdraw."""

    action: str
    community: Community
    item: ReleaseItem | None
    version_no: int | None
    md5: str
    current: Publication | None
    audience: dict | None = None

    @property
    def asset(self):
        return self.item.asset if self.item is not None else self.current.asset


def plan(release: Release, *, proposed: bool = False) -> list[Step]:
    """The publishing plan; ``proposed`` plans the versions awaiting review instead.

    Onboarding material is shown only while someone is enrolled, and follows the enrolled
    partners: a changed audience is a ``retarget`` of what is shown.
    """
    communities = list(release.communities.order_by("name"))
    onboarding = release.kind == Release.Kind.ONBOARDING
    items = list(release.items.select_related("asset"))
    current: dict[tuple[int, int], Publication] = {}
    for pub in (
        Publication.objects.filter(release=release, state__in=SHOWN)
        .select_related("asset", "community")
        .order_by("id")
    ):
        current[(pub.asset_id, pub.community_id)] = pub  # the newest one per pair wins
    steps = []
    for community in communities:
        audience = bodies.audience(release, community)
        for item in items:
            pub = current.pop((item.asset_id, community.pk), None)
            version = item.version_no if proposed else item.approved_version_no
            md5 = item.md5 if proposed else item.approved_md5
            hidden = item.withdrawn_reason or item.asset.eligibility_problem
            if hidden or version is None or (onboarding and not audience["partner_ids"]):
                if pub is not None:
                    steps.append(Step("withdraw", community, item, None, "", pub))
            elif pub is None:
                steps.append(Step("publish", community, item, version, md5, None, audience))
            elif pub.version_no != version or pub.md5 != md5:
                steps.append(Step("replace", community, item, version, md5, pub, audience))
            elif onboarding and pub.audience != audience:
                steps.append(Step("retarget", community, item, version, md5, pub, audience))
            else:
                steps.append(Step("keep", community, item, version, md5, pub, audience))
    for pub in current.values():  # no longer in the release, or the community is no longer targeted
        steps.append(Step("withdraw", pub.community, None, None, "", pub))
    return steps


def body(publication: Publication) -> dict:
    """What Trading Grid is asked to show for a publication, audience included."""
    return bodies.publication_body(publication)


def _new(release: Release, step: Step, **extra) -> Publication:
    asset = step.item.asset
    return Publication.objects.create(
        release=release,
        asset=asset,
        community=step.community,
        version_no=step.version_no,
        md5=step.md5,
        title=asset.name[:255],
        external_ref=f"release-{release.pk}-asset-{asset.pk}",
        state=P.PUBLISHING,
        audience=step.audience,
        **extra,
    )


def start(release: Release) -> dict[str, int]:
    """Queue the writes that make Trading Grid show the approved plan (inside the lock)."""
    counts = {"publish": 0, "replace": 0, "withdraw": 0, "keep": 0, "retarget": 0}
    steps = plan(release)
    for step in steps:
        counts[step.action] += 1
    if release.kind == Release.Kind.KIT:
        kit_publishing.write(release, steps)
        steps = []
    for step in steps:
        if step.action == "retarget":
            retarget(step.current, step.community, step.audience)
        elif step.action == "publish":
            pub = _new(release, step)
            outbox.add(
                "tradinggrid.publish",
                {"community_id": step.community.tg_id, "publication": body(pub)},
                obj=pub,
            )
        elif step.action == "replace" and step.current.tg_id and not _missing(step.current):
            _supersede_unsent(step.current, step.version_no)
            pub = _new(release, step, tg_id=step.current.tg_id)
            payload = body(pub)
            changes = {
                k: payload[k]
                for k in (
                    "title",
                    "summary",
                    "files",
                    "version",
                    "audience",
                    "requires_acknowledgement",
                )
            }
            outbox.add(
                "tradinggrid.update_publication",
                {"publication_id": pub.tg_id, "changes": changes},
                obj=pub,
            )
        elif step.action == "replace":  # the older one is still on its way, or Trading Grid lost it
            take_down_publications([step.current], "replaced by a newer version")
            pub = _new(release, step)
            outbox.add(
                "tradinggrid.publish",
                {"community_id": step.community.tg_id, "publication": body(pub)},
                obj=pub,
            )
        elif step.action == "withdraw":
            # An older version may still be live under a replacement that was not sent yet.
            pair = Publication.objects.filter(
                release=release, asset=step.asset, community=step.community, state__in=SHOWN
            ).select_related("community")
            take_down_publications(
                list(pair),
                step.item.withdrawn_reason if step.item else "removed from the release",
            )
    # A write cancelled before it was sent will never call back: decide on what is on its way.
    if Publication.objects.filter(release=release, state__in=ON_THE_WAY).exists():
        move(release, Release.State.PUBLISHING, "release.publishing_started", after=counts)
    else:
        move(release, Release.State.PUBLISHED, "release.published", after=counts)
    return counts


def retarget(pub: Publication, community: Community, audience: dict | None = None) -> None:
    """Show a live publication to a changed audience (one update, no new version)."""
    if audience is None:
        audience = bodies.audience(pub.release, community)
    if not pub.tg_id:
        # Still on its way: ``audience`` stays what was sent, so the plan asks again later.
        return
    Publication.objects.filter(pk=pub.pk).update(audience=audience)
    outbox.add(
        "tradinggrid.update_publication",
        {"publication_id": pub.tg_id, "changes": {"audience": audience}},
        obj=pub,
    )


def _unsent(pub: Publication, operations: list[str]):
    return OutboxMessage.objects.filter(
        object_type="portal.publication",
        object_id=str(pub.pk),
        status__in=UNSENT,
        operation__in=operations,
    )


def _missing(pub: Publication) -> bool:
    """A live publication Trading Grid lost: reconciliation's publish of it is still owed."""
    return pub.state == P.LIVE and _unsent(pub, ["tradinggrid.publish"]).exists()


def _supersede_unsent(pub: Publication, version: int) -> None:
    """An older version's update not sent yet (a replacement or a correction by
    reconciliation) must never land after the newer one."""
    reason = f"replaced by version {version} before it was sent"
    if not _unsent(pub, ["tradinggrid.update_publication"]).update(
        status=OutboxMessage.Status.CANCELLED, last_error=reason
    ):
        return  # nothing owed, or being sent right now: the newer update is queued after it
    state = P.SUPERSEDED if pub.state == P.PUBLISHING else pub.state
    Publication.objects.filter(pk=pub.pk).update(
        state=state, withdrawn_at=timezone.now() if state == P.SUPERSEDED else None
    )
    record(
        "outbox.cancelled",
        obj=pub,
        reason=reason,
        before={"state": pub.state},
        after={"state": state, "version": pub.version_no},
    )


def take_down_publications(publications, reason: str) -> int:
    """Withdraw publications from partners' view; one archive per Trading Grid publication."""
    publications = list(publications)
    kit_ids = set(
        Release.objects.filter(
            pk__in={p.release_id for p in publications}, kind=Release.Kind.KIT
        ).values_list("pk", flat=True)
    )
    kits = [p for p in publications if p.release_id in kit_ids]
    kit_publishing.take_down(kits, reason)
    archive: dict[str, Publication] = {}
    now = timezone.now()
    for pub in publications:
        if pub.state not in SHOWN or pub in kits:
            continue
        missing = _missing(pub)
        unsent = _unsent(pub, ["tradinggrid.publish", "tradinggrid.update_publication"])
        cancelled = unsent.update(status=OutboxMessage.Status.CANCELLED, last_error=reason[:2000])
        in_flight = pub.state == P.PUBLISHING and not cancelled
        # A live one is archived (unless Trading Grid lost it); one still being sent is
        # archived once its id is known.
        shown = pub.state == P.LIVE and not missing
        state = P.WITHDRAWING if shown or in_flight else P.WITHDRAWN
        Publication.objects.filter(pk=pub.pk).update(
            state=state,
            withdraw_reason=reason[:255],
            withdrawn_at=now if state == P.WITHDRAWN else None,
        )
        if state == P.WITHDRAWING and pub.tg_id and not in_flight:
            archive.setdefault(pub.tg_id, pub)
        record(
            "publication.withdrawing" if state == P.WITHDRAWING else "publication.archived",
            obj=pub,
            reason=reason,
            after={"community": pub.community.name, "version": pub.version_no},
        )
    for tg_id, pub in archive.items():
        outbox.add("tradinggrid.archive_publication", {"publication_id": tg_id}, obj=pub)
    return len(publications)


def take_down(release: Release, reason: str) -> int:
    """Withdraw everything the release shows or is about to show."""
    shown = list(
        Publication.objects.filter(release=release, state__in=SHOWN).select_related(
            "community", "release"
        )
    )
    return take_down_publications(shown, reason)


def take_down_item(release: Release, item: ReleaseItem, reason: str) -> int:
    if release.kind == Release.Kind.KIT:
        return 0  # the kit is written again without the file (``kit_publishing.rewrite``)
    shown = list(
        Publication.objects.filter(
            release=release, asset=item.asset, state__in=SHOWN
        ).select_related("community")
    )
    return take_down_publications(shown, reason)


def settle(release_id: int | None) -> None:
    """Outbox callback: a publishing release whose writes have all arrived is published."""
    if release_id is None:
        return
    with transaction.atomic():
        settle_locked(lock(release_id))


def settle_locked(release: Release) -> None:
    """``settle`` for a release the caller holds locked (e.g. after cancelling its last write)."""
    if release.state != Release.State.PUBLISHING:
        return
    if Publication.objects.filter(release=release, state__in=ON_THE_WAY).exists():
        return
    live = Publication.objects.filter(release=release, state=P.LIVE).count()
    move(release, Release.State.PUBLISHED, "release.published", after={"live": live})


def messages(release: Release):
    """The outbox writes for this release's publications, newest first."""
    ids = [
        str(pk) for pk in Publication.objects.filter(release=release).values_list("pk", flat=True)
    ]
    return OutboxMessage.objects.filter(object_type="portal.publication", object_id__in=ids)


def retry_dead(release: Release) -> int:
    dead = list(messages(release).filter(status=OutboxMessage.Status.DEAD))
    for message in dead:
        outbox.retry(message, reason=f"retried from release {release.pk}")
    return len(dead)
