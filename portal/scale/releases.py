"""Releases of assets in every state, with their items, target communities, reviews and (for
those partners see or saw) their publications, consistent with what the services would write."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from portal.models import Asset, Publication, Release, ReleaseItem, Review
from portal.releases.rules import snapshot
from portal.scale.base import BATCH, Ref, Run, batched, given_times, insert_objects, moment
from portal.scale.people import MANAGER, REVIEWER

S = Release.State
STATE_WEIGHTS = (
    (S.DRAFT, 15),
    (S.IN_REVIEW, 12),
    (S.APPROVED, 3),
    (S.PUBLISHING, 2),
    (S.PUBLISHED, 45),
    (S.REJECTED, 6),
    (S.OUTDATED, 5),
    (S.WITHDRAWN, 7),
    (S.EXPIRED, 5),
)
REVIEWED = (S.APPROVED, S.PUBLISHING, S.PUBLISHED, S.OUTDATED, S.WITHDRAWN, S.EXPIRED)
PUBLICATION_STATE = {
    S.PUBLISHING: Publication.State.PUBLISHING,
    S.PUBLISHED: Publication.State.LIVE,
    S.OUTDATED: Publication.State.LIVE,
    S.WITHDRAWN: Publication.State.WITHDRAWN,
    S.EXPIRED: Publication.State.WITHDRAWN,
}
TOPICS = (
    "Product sheets", "Safety data sheets", "Campaign banners", "Price list", "Brand refresh",
    "Installation guides", "Warranty terms", "Training videos", "Case studies", "Launch kit",
)  # fmt: skip
SEASONS = ("spring", "summer", "autumn", "winter", "Q1", "Q2", "Q3", "Q4")
REJECTIONS = (
    "The claim on page 2 is not approved for this region.",
    "Use the current safety data sheet revision.",
    "The disclosure is missing for these markets.",
)


def releases(run: Run, count: int) -> dict[str, int]:
    """Create ``count`` asset releases in batches; return counts of what was written.

    Items are approved, present assets of this run; releases that passed review carry the
    approved versions and snapshots, a review, and one publication per item and community.
    """
    rng = run.rng("releases")
    states, weights = zip(*STATE_WEIGHTS, strict=True)
    manager, reviewer = run.users[MANAGER], run.users[REVIEWER]
    totals = {"releases": 0, "items": 0, "reviews": 0, "publications": 0}
    through = Release.communities.through
    pub_no = 0

    def one(n: int) -> tuple[Release, list[int], list[tuple[int, int, str]]]:
        state = rng.choices(states, weights)[0]
        created = moment(rng, run.since, run.now - timedelta(days=2))
        changed = moment(rng, created, run.now)
        submitted = state != S.DRAFT
        release = Release(
            name=f"{rng.choice(TOPICS)} {rng.choice(SEASONS)} {created.year} #{n + 1}",
            kind=Release.Kind.ASSETS,
            instructions=rng.choice(("", "Replace earlier copies.", "Share with your sales team.")),
            requires_acknowledgement=rng.random() < 0.2,
            on_new_version=rng.choices(list(Release.OnNewVersion), (6, 1, 3))[0],
            # Approved and not yet publishing: scheduled for later.
            publish_at=moment(rng, run.now, run.now + timedelta(days=60))
            if state == S.APPROVED
            else None,
            expire_at=moment(rng, created, run.now) if state == S.EXPIRED else None,
            state=state,
            revision=rng.randint(1, 3),
            created_by=manager,
            submitted_by=manager if submitted else None,
            submitted_at=moment(rng, created, changed) if submitted else None,
            rejection_reason=rng.choice(REJECTIONS) if state == S.REJECTED else "",
            state_changed_at=changed,
            created_at=created,
            updated_at=changed,
        )
        targets = [
            c.pk for c in rng.sample(run.communities, min(len(run.communities), rng.randint(1, 3)))
        ]
        picked = rng.sample(run.releasable, min(len(run.releasable), rng.randint(1, 5)))
        return release, targets, picked

    with (
        transaction.atomic(),
        given_times(Release),
        given_times(Publication),
    ):
        for numbers in batched(range(count), BATCH // 5):
            planned = [one(n) for n in numbers]
            created = Release.objects.bulk_create([r for r, _, _ in planned], batch_size=1000)
            assets = Asset.objects.in_bulk({a for _, _, picked in planned for a, _, _ in picked})
            links, items, reviews, pubs = [], [], [], []
            for release, (_, targets, picked) in zip(created, planned, strict=True):
                run.releases.append(Ref(release.pk, release.name))
                links += [through(release_id=release.pk, community_id=c) for c in targets]
                reviewed = release.state in REVIEWED
                for position, (asset_pk, version_no, md5) in enumerate(picked):
                    approved_no = version_no
                    if release.state == S.OUTDATED and version_no > 1:
                        approved_no = version_no - 1
                    approved_md5 = md5 if approved_no == version_no else ""
                    items.append(
                        ReleaseItem(
                            release_id=release.pk,
                            asset_id=asset_pk,
                            position=position,
                            version_no=version_no,
                            md5=md5,
                            approved_version_no=approved_no if reviewed else None,
                            approved_md5=approved_md5 if reviewed else "",
                            approved_snapshot=snapshot(assets[asset_pk]) if reviewed else {},
                            added_at=release.created_at,
                        )
                    )
                    pub_state = PUBLICATION_STATE.get(release.state)
                    for community in targets if pub_state else ():
                        pub_no += 1
                        pub = _publication(run, release, assets[asset_pk], community, pub_no)
                        pub.state, pub.version_no, pub.md5 = pub_state, approved_no, approved_md5
                        pubs.append(pub)
                if reviewed or release.state == S.REJECTED:
                    reviews.append(_review(release, reviewer, picked))
            insert_objects(links)
            insert_objects(items)
            insert_objects(reviews)
            made = Publication.objects.bulk_create(pubs, batch_size=BATCH)
            run.publications += [Ref(p.pk, str(p.title)) for p in made]
            totals["releases"] += len(created)
            totals["items"] += len(items)
            totals["reviews"] += len(reviews)
            totals["publications"] += len(made)
    return totals


def _review(release: Release, reviewer, picked) -> Review:
    approved = release.state != S.REJECTED
    return Review(
        release_id=release.pk,
        reviewer=reviewer,
        reviewer_name=reviewer.get_username(),
        decision=Review.Decision.APPROVED if approved else Review.Decision.REJECTED,
        reason="" if approved else release.rejection_reason,
        revision=release.revision,
        versions={str(a): [v, md5] for a, v, md5 in picked},
        decided_at=release.submitted_at + (release.state_changed_at - release.submitted_at) / 2,
    )


def _publication(run: Run, release: Release, asset: Asset, community: int, no: int):
    published = release.submitted_at + (release.state_changed_at - release.submitted_at) * 0.75
    live = release.state != S.PUBLISHING
    gone = release.state in (S.WITHDRAWN, S.EXPIRED)
    return Publication(
        release_id=release.pk,
        asset_id=asset.pk,
        community_id=community,
        title=asset.name[:255],
        external_ref=f"release-{release.pk}-asset-{asset.pk}",
        audience={"partner_ids": [], "tiers": [], "regions": []},
        tg_id=f"{run.prefix}-pub-{no:08d}" if live else "",
        published_at=published if live else None,
        withdrawn_at=release.state_changed_at if gone else None,
        withdraw_reason="Release withdrawn" if gone else "",
        checked_at=release.state_changed_at if live else None,
        created_at=published,
    )
