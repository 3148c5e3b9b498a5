"""Random sequences of people's decisions, Canto changes, time, Trading Grid deliveries in any
order, drift and reconciliation; after every step partners see only versions approved for
their community, content that may no longer be shown has its take-down queued, nothing waits
forever, and every state change is on the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from audit.models import AuditEvent
from integrations import outbox
from integrations.models import OutboxMessage
from integrations.tradinggrid.reconcile import reconcile
from portal.models import Asset, Publication, Release, ReleaseItem
from portal.releases import services
from portal.releases.errors import ReleaseError, StaleRevision
from portal.releases.tasks import releases_due
from tests.release_support import (
    FAKE_TRADINGGRID,
    FakeTradingGrid,
    canto_asset,
    canto_change,
    canto_delete,
    community,
    deliver,
    grant,
)

pytestmark = pytest.mark.django_db


P = Publication.State
OWED = [OutboxMessage.Status.PENDING, OutboxMessage.Status.RETRYING]
APPROVALS = ["release.approved", "release.review_skipped", "release.auto_updated"]
POLICIES = list(Release.OnNewVersion.values)
MAX_RELEASES, MAX_ASSETS = 12, 12


def _ref(external_ref: str) -> tuple[int, int]:
    """``release-<r>-asset-<a>`` → (r, a)."""
    _, release_id, _, asset_id = external_ref.split("-")
    return int(release_id), int(asset_id)


class ReleaseLife(RuleBasedStateMachine):
    """A partner programme's content and Trading Grid, per example (rolled back after)."""

    manager = reviewer = clock = None  # set by the test
    communities: list = []

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.clock.offset = timedelta(0)  # each example starts at the real present
        self.tg = FakeTradingGrid(FAKE_TRADINGGRID, "sandbox-tenant").__enter__()
        self.assets: list[Asset] = []
        self.releases: list[Release] = []
        # (release id, community tg id) → {(asset id, version, md5)} approved at some time
        self.approved: dict[tuple[int, str], set[tuple[int, int, str]]] = {}
        self.seen_seq = self._last_seq()
        self.before_step = self._publication_states()

    def teardown(self):
        self.tg.__exit__(None, None, None)
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # Helpers ------------------------------------------------------------------------------------
    @staticmethod
    def _last_seq() -> int:
        return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    @staticmethod
    def _publication_states() -> dict[int, tuple[str, str]]:
        return {
            pk: (st, tg) for pk, st, tg in Publication.objects.values_list("pk", "state", "tg_id")
        }

    def _asset(self, i: int, *, released: bool = False) -> Asset:
        """One of Canto's assets; ``released`` prefers those an open release holds."""
        pool = Asset.objects.filter(deleted_in_canto=False).order_by("pk")
        if released:
            held = pool.filter(
                release_items__release__state__in=[*Release.EDITABLE, *Release.LIVE]
            ).distinct()
            pool = held if held.exists() else pool
        assets = list(pool) or [Asset.objects.order_by("pk").first()]
        return assets[i % len(assets)]

    def _attempt(self, action, *args, **kwargs) -> None:
        """People's actions may be refused; a refusal must be one of the release errors."""
        try:
            with transaction.atomic():
                action(*args, **kwargs)
        except ReleaseError:
            pass

    def _owed(self) -> list[OutboxMessage]:
        return list(OutboxMessage.objects.filter(status__in=OWED).order_by("id"))

    def _check_before_sending(self, message: OutboxMessage) -> None:
        """A publish or update leaves only with a version approved for its community now."""
        if message.operation == "tradinggrid.publish":
            body = message.payload["publication"]
            community_id = message.payload["community_id"]
            version, md5 = body["version"], body["files"][0]["md5"]
        elif message.operation == "tradinggrid.update_publication":
            changes = message.payload["changes"]
            if "version" not in changes:
                return
            body = {"external_ref": Publication.objects.get(pk=message.object_id).external_ref}
            community_id = Publication.objects.get(pk=message.object_id).community.tg_id
            version, md5 = changes["version"], changes["files"][0]["md5"]
        else:
            return
        release_id, asset_id = _ref(body["external_ref"])
        shown = (asset_id, int(version), md5)
        assert shown in self.approved.get((release_id, community_id), set()), (
            f"about to show {shown} in {community_id}, never approved there"
        )
        release = Release.objects.get(pk=release_id)
        assert release.state not in Release.CLOSED, f"sending for a {release.state} release"
        asset = Asset.objects.get(pk=asset_id)
        assert not asset.eligibility_problem, f"sending {asset}: {asset.eligibility_problem}"
        item = release.items.filter(asset_id=asset_id).first()
        if item is not None:
            assert (item.approved_version_no, item.approved_md5) == (int(version), md5), (
                f"sending v{version} while v{item.approved_version_no} is the approved one"
            )

    def _open(self, *states: str) -> list[Release]:
        found = Release.objects.filter(pk__in=[r.pk for r in self.releases])
        return list(found.filter(state__in=states).order_by("pk")) if states else list(found)

    def _pick(self, releases: list[Release], i: int) -> Release:
        return releases[i % len(releases)]

    def _create(self, chosen, policy, scheduled, expiring, first_asset) -> None:
        now = timezone.now()
        release = services.create(
            self.manager,
            communities=[self.communities[i] for i in sorted(chosen)],
            name=f"Release {len(self.releases) + 1}",
            on_new_version=policy,
            publish_at=now + timedelta(hours=12) if scheduled else None,
            expire_at=now + timedelta(days=2) if expiring else None,
        )
        self.releases.append(release)
        self._attempt(services.add_item, self.manager, release, self._asset(first_asset))

    # Rules -------------------------------------------------------------------------------------
    @initialize(
        regulated=st.lists(st.booleans(), min_size=2, max_size=2),
        chosen=st.sets(st.sampled_from([0, 1, 2]), min_size=1),
        policy=st.sampled_from(POLICIES),
    )
    def a_programme_with_content_partners_see(self, regulated, chosen, policy):
        self.assets = [canto_asset(regulated=r) for r in regulated]
        self._create(chosen, policy, scheduled=False, expiring=False, first_asset=0)
        release = self.releases[0]
        services.add_item(self.manager, release, self.assets[1])
        services.submit(self.manager, release)
        release.refresh_from_db()
        if release.state == Release.State.IN_REVIEW:
            services.approve(self.reviewer, release, revision=release.revision)
        outbox.relay()

    @rule(
        act=st.sampled_from(
            ["create", "create", "add", "add", "remove", "submit", "submit", "submit", "withdraw"]
        ),
        r=st.integers(0, MAX_RELEASES),
        a=st.integers(0, MAX_ASSETS),
        chosen=st.sets(st.sampled_from([0, 1, 2]), min_size=1),
        policy=st.sampled_from(POLICIES),
        dates=st.sampled_from(["none", "none", "scheduled", "expiring"]),
    )
    def a_manager_acts(self, act, r, a, chosen, policy, dates):
        if act == "create" and len(self._open(*Release.EDITABLE, *Release.LIVE)) < 3:
            self._create(chosen, policy, dates == "scheduled", dates == "expiring", a)
            return
        editable = self._open(*Release.EDITABLE)
        if act == "submit" and editable:
            self._attempt(services.submit, self.manager, self._pick(editable, r))
        elif act == "add" and editable:
            self._attempt(services.add_item, self.manager, self._pick(editable, r), self._asset(a))
        elif act == "remove" and editable:
            release = self._pick(editable, r)
            item = release.items.order_by("id")[a : a + 1].first()
            if item is not None:
                self._attempt(services.remove_item, self.manager, release, item)
        elif act == "withdraw":
            release = self._pick(self._open(), r)
            self._attempt(services.withdraw, self.manager, release, reason="Pulled")

    @precondition(lambda self: self._open(Release.State.IN_REVIEW))
    @rule(
        act=st.sampled_from(["approve", "approve", "approve", "stale", "reject"]),
        r=st.integers(0, MAX_RELEASES),
    )
    def a_reviewer_decides(self, act, r):
        release = self._pick(self._open(Release.State.IN_REVIEW), r)
        if act == "stale" and release.revision > 1:
            with pytest.raises(StaleRevision):
                services.approve(self.reviewer, release, revision=release.revision - 1)
        elif act == "reject":
            self._attempt(
                services.reject, self.reviewer, release, reason="Needs work", revision=None
            )
        else:
            self._attempt(services.approve, self.reviewer, release, revision=release.revision)

    @rule(
        change=st.sampled_from(
            [
                "new_version",
                "new_version",
                "new_asset",
                "new_asset",
                "restricted",
                "approved",
                "approved",
                "expires",
                "deleted",
            ]
        ),
        a=st.integers(0, MAX_ASSETS),
        regulated=st.booleans(),
    )
    def canto_changes(self, change, a, regulated):
        if change == "new_asset":
            if Asset.objects.filter(deleted_in_canto=False).count() < 4:
                self.assets.append(canto_asset(regulated=regulated))
            return
        asset = self._asset(a, released=True)
        if asset.deleted_in_canto:
            return
        if change == "new_version":
            canto_change(asset, new_version=True)
        elif change == "restricted":
            canto_change(asset, status="Restricted")
        elif change == "approved":
            canto_change(asset, status="Approved")
        elif change == "expires":
            canto_change(asset, expires_at=timezone.now() + timedelta(hours=6))
        else:
            canto_delete(asset)

    @precondition(lambda self: self._owed())
    @rule(
        act=st.sampled_from(["one", "one", "fail", "all", "all"]),
        i=st.integers(0, 50),
    )
    def the_relay_delivers(self, act, i):
        if act == "all":
            # Past every retry delay, so what is sent does not depend on how fast this runs.
            self.clock.advance(minutes=2)
            due = OutboxMessage.objects.filter(status__in=OWED, next_attempt_at__lte=timezone.now())
            for message in due:
                self._check_before_sending(message)
            outbox.relay()
            return
        owed = self._owed()
        message = owed[i % len(owed)]
        self._check_before_sending(message)
        if act == "fail":
            self.tg.fail_next(503)
        deliver(message)

    @rule(
        act=st.sampled_from(["time", "time", "archived", "deleted", "reconcile", "reconcile"]),
        i=st.integers(0, 50),
    )
    def time_and_trading_grid(self, act, i):
        if act == "time":
            self.clock.advance(hours=13)
            releases_due()
        elif act == "reconcile":
            reconcile()
        elif self.tg.shown():  # a change in Trading Grid behind the portal's back
            shown = sorted(p["id"] for p in self.tg.shown())
            self.tg.drop(shown[i % len(shown)], act)

    # Invariants -------------------------------------------------------------------------------
    @invariant()
    def after_every_step(self):
        self._record_approvals()
        shown = self.tg.shown()
        archives = self._archives_owed()
        self._partners_see_only_approved_versions(shown)
        self._what_may_no_longer_be_shown_has_its_take_down_queued(shown, archives)
        self._the_portal_never_counts_on_ineligible_content(archives)
        self._nothing_waits_forever()
        self._every_state_change_is_audited()
        self.seen_seq = self._last_seq()
        self.before_step = self._publication_states()

    def _record_approvals(self) -> None:
        """What the step just taken approved, for the communities the release targets now."""
        events = AuditEvent.objects.filter(
            seq__gt=self.seen_seq, action__in=APPROVALS, object_type="portal.release"
        )
        for release_id in {int(pk) for pk in events.values_list("object_id", flat=True)}:
            release = Release.objects.get(pk=release_id)
            approved = {
                (i.asset_id, i.approved_version_no, i.approved_md5)
                for i in release.items.exclude(approved_version_no=None)
            }
            for target in release.communities.all():
                self.approved.setdefault((release_id, target.tg_id), set()).update(approved)

    def _archives_owed(self) -> set[str]:
        return {
            m.payload["publication_id"]
            for m in OutboxMessage.objects.filter(
                status__in=[*OWED, OutboxMessage.Status.SENDING],
                operation="tradinggrid.archive_publication",
            )
        }

    def _partners_see_only_approved_versions(self, shown: list[dict]) -> None:
        for pub in shown:
            release_id, asset_id = _ref(pub["external_ref"])
            version = (asset_id, int(pub["version"]), pub["files"][0]["md5"])
            assert version in self.approved.get((release_id, pub["community_id"]), set()), (
                f"{pub['community_id']} sees {version}, never approved for it"
            )

    def _what_may_no_longer_be_shown_has_its_take_down_queued(self, shown, archives) -> None:
        refs = {pub["id"]: _ref(pub["external_ref"]) for pub in shown}
        assets = Asset.objects.in_bulk({a for _, a in refs.values()})
        releases = Release.objects.in_bulk({r for r, _ in refs.values()})
        items = {
            (i.release_id, i.asset_id): i
            for i in ReleaseItem.objects.filter(release_id__in=list(releases))
        }
        for tg_id, (release_id, asset_id) in refs.items():
            release, item = releases[release_id], items.get((release_id, asset_id))
            why = (
                assets[asset_id].eligibility_problem
                or (release.state in Release.CLOSED and f"release {release.state}")
                or (item is not None and item.withdrawn_reason)
                or (item is not None and item.approved_version_no is None and "not approved")
            )
            assert not why or tg_id in archives, f"{tg_id} still shown: {why}"

    def _the_portal_never_counts_on_ineligible_content(self, archives) -> None:
        shown = Publication.objects.filter(state__in=[P.PUBLISHING, P.LIVE]).select_related("asset")
        for pub in shown:
            assert not pub.asset.eligibility_problem, f"{pub} kept: {pub.asset.eligibility_problem}"
        for pub in Publication.objects.filter(state=P.WITHDRAWING):
            assert pub.tg_id in archives, f"{pub} is withdrawing but no archive is owed"

    def _nothing_waits_forever(self) -> None:
        sending = set(
            Publication.objects.filter(state=P.PUBLISHING).values_list("release_id", flat=True)
        )
        on_the_way = sending | set(
            Publication.objects.filter(state=P.WITHDRAWING).values_list("release_id", flat=True)
        )
        for release in Release.objects.filter(state=Release.State.PUBLISHING):
            assert release.pk in on_the_way, f"{release} is publishing nothing"
        for release in Release.objects.filter(state=Release.State.PUBLISHED):
            assert release.pk not in sending, f"{release} is published but still sending"

    def _every_state_change_is_audited(self) -> None:
        trail: dict[str, list[tuple[str, str]]] = {}
        for before, after, pk in (
            AuditEvent.objects.filter(object_type="portal.release", action__startswith="release.")
            .order_by("seq")
            .values_list("before", "after", "object_id")
        ):
            if isinstance(after, dict) and "state" in after:
                trail.setdefault(pk, []).append((before["state"], after["state"]))
        for release in Release.objects.all():
            changes = trail.get(str(release.pk), [])
            path = ["draft"] + [after for _, after in changes]
            assert [before for before, _ in changes] == path[:-1], f"{release}: gap in {changes}"
            assert path[-1] == release.state, f"{release} is {release.state}, trail ends {path}"
        new_events = AuditEvent.objects.filter(seq__gt=self.seen_seq)
        audited = set(
            new_events.filter(object_type="portal.publication").values_list("object_id", flat=True)
        )
        replaced_by = [
            int(pk)
            for pk in new_events.filter(action="publication.replaced").values_list(
                "object_id", flat=True
            )
        ]
        replaced = set(
            Publication.objects.filter(pk__in=replaced_by).values_list("tg_id", flat=True)
        )
        for pk, (now, tg_id) in self._publication_states().items():
            was = self.before_step.get(pk, (P.PUBLISHING, tg_id))[0]
            if was != now:
                covered = str(pk) in audited or (now == P.SUPERSEDED and tg_id in replaced)
                assert covered, f"publication {pk} went {was} → {now} unaudited"


def test_partners_see_only_approved_versions_and_every_change_is_audited(
    manager, reviewer, clock, settings
):
    settings.TRADINGGRID_BASE_URL = FAKE_TRADINGGRID
    settings.TRADINGGRID_MAX_ATTEMPTS = 1  # a 503 is the outbox's to retry, at once
    settings.OUTBOX_MAX_ATTEMPTS = 1000
    ReleaseLife.manager, ReleaseLife.reviewer, ReleaseLife.clock = manager, reviewer, clock
    ReleaseLife.communities = [
        community("com_emea", "EMEA distributors", "EMEA"),
        community("com_apac", "APAC resellers", "APAC"),
        community("com_open", "Open resellers", "NA", review_optional=True),
    ]
    for target in ReleaseLife.communities:
        grant(target, manager, reviewer)
    run_state_machine_as_test(
        ReleaseLife,
        settings=hypothesis_settings(
            max_examples=50,
            stateful_step_count=60,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
