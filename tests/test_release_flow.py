"""Releases end to end: real Celery workers, the Canto sandbox firing its webhooks at the live
test server, and the Trading Grid sandbox showing partners what the portal published.

People act through the release services (what the pages and the API call); everything after
that (publishing, following Canto, expiry, retries) happens in the worker, and what partners
see is read back from the Trading Grid sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from audit.models import AuditEvent
from integrations.canto.parsing import format_canto_time
from integrations.canto.runs import run_catalog_sync
from integrations.models import OutboxMessage
from integrations.tasks import relay_outbox
from integrations.tradinggrid.sync import run_partner_sync
from portal import grants
from portal.context import USER, Actor, acting_as
from portal.models import Asset, Community, Partner, Publication, Release
from portal.releases import publishing, services
from portal.releases.tasks import releases_due
from tests.processes import Worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
PUBLICATION_WRITES = "/ac/v1/communities/"
PUBLISH_CALLS = "POST /ac/v1/communities/{id}/publications"


@dataclass
class Stack:
    canto: object
    tradinggrid: object
    manager: object
    reviewer: object
    communities: list[Community]
    partners: list[Partner]  # one active member of each community, in the same order

    def visible(self, partner: Partner) -> list[dict]:
        """What the partner sees in Trading Grid right now."""
        return self.tradinggrid.control("GET", f"partners/{partner.tg_id}/visible")

    def remote(self, tg_id: str) -> dict:
        found = [p for p in self.tradinggrid.control("GET", "publications") if p["id"] == tg_id]
        assert len(found) == 1, tg_id
        return found[0]

    def partner_page(self, partner: Partner) -> str:
        response = requests.get(
            f"{self.tradinggrid.url}/_sandbox/", params={"partner": partner.tg_id}, timeout=10
        )
        response.raise_for_status()
        return response.text


def _person(user):
    return acting_as(Actor(USER, user.get_username(), user.pk), via="web")


def _state(release: Release) -> str:
    release.refresh_from_db()
    return release.state


def _wait_for_state(release: Release, state: str, timeout: float = 30) -> None:
    wait_until(
        lambda: _state(release) == state,
        timeout=timeout,
        message=f"release {release.name!r} did not become {state} (it is {release.state})",
    )


def _audited(obj, *actions: str) -> None:
    """Each action was recorded about ``obj`` (a release, publication or outbox message)."""
    recorded = set(
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).values_list("action", flat=True)
    )
    missing = [a for a in actions if a not in recorded]
    assert not missing, f"not audited for {obj}: {missing}; recorded {sorted(recorded)}"


def _eligible_assets(*, regulated: bool | None = None):
    assets = Asset.objects.filter(approval_status="Approved", expires_at=None).order_by("pk")
    if regulated is not None:
        assets = assets.filter(regulated=regulated)
    return assets


def _release(stack: Stack, name: str, assets, communities=None, **values) -> Release:
    """Created, filled and submitted by the manager, then approved by the reviewer."""
    with _person(stack.manager):
        release = services.create(
            stack.manager, communities=communities or stack.communities[:1], name=name, **values
        )
        for asset in assets:
            services.add_item(stack.manager, release, asset)
        services.submit(stack.manager, release)
    assert _state(release) == "in_review"
    with _person(stack.reviewer):
        services.approve(stack.reviewer, release, revision=release.revision)
    return release


def _live(release: Release, asset: Asset | None = None):
    found = Publication.objects.filter(release=release, state="live").select_related("community")
    return found.filter(asset=asset) if asset is not None else found


@pytest.fixture
def stack(wired_canto, tradinggrid, manager, reviewer) -> Stack:
    """Both sandboxes mirrored, Canto's webhooks aimed at the live server, and a manager and a
    reviewer granted two communities that each have an active partner."""
    canto = wired_canto
    run_catalog_sync(full=True)
    run_partner_sync(full=True)
    communities, partners = [], []
    for community in Community.objects.order_by("name"):
        member = (
            Partner.objects.filter(
                status="active", memberships__community=community, memberships__active=True
            )
            .order_by("tg_id")
            .first()
        )
        if member is not None:
            communities.append(community)
            partners.append(member)
        if len(communities) == 2:
            break
    assert len(communities) == 2
    for person in (manager, reviewer):
        for community in communities:
            grants.grant_community(person, community)
    return Stack(canto, tradinggrid, manager, reviewer, communities, partners)


def test_an_approved_release_is_published_with_exactly_the_approved_version(stack, celery_worker):
    asset = _eligible_assets(regulated=True).first()
    release = _release(stack, "Pump X200 safety sheet", [asset])
    _wait_for_state(release, "published")

    publication = _live(release).get()
    assert publication.tg_id and publication.community == stack.communities[0]
    assert (publication.version_no, publication.md5) == (asset.version_no, asset.md5)
    partner = stack.partners[0]
    shown = [p for p in stack.visible(partner) if p["id"] == publication.tg_id]
    assert len(shown) == 1
    assert shown[0]["version"] == str(asset.version_no)
    assert [f["md5"] for f in shown[0]["files"]] == [asset.md5]
    assert shown[0]["external_ref"] == publication.external_ref
    page = stack.partner_page(partner)
    assert publication.tg_id in page and asset.md5 in page
    # Nobody else's community got it.
    assert not [p for p in stack.visible(stack.partners[1]) if p["id"] == publication.tg_id]

    _audited(
        release,
        "release.created",
        "release.item_added",
        "release.submitted",
        "release.approved",
        "release.publishing_started",
        "release.published",
    )
    _audited(publication, "publication.published")
    events = AuditEvent.objects.filter(object_type="portal.release", object_id=str(release.pk))
    approved = events.get(action="release.approved")
    assert (approved.actor_type, approved.actor_name, approved.via) == ("user", "rita", "web")
    assert events.get(action="release.published").via == "task"  # settled by the worker
    review = release.reviews.get()
    assert review.reviewer == stack.reviewer
    assert review.versions == {str(asset.pk): [asset.version_no, asset.md5]}


def test_a_new_canto_version_goes_back_to_review_and_replaces_the_publication_in_place(
    stack, celery_worker
):
    asset = _eligible_assets(regulated=True).first()
    release = _release(stack, "Pump X200 safety sheet", [asset])
    _wait_for_state(release, "published")
    before = _live(release).get()
    old_version, old_md5 = asset.version_no, asset.md5
    partner = stack.partners[0]

    stack.canto.control("POST", f"assets/{asset.canto_id}/version", {"comment": "new torque"})
    _wait_for_state(release, "in_review")
    asset.refresh_from_db()
    assert asset.version_no == old_version + 1 and asset.md5 != old_md5
    item = release.items.get()
    assert (item.version_no, item.md5) == (asset.version_no, asset.md5)
    assert (item.approved_version_no, item.approved_md5) == (old_version, old_md5)
    _audited(asset, "catalog.asset_new_version")
    _audited(release, "release.outdated", "release.item_repinned", "release.resubmitted")
    # While the reviewer looks, partners keep the approved version.
    before.refresh_from_db()
    assert before.state == "live"
    shown = {p["id"]: p for p in stack.visible(partner)}
    assert shown[before.tg_id]["version"] == str(old_version)
    assert [f["md5"] for f in shown[before.tg_id]["files"]] == [old_md5]

    with _person(stack.reviewer):
        services.approve(stack.reviewer, release, revision=release.revision)
    _wait_for_state(release, "published")

    after = _live(release).get()
    assert after.pk != before.pk and after.tg_id == before.tg_id
    assert (after.version_no, after.md5) == (asset.version_no, asset.md5)
    before.refresh_from_db()
    assert before.state == "superseded"
    shown = [p for p in stack.visible(partner) if p["external_ref"] == after.external_ref]
    assert [p["id"] for p in shown] == [before.tg_id]
    assert shown[0]["version"] == str(asset.version_no)
    assert [f["md5"] for f in shown[0]["files"]] == [asset.md5]
    assert asset.md5 in stack.partner_page(partner)
    _audited(after, "publication.replaced")
    approvals = AuditEvent.objects.filter(
        object_type="portal.release", object_id=str(release.pk), action="release.approved"
    )
    assert approvals.count() == 2
    assert release.reviews.count() == 2
    assert release.reviews.first().versions == {str(asset.pk): [asset.version_no, asset.md5]}


def test_content_restricted_in_canto_is_withdrawn_from_every_community(stack, celery_worker):
    restricted, other = _eligible_assets()[:2]
    alone = _release(stack, "Launch banner", [restricted], communities=stack.communities)
    shared = _release(stack, "Launch kit", [restricted, other], communities=stack.communities[:1])
    _wait_for_state(alone, "published")
    _wait_for_state(shared, "published")
    shown = list(Publication.objects.filter(asset=restricted, state="live"))
    assert len(shown) == 3  # two communities of one release, one of the other
    kept = _live(shared, other).get()

    stack.canto.control("POST", f"assets/{restricted.canto_id}/status", {"status": "Restricted"})
    _wait_for_state(alone, "withdrawn")
    wait_until(
        lambda: (
            not Publication.objects.filter(asset=restricted)
            .exclude(state__in=["withdrawn", "superseded"])
            .exists()
        ),
        message="the restricted asset's publications were not all archived",
    )
    for publication in shown:
        assert stack.remote(publication.tg_id)["status"] == "archived"
        _audited(publication, "publication.withdrawing", "publication.archived")
    for partner in stack.partners:
        assert not {p["id"] for p in stack.visible(partner)} & {p.tg_id for p in shown}
    _audited(restricted, "catalog.asset_status_changed")
    _audited(alone, "release.asset_withdrawn", "release.withdrawn")
    withdrawn = AuditEvent.objects.get(
        object_type="portal.release", object_id=str(alone.pk), action="release.asset_withdrawn"
    )
    assert withdrawn.reason == "Canto status is Restricted, not Approved"

    # The other release keeps its other asset in front of partners.
    assert _state(shared) == "published"
    _audited(shared, "release.asset_withdrawn")
    assert shared.items.get(asset=restricted).withdrawn_reason
    kept.refresh_from_db()
    assert kept.state == "live"
    assert kept.tg_id in {p["id"] for p in stack.visible(stack.partners[0])}


def test_canto_expiry_and_release_expiry_take_content_down_when_beat_runs(stack, celery_worker):
    expiring, steady = _eligible_assets()[:2]
    soon = timezone.now() + timedelta(seconds=5)
    by_canto = _release(stack, "Spring promotion", [expiring])
    by_date = _release(stack, "Trade show deck", [steady], expire_at=soon)
    _wait_for_state(by_canto, "published")
    _wait_for_state(by_date, "published")
    canto_pub, dated_pub = _live(by_canto).get(), _live(by_date).get()

    stack.canto.control(
        "POST",
        f"assets/{expiring.canto_id}/metadata",
        {"additional": {"Expiration Date": format_canto_time(soon)}},
    )
    wait_until(
        lambda: Asset.objects.filter(pk=expiring.pk, expires_at__isnull=False).exists(),
        message="the Canto expiry did not reach the catalog",
    )
    _audited(expiring, "catalog.asset_classification_changed")
    # Not yet expired: nothing changes until the date has passed and beat looks.
    assert (_state(by_canto), _state(by_date)) == ("published", "published")
    wait_until(lambda: timezone.now() > soon, timeout=10)
    assert (_state(by_canto), _state(by_date)) == ("published", "published")

    releases_due.delay()
    _wait_for_state(by_canto, "withdrawn")
    _wait_for_state(by_date, "expired")
    for publication in (canto_pub, dated_pub):
        wait_until(
            lambda p=publication: Publication.objects.get(pk=p.pk).state == "withdrawn",
            message=f"{publication} was not archived",
        )
        assert stack.remote(publication.tg_id)["status"] == "archived"
        _audited(publication, "publication.withdrawing", "publication.archived")
    assert not stack.visible(stack.partners[0])
    _audited(by_canto, "release.asset_withdrawn", "release.withdrawn")
    assert by_canto.items.get().withdrawn_reason == "Expired in Canto"
    _audited(by_date, "release.expired")
    assert not AuditEvent.objects.filter(
        object_type="portal.release", object_id=str(by_date.pk), action="release.asset_withdrawn"
    ).exists()


@pytest.fixture
def impatient_worker(monkeypatch, transactional_db, tmp_path):
    """A worker that tries each Trading Grid write once per attempt and gives up after two."""
    monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("TRADINGGRID_MAX_ATTEMPTS", "1")
    worker = Worker(tmp_path / "worker.log").start()
    yield worker
    worker.stop()


def test_a_failing_publication_write_is_visible_and_retried_to_completion(stack, impatient_worker):
    stack.tradinggrid.faults(
        script=[
            {"path_prefix": PUBLICATION_WRITES, "method": "POST", "status": 503} for _ in range(2)
        ]
    )
    stack.tradinggrid.clear_stats()
    asset = _eligible_assets(regulated=True).first()
    release = _release(stack, "Warranty terms", [asset])

    message = wait_until(
        lambda: OutboxMessage.objects.filter(
            operation="tradinggrid.publish", status="retrying"
        ).first(),
        message="the failed publication write was not kept for another attempt",
    )
    assert (message.attempts, message.last_status) == (1, 503)
    assert _state(release) == "publishing"
    assert Publication.objects.get(release=release).state == "publishing"

    wait_until(lambda: OutboxMessage.objects.get(pk=message.pk).next_attempt_at <= timezone.now())
    relay_outbox.delay()  # what beat does every half minute
    wait_until(
        lambda: OutboxMessage.objects.get(pk=message.pk).status == "dead",
        message="the write was not given up after its last attempt",
    )
    message.refresh_from_db()
    assert message.attempts == 2 and "503" in message.last_error
    assert _state(release) == "publishing"
    assert list(publishing.messages(release).values_list("status", flat=True)) == ["dead"]
    assert not stack.visible(stack.partners[0])
    _audited(message, "outbox.dead")

    stack.tradinggrid.faults()
    with _person(stack.manager):
        assert services.retry_publishing(stack.manager, release) == 1
    _wait_for_state(release, "published")

    publication = _live(release).get()
    assert [p["id"] for p in stack.visible(stack.partners[0])] == [publication.tg_id]
    message.refresh_from_db()
    assert message.status == "sent"
    assert stack.tradinggrid.stats()[PUBLISH_CALLS] == 3  # two refused, one delivered
    _audited(message, "outbox.retried")
    _audited(release, "release.publishing_retried", "release.published")
    _audited(publication, "publication.published")
