"""Deterministic seeding of the Trading Grid sandbox: communities, partners, contacts, requests.

The same seed always gives the same tenant; times lie before a fixed reference date, never
relative to today. Requests refer to assets by their Canto id, taken from the first assets of
the Canto sandbox seeded with the same seed, so that both sandboxes tell one story.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import UTC, datetime, timedelta

from integrations.sandbox.canto import seed as canto_seed
from integrations.sandbox.tradinggrid import names
from integrations.sandbox.tradinggrid.state import (
    ID_ALPHABET,
    Comment,
    Community,
    Contact,
    Partner,
    PartnerRequest,
    Seeded,
)

REFERENCE = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
CANTO_ASSETS = 40
STATUS_WEIGHTS = (("active", 86), ("incomplete", 9), ("inactive", 5))
TIER_WEIGHTS = {"platinum": 1, "gold": 3, "silver": 4, "registered": 3}
SECOND_MEMBERSHIPS = 8
CONTENT_TEAM = {"type": "internal_user", "id": "usr_content_team", "name": "Content team"}


def ascii_fold(text: str) -> str:
    """``Øresund Müller`` → ``Oresund Muller``."""
    text = text.replace("Ø", "O").replace("ø", "o").replace("Æ", "AE").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return (
        "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        .encode("ascii", "ignore")
        .decode()
    )


def _slug(text: str) -> str:
    return "".join(ch for ch in ascii_fold(text).lower() if ch.isalnum())


class _Ids:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def new(self, prefix: str) -> str:
        while True:
            candidate = f"{prefix}_{''.join(self.rng.choices(ID_ALPHABET, k=8))}"
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate


def _before(rng: random.Random, low_days: float, high_days: float) -> datetime:
    seconds = rng.uniform(low_days * 86400, high_days * 86400)
    return (REFERENCE - timedelta(seconds=seconds)).replace(microsecond=0)


def _contacts(
    rng: random.Random, ids: _Ids, partner: Partner, company: str, locale: str, tld: str
) -> list[Contact]:
    language = partner.language
    domain = f"{_slug(' '.join(company.split()[:2]))}.{tld}"
    people: list[Contact] = []
    taken: set[str] = set()
    for position in range(rng.choice((1, 1, 2, 2, 3))):
        first = rng.choice(names.FIRST_NAMES[language])
        last = rng.choice(names.LAST_NAMES[language])
        email = f"{_slug(first)}.{_slug(last)}@{domain}"
        if email in taken:
            continue
        taken.add(email)
        status = "active" if position == 0 or rng.random() < 0.85 else "inactive"
        updated = partner.joined_at + (partner.updated_at - partner.joined_at) * rng.random()
        people.append(
            Contact(ids.new("con"), partner.id, email, first, last, locale, status, updated)
        )
    return people


def _partners(
    rng: random.Random, ids: _Ids, communities: list[Community]
) -> tuple[list[Partner], list[Contact]]:
    partners: list[Partner] = []
    contacts: list[Contact] = []
    statuses = [status for status, _ in STATUS_WEIGHTS]
    status_weights = [weight for _, weight in STATUS_WEIGHTS]
    for index, (community, companies) in enumerate(zip(communities, names.COMPANIES, strict=True)):
        tier_weights = [TIER_WEIGHTS[tier] for tier in community.tiers]
        for position, (company, language, locale, tld) in enumerate(companies):
            joined = _before(rng, 60, 1500)
            updated = joined + (REFERENCE - joined) * rng.uniform(0.2, 1.0)
            global_member = index == len(communities) - 1
            partner = Partner(
                id=ids.new("par"),
                community_ids=[community.id],
                company_name=company,
                status=rng.choices(statuses, status_weights)[0],
                tier=rng.choices(community.tiers, tier_weights)[0],
                regions=list(
                    names.GLOBAL_REGIONS[position] if global_member else community.regions
                ),
                language=language,
                tags=sorted(rng.sample(names.PARTNER_TAGS, rng.choice((0, 1, 1, 2)))),
                joined_at=joined,
                updated_at=updated.replace(microsecond=0),
            )
            partners.append(partner)
            contacts.extend(_contacts(rng, ids, partner, company, locale, tld))
    global_community = communities[-1]
    candidates = [p for p in partners if p.tier in ("platinum", "gold") and p.status == "active"]
    candidates = [p for p in candidates if global_community.id not in p.community_ids]
    for partner in rng.sample(candidates, min(SECOND_MEMBERSHIPS, len(candidates))):
        partner.community_ids.append(global_community.id)
        if partner.tier not in global_community.tiers:
            partner.tier = "gold"
    return partners, contacts


def _canto_refs(seed: int) -> dict[str, list[str]]:
    assets, _, _ = canto_seed.build(CANTO_ASSETS, seed)
    by_category: dict[str, list[str]] = {}
    for asset in assets:
        if asset.additional.get("Language") == "en":
            by_category.setdefault(asset.additional["Category"], []).append(asset.id)
    return by_category


def _subject(rng: random.Random, key: str, locale: str, ref_categories: tuple[str, ...]) -> str:
    if key == "asset_request":
        template = names.ASSET_SUBJECTS[ref_categories[0]]
    else:
        template = rng.choice(names.SUBJECTS[key])
    return template.format(
        family=rng.choice(names.PRODUCT_FAMILIES),
        language=names.LANGUAGE_NAMES.get(locale, "Localised"),
    )


def _requests(
    rng: random.Random,
    ids: _Ids,
    partners: list[Partner],
    contacts: list[Contact],
    seed: int,
) -> tuple[list[PartnerRequest], list[Comment]]:
    refs = _canto_refs(seed)
    every_ref = sorted(ref for values in refs.values() for ref in values)
    first_contact = {}
    for contact in contacts:
        first_contact.setdefault(contact.partner_id, contact)
    active = [p for p in partners if p.status == "active"]
    requests: list[PartnerRequest] = []
    comments: list[Comment] = []
    for kind, category, status, ref_categories in names.REQUEST_PLAN:
        partner = rng.choice(active)
        contact = first_contact[partner.id]
        locale = contact.locale
        if kind == "localization":
            locale = rng.choice(sorted(names.LANGUAGE_NAMES))
        pool = [ref for c in ref_categories for ref in refs.get(c, [])] or (
            every_ref if ref_categories else []
        )
        created = _before(rng, 2, 30)
        updated = created + timedelta(hours=rng.uniform(0, 40))
        request = PartnerRequest(
            id=ids.new("req"),
            community_id=rng.choice(partner.community_ids),
            partner_id=partner.id,
            opened_by={"type": "partner_contact", "id": contact.id},
            type=kind,
            category=category,
            subject=_subject(rng, category or kind, locale, ref_categories),
            description=names.DESCRIPTIONS[category or kind],
            locale=locale,
            asset_refs=[{"external_ref": ref} for ref in rng.sample(pool, min(len(pool), 1))],
            status=status,
            priority=rng.choices(("low", "normal", "high", "urgent"), (2, 6, 2, 1))[0],
            due_at=created + timedelta(days=10 if kind == "localization" else 5),
            created_at=created,
            updated_at=updated.replace(microsecond=0),
        )
        if status == "resolved":
            request.resolution = "The updated file is published in your community."
        requests.append(request)
        if status == "new" or rng.random() < 0.4:
            continue
        moment = created
        thread = [
            ({"type": "partner_contact", "id": contact.id, "name": _name(contact)}, "public",
             rng.choice(names.PARTNER_FOLLOW_UPS)),
            (CONTENT_TEAM, "public", rng.choice(names.TEAM_REPLIES)),
        ]  # fmt: skip
        if rng.random() < 0.5:
            thread.append((CONTENT_TEAM, "internal", rng.choice(names.INTERNAL_NOTES)))
        for author, visibility, body in thread:
            moment = min(moment + timedelta(hours=rng.uniform(1, 12)), request.updated_at)
            comments.append(
                Comment(ids.new("cmt"), request.id, dict(author), visibility, body, [], moment)
            )
    return requests, comments


def _name(contact: Contact) -> str:
    return f"{contact.first_name} {contact.last_name}"


def build(seed: int) -> Seeded:
    """The tenant for ``seed``."""
    rng = random.Random(seed)
    ids = _Ids(rng)
    communities = [
        Community(
            id=ids.new("com"),
            name=name,
            description=description,
            status="active",
            regions=list(regions),
            tiers=list(tiers),
            updated_at=_before(rng, 30, 400),
        )
        for name, description, regions, tiers in names.COMMUNITIES
    ]
    partners, contacts = _partners(rng, ids, communities)
    requests, comments = _requests(rng, ids, partners, contacts, seed)
    return Seeded(communities, partners, contacts, requests, comments)
