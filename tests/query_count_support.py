"""What the query-count tests share: every list route the portal has, enumerated from its URL
configuration and API router, and a world of rows of every kind that can be grown in batches.

A batch adds, per index, a community granted to the people, partners with contacts in it,
assets with versions, releases in every state (draft, in review, rejected, approved and live),
a kit and an onboarding program with enrollments and follow-ups, usage, partner requests with
comments and status links, sync runs with failures, job runs and outbox messages. Anchors
(one community, kit, asset and request) collect rows from every batch, so the pages about one
object grow too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import count

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from integrations.models import OutboxMessage, SyncFailure, SyncRun
from integrations.tradinggrid import reconcile
from portal import grants
from portal.listing import FilteredListView
from portal.models import (
    AssetUsage,
    AssetVersion,
    Contact,
    JobRun,
    KitReminder,
    Membership,
    Partner,
    Publication,
    UsageDaily,
    UsageTotal,
)
from portal.onboarding import follow_ups
from portal.releases import services as releases
from requests_app import links
from requests_app import services as requests
from tests.factories import AssetFactory, UserFactory
from tests.kit_support import kit_of
from tests.onboarding_support import approved as program_approved
from tests.onboarding_support import enrolled, program_of
from tests.release_support import canto_delete, community
from tests.request_pages_support import K, partner_request

REGIONS = ("EMEA", "NA", "APAC")
TIERS = ("Gold", "Silver", "Bronze")
_serial = count(1)

# Enumerating the routes ------------------------------------------------------------------------


def _walk(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _walk(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", entry.callback


def named_views() -> dict[str, object]:
    """Every named URL of the portal (outside the Django admin) and its view callable."""
    return {
        name: callback
        for name, callback in _walk(get_resolver().url_patterns)
        if not name.startswith("admin:")
    }


def filtered_list_pages() -> set[str]:
    """URL names of the pages built on ``FilteredListView``."""
    found = set()
    for name, callback in named_views().items():
        view_class = getattr(callback, "view_class", None)
        if isinstance(view_class, type) and issubclass(view_class, FilteredListView):
            found.add(name)
    return found


def csv_exports() -> set[str]:
    """URL names of the CSV exports (named ``…export…`` or ``…csv``)."""
    return {
        name
        for name in named_views()
        if not name.startswith("api") and ("export" in name.split(":")[-1] or name.endswith("csv"))
    }


def api_lists() -> set[str]:
    """``api:<basename>-list`` of every router registration with a list action, and
    ``api:<basename>-<action>`` of every extra GET action."""
    from portal.api.urls import router

    found = set()
    for _prefix, viewset, basename in router.registry:
        if hasattr(viewset, "list"):
            found.add(f"api:{basename}-list")
        for extra in viewset.get_extra_actions():
            if "get" in extra.mapping:
                found.add(f"api:{basename}-{extra.url_name}")
    return found


# The world -------------------------------------------------------------------------------------


@dataclass
class World:
    manager: object
    reviewer: object
    auditor: object
    admin: object
    anchor_community: object = None
    anchor_asset: object = None
    anchor_kit: object = None
    anchor_request: object = None
    anchor_draft: object = None
    anchor_program: object = None
    batches: int = 0
    people: list = field(default_factory=list)


def make_world(manager, reviewer, auditor, admin) -> World:
    world = World(manager, reviewer, auditor, admin)
    world.anchor_community = _community(world)
    world.anchor_asset = _asset(world, 0)
    kit = kit_of(
        manager, reviewer, [world.anchor_community], [world.anchor_asset], name="Anchor kit"
    )
    _go_live(kit.release)
    world.anchor_kit = kit
    world.anchor_request = partner_request(
        world.anchor_community, "Anchor request", assets=[world.anchor_asset]
    )
    world.anchor_draft = releases.create(
        manager, name="Anchor draft", communities=[world.anchor_community]
    )
    world.anchor_program = program_of(
        manager, world.anchor_community, [world.anchor_asset], name="Anchor program"
    )
    return world


def _community(world: World):
    n = next(_serial)
    made = community(f"com_q{n}", f"Community {n}", REGIONS[n % 3])
    made.tiers = list(TIERS)
    made.save(update_fields=["tiers"])
    for person in (world.manager, world.reviewer):
        grants.grant_community(person, made)
    return made


def _asset(world: World, i: int, **fields):
    values = {
        "language": ("en", "de", "fr")[i % 3],
        "region": REGIONS[i % 3],
        "category": ("Product sheet", "Brochure", "Logo")[i % 3],
        "version_no": 2,
        **fields,
    }
    asset = AssetFactory(**values)
    for no in (1, 2):
        AssetVersion.objects.create(asset=asset, no=no, md5=f"{asset.md5[:30]}{no:02d}")
    AssetUsage.objects.create(asset=asset, views=i, downloads=i, communities=[])
    return asset


def _partner(world: World, *communities, tier: str):
    n = next(_serial)
    made = Partner.objects.create(
        tg_id=f"par_q{n}", company_name=f"Partner {n}", status="active", tier=tier
    )
    for each in communities:
        Membership.objects.create(partner=made, community=each, active=True)
    Contact.objects.create(
        partner=made, tg_id=f"con_q{n}", email=f"p{n}@example.com", first_name="Pat"
    )
    return made


def _go_live(release) -> list[Publication]:
    """Trading Grid accepted every publish write of the release (a kit's files share one)."""
    rows = Publication.objects.filter(release=release)
    owed = OutboxMessage.objects.filter(
        object_type="portal.publication",
        object_id__in=[str(pk) for pk in rows.values_list("pk", flat=True)],
        operation="tradinggrid.publish",
        status=OutboxMessage.Status.PENDING,
    )
    for message in owed:
        message.status, message.result = OutboxMessage.Status.SENT, {"id": f"pub_q{next(_serial)}"}
        message.save(update_fields=["status", "result"])
        reconcile.on_published(message)
    return list(rows.exclude(tg_id=""))


def _give_up(release) -> None:
    """The relay gave up every write of the release after its last attempt."""
    rows = Publication.objects.filter(release=release).values_list("pk", flat=True)
    OutboxMessage.objects.filter(
        object_type="portal.publication", object_id__in=[str(pk) for pk in rows]
    ).update(status=OutboxMessage.Status.DEAD, attempts=8, last_status=503, last_error="down")


def grow(world: World, n: int) -> None:
    """``n`` more rows of every kind the lists show."""
    for _ in range(n):
        _batch(world, world.batches)
        world.batches += 1
    follow_ups.create_due()


def _batch(world: World, i: int) -> None:
    manager, reviewer = world.manager, world.reviewer
    person = UserFactory(username=f"q-person-{next(_serial)}", role="Content managers")
    place = _community(world)
    for each in (place, world.anchor_community):
        grants.grant_community(person, each)
    anchor = world.anchor_community
    partners = [
        _partner(world, place, anchor, tier=TIERS[i % 3]),
        _partner(world, place, tier=TIERS[(i + 1) % 3]),
    ]
    plain, other = _asset(world, i), _asset(world, i + 1)
    regulated = _asset(world, i + 2, regulated=True, category="Safety data sheet")
    targets = [place, anchor]
    anchor_asset = world.anchor_asset

    releases.add_item(manager, world.anchor_draft, plain)
    draft = releases.create(person, name=f"Draft {i}", communities=[place], partners=partners)
    for asset in (plain, other, anchor_asset):
        releases.add_item(person, draft, asset)
    in_review = releases.create(manager, name=f"Review {i}", communities=targets)
    for asset in (regulated, plain):
        releases.add_item(manager, in_review, asset)
    releases.submit(manager, in_review)
    turned_down = releases.create(manager, name=f"Rejected {i}", communities=[place])
    releases.add_item(manager, turned_down, regulated)
    releases.submit(manager, turned_down)
    turned_down.refresh_from_db()
    releases.reject(reviewer, turned_down, reason="Outdated", revision=turned_down.revision)
    live = releases.create(manager, name=f"Live {i}", communities=targets)
    doomed = _asset(world, i)
    for asset in (anchor_asset, regulated, other, doomed):
        releases.add_item(manager, live, asset)
    releases.submit(manager, live)
    live.refresh_from_db()
    releases.approve(reviewer, live, revision=live.revision)
    publications = _go_live(live)
    Publication.objects.filter(pk=publications[0].pk).update(
        drift=f"Trading Grid shows version {i}", drift_found_at=timezone.now()
    )
    canto_delete(doomed)
    failing = releases.create(manager, name=f"Failing {i}", communities=[place])
    releases.add_item(manager, failing, other)
    releases.submit(manager, failing)
    _give_up(failing)

    kit = kit_of(manager, reviewer, [place], [plain, other], name=f"Kit {i}")
    publications += _go_live(kit.release)
    for partner in partners:
        KitReminder.objects.create(kit=world.anchor_kit, partner=partner, sent_at=timezone.now())
    _usage(world, partners, publications + _anchor_kit_publications(world), i)

    program = program_of(manager, place, [plain, other], name=f"Program {i}")
    program = program_approved(manager, reviewer, program)
    for partner in partners:
        enrolled(manager, program, partner, acknowledged=[plain.name], overdue=True)

    for j, partner in enumerate(partners):
        request = partner_request(
            place,
            f"Request {i}.{j}",
            partner=partner,
            owner=(manager, person)[j],
            assets=[plain, regulated][: j + 1],
        )
        requests.comment(manager, request, f"Looking into it {i}.{j}")
    kinds = (K.HARD_TO_FIND, K.OUTDATED, K.MISSING)
    reported = [plain, other][: i % 2 + 1]
    partner_request(place, f"Cannot find {i}", kind=kinds[i % 3], assets=reported)
    partner_request(
        place, f"Nothing for {i}", kind=kinds[(i + 1) % 3], search_terms=[f"term {i}", "pump"]
    )
    requests.comment((manager, person)[i % 2], world.anchor_request, f"Note {i}", internal=i % 2)
    links.issue((manager, person)[i % 2], world.anchor_request)
    _operations(i)


def _anchor_kit_publications(world: World) -> list[Publication]:
    return list(Publication.objects.filter(release=world.anchor_kit.release).exclude(tg_id=""))


def _usage(world: World, partners, publications, i: int) -> None:
    today = timezone.now().date()
    for publication in publications:
        for partner in partners:
            UsageTotal.objects.get_or_create(
                tg_id=publication.tg_id,
                partner=partner,
                defaults={
                    "publication": publication,
                    "views": i + 1,
                    "downloads": i,
                    "ack_status": ("acknowledged", "declined", "viewed")[i % 3],
                    "viewed_at": timezone.now(),
                    "last_at": timezone.now(),
                },
            )
            UsageDaily.objects.get_or_create(
                day=today - timedelta(days=i),
                asset=publication.asset,
                version_no=publication.version_no,
                community=publication.community,
                partner=partner,
                defaults={"views": i + 1, "downloads": i},
            )


def _operations(i: int) -> None:
    now = timezone.now()
    run = SyncRun.objects.create(
        kind=SyncRun.Kind.values[i % len(SyncRun.Kind.values)],
        lock_key=f"q{i}",
        state=SyncRun.State.SUCCEEDED if i % 2 else SyncRun.State.FAILED,
        finished_at=now,
        seen=i,
    )
    SyncFailure.objects.create(run=run, external_id=f"x{i}", error="unreadable")
    JobRun.objects.create(
        task_id=uuid.uuid4().hex,
        task_name="portal.tasks.something",
        state=JobRun.State.values[i % len(JobRun.State.values)],
        requested_by=f"user{i}",
        queued_at=now,
    )
    OutboxMessage.objects.create(
        operation="canto.write_usage",
        idempotency_key=uuid.uuid4().hex,
        next_attempt_at=now,
        status=OutboxMessage.Status.DEAD if i % 2 else OutboxMessage.Status.RETRYING,
        object_type="portal.asset",
        object_id=str(i),
    )
