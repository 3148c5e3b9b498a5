"""Partner requests of every kind, state and priority, as Trading Grid delivered them and the
portal then handled them; open ones partly past their due date."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction

from portal.scale.base import BATCH, Ref, Run, batched, given_times, insert_objects, moment
from portal.scale.catalog import PRODUCTS
from portal.scale.people import MANAGER
from requests_app.lifecycle import TG_STATUS
from requests_app.models import PartnerRequest

K, S = PartnerRequest.Kind, PartnerRequest.State
KIND_WEIGHTS = (
    (K.ASSET_REQUEST, 30),
    (K.NEW_ASSET, 10),
    (K.LOCALIZED_VERSION, 12),
    (K.MISSING, 10),
    (K.OUTDATED, 10),
    (K.HARD_TO_FIND, 8),
    (K.QUESTION, 20),
)
STATE_WEIGHTS = (
    (S.NEW, 10),
    (S.TRIAGED, 8),
    (S.IN_PROGRESS, 10),
    (S.WAITING_FOR_PARTNER, 5),
    (S.AWAITING_APPROVAL, 4),
    (S.DELIVERED, 8),
    (S.CONFIRMED, 15),
    (S.CLOSED, 30),
    (S.REJECTED, 10),
)
PRIORITIES = (("low", 2), ("normal", 6), ("high", 2), ("urgent", 1))
SUBJECTS = {
    K.ASSET_REQUEST: "Please share the {product} product sheet for our {season} campaign",
    K.NEW_ASSET: "New {product} installation guide needed",
    K.LOCALIZED_VERSION: "{product} safety data sheet in {language}",
    K.MISSING: "{product} brochure missing from the portal",
    K.OUTDATED: "Outdated {product} price list",
    K.HARD_TO_FIND: "Cannot find the {product} warranty terms",
    K.QUESTION: "Question about {product} certification",
}
SEASONS = ("spring", "summer", "autumn", "holiday", "launch")
REJECTION = "Out of scope for the partner programme."
LOCALES = ("en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "it-IT", "ja-JP", "pt-BR")


def partner_requests(run: Run, count: int) -> int:
    """Create ``count`` requests from the run's partners (in their communities)."""
    if not run.partners:
        return 0
    rng = run.rng("requests")
    kinds, kind_weights = zip(*KIND_WEIGHTS, strict=True)
    states, state_weights = zip(*STATE_WEIGHTS, strict=True)
    priorities, priority_weights = zip(*PRIORITIES, strict=True)
    manager = run.users[MANAGER]
    releases = run.releases

    def one(n: int) -> tuple[PartnerRequest, list[int]]:
        partner = rng.choice(run.partners)
        kind = rng.choices(kinds, kind_weights)[0]
        state = rng.choices(states, state_weights)[0]
        is_open = state in PartnerRequest.OPEN_STATES
        # Open requests are recent (some past due); finished ones spread over the years.
        since = run.now - timedelta(days=8) if is_open else run.since
        received = moment(rng, since, run.now - timedelta(hours=1))
        changed = moment(rng, received, run.now)
        due = received + timedelta(hours=settings.REQUEST_SERVICE_HOURS.get(kind, 120))
        product, locale = rng.choice(PRODUCTS), rng.choice(LOCALES)
        subject = SUBJECTS[kind].format(
            product=product, season=rng.choice(SEASONS), language=locale
        )
        finished = state in (S.DELIVERED, S.CONFIRMED, S.CLOSED)
        request = PartnerRequest(
            tg_id=f"{run.prefix}-req-{n:08d}",
            community_id=rng.choice(run.partner_communities[partner.pk]),
            partner_id=partner.pk,
            kind=kind,
            subject=f"{subject} ({partner.label})"[:255],
            description=f"{partner.label} asks about the {product} range ({kind}).",
            locale=locale,
            priority=rng.choices(priorities, priority_weights)[0],
            search_terms=[product, "warranty"] if kind == K.HARD_TO_FIND else [],
            tg_status=TG_STATUS[state],
            tg_due_at=due,
            tg_created_at=received,
            tg_updated_at=changed,
            state=state,
            owner=None if state == S.NEW else manager,
            due_at=due,
            rejection_reason=REJECTION if state == S.REJECTED else "",
            delivery_release_id=(
                rng.choice(releases).pk if finished and releases and rng.random() < 0.6 else None
            ),
            state_changed_at=changed,
            delivered_at=changed if finished else None,
            closed_at=changed if state in (S.CLOSED, S.REJECTED) else None,
            received_at=received,
            updated_at=changed,
        )
        wanted = []
        if run.assets and kind in (K.ASSET_REQUEST, K.OUTDATED, K.LOCALIZED_VERSION):
            wanted = [rng.choice(run.assets).pk]
        return request, wanted

    through = PartnerRequest.assets.through
    with transaction.atomic(), given_times(PartnerRequest):
        for numbers in batched(range(count), BATCH):
            planned = [one(n) for n in numbers]
            created = PartnerRequest.objects.bulk_create([r for r, _ in planned], batch_size=2000)
            links = []
            for request, (_, wanted) in zip(created, planned, strict=True):
                run.requests.append(Ref(request.pk, f"{request.reference}: {request.subject}"))
                links += [through(partnerrequest_id=request.pk, asset_id=a) for a in wanted]
            insert_objects(links)
    return len(run.requests)
