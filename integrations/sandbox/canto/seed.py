"""Deterministic seeding of the Canto sandbox: a manufacturer's partner-facing content.

The same seed and count always give the same catalog; times lie within two years before a fixed
reference date, never relative to today.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from itertools import accumulate

from integrations.sandbox.canto.families import LANGUAGES, REGIONS, draft_family
from integrations.sandbox.canto.state import (
    ID_ALPHABET,
    NODE_ALPHABET,
    Asset,
    CustomField,
    Node,
    Version,
)

# Maps every byte to one of the 36 id characters, so that one randbytes() call makes an id.
_ID_TABLE = bytes((ID_ALPHABET * 8)[:256], "ascii")
REFERENCE_MS = int(datetime(2025, 6, 30, 12, 0, tzinfo=UTC).timestamp() * 1000)
DAY_MS = 86_400_000
SPAN_MS = 730 * DAY_MS

STATUS_WEIGHTS = (("Approved", 80), ("Pending", 10), ("Restricted", 5), ("Expired", 5))
REGULATED = {"Safety data sheet", "Warranty", "Product claim", "Regional disclosure"}
OWNERS = {
    "marketing": ("u1", "Jane Doe"),
    "product": ("u2", "Marc Keller"),
    "localisation": ("u3", "Aiko Tanaka"),
    "legal": ("u4", "Lucía Ortega"),
    "training": ("u5", "Sam Patel"),
}
MIME_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "svg": "image/svg+xml",
    "mp4": "video/mp4",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
SMART_TAGS = ("machine", "metal", "industrial", "equipment", "blue", "close-up", "workshop")
VERSION_COMMENTS = (
    "",
    "Updated torque values",
    "New legal disclaimer",
    "Corrected translation",
    "Refreshed imagery",
    "Updated regional contact details",
    "Fixed typo on page 2",
)
USAGE_TERMS = {
    "Brand asset": "Use per brand guidelines; no alterations.",
    "Campaign": "Partner use during the campaign period only.",
    "Product image": "Partner marketing use; credit not required.",
    "Training": "Partner training only; do not publish.",
    "Product sheet": "Partner sales use.",
    "Case study": "Partner sales use with customer consent on file.",
}
REGULATED_TERMS = "Do not modify. Distribute only the current approved version."

# (folder, [(kind, name, children)]) where children only exist for sub-folders.
TREE = (
    (
        "Marketing",
        (
            ("album", "Logos", ()),
            ("album", "Brand guidelines", ()),
            (
                "folder",
                "Campaigns",
                (("album", "Campaign Q3 launch", ()), ("album", "Campaign Q4 holiday", ())),
            ),
            ("album", "Social media", ()),
        ),
    ),
    (
        "Product",
        (
            ("album", "Product sheets", ()),
            ("album", "Product images", ()),
            ("album", "Product claims", ()),
            ("album", "Case studies", ()),
        ),
    ),
    (
        "Compliance",
        (
            ("album", "Safety sheets", ()),
            ("album", "Warranty", ()),
            ("album", "Regional disclosures", ()),
        ),
    ),
    ("Training", (("album", "Onboarding", ()), ("album", "Sales training", ()))),
    ("Partner requests", ()),
)

FIELDS = (
    ("meta_singlechoice_0", "Category", None),
    ("meta_multichoice_0", "Language", list(LANGUAGES)),
    ("meta_singlechoice_1", "Region", list(REGIONS)),
    ("meta_singlechoice_2", "Regulated", ["Yes", "No"]),
    ("meta_text_0", "Usage Terms", []),
)


# Category → (weight, owner role, primary albums, possible second albums)
CATEGORIES = {
    "Product sheet": (16, "product", ("Product sheets",), ("Onboarding", "Sales training")),
    "Brand asset": (8, "marketing", ("Logos", "Brand guidelines"), ("Onboarding",)),
    "Product image": (18, "product", ("Product images",), ("Campaign Q3 launch", "Social media")),
    "Safety data sheet": (12, "legal", ("Safety sheets",), ("Product sheets",)),
    "Warranty": (6, "legal", ("Warranty",), ("Onboarding",)),
    "Product claim": (6, "legal", ("Product claims",), ("Campaign Q3 launch",)),
    "Regional disclosure": (6, "legal", ("Regional disclosures",), ("Safety sheets",)),
    "Training": (10, "training", ("Onboarding", "Sales training"), ("Product sheets",)),
    "Campaign": (14, "marketing", ("Campaign Q3 launch", "Campaign Q4 holiday"), ("Social media",)),
    "Case study": (4, "marketing", ("Case studies",), ("Sales training",)),
}


def _scheme(ext: str) -> str:
    return {
        "jpg": "image",
        "png": "image",
        "svg": "image",
        "mp4": "video",
        "pptx": "presentation",
    }.get(ext, "document")


def _tree(rng: random.Random) -> tuple[list[Node], dict[str, str]]:
    nodes: list[Node] = []
    albums: dict[str, str] = {}
    used: set[str] = set()

    def new_id() -> str:
        while True:
            candidate = "".join(rng.choices(NODE_ALPHABET, k=5))
            if candidate not in used:
                used.add(candidate)
                return candidate

    def add(kind: str, name: str, parent: Node | None, children: tuple) -> None:
        node = Node(new_id(), name, kind, parent.id if parent else None)
        nodes.append(node)
        if parent is not None:
            parent.children.append(node.id)
        if kind == "album":
            albums[name] = node.id
        for child_kind, child_name, grandchildren in children:
            add(child_kind, child_name, node, grandchildren)

    for folder, children in TREE:
        add("folder", folder, None, children)
    return nodes, albums


def build(count: int, seed: int) -> tuple[list[Asset], list[Node], list[CustomField]]:
    """Seed ``count`` assets, the folder/album tree and the custom fields."""
    rng = random.Random(seed)
    nodes, albums = _tree(rng)
    by_id = {node.id: node for node in nodes}
    fields = [
        CustomField(field_id, name, values if values is not None else list(CATEGORIES))
        for field_id, name, values in FIELDS
    ]
    names = list(CATEGORIES)
    weights = list(accumulate(CATEGORIES[name][0] for name in names))
    statuses = [status for status, _ in STATUS_WEIGHTS]
    status_weights = list(accumulate(weight for _, weight in STATUS_WEIGHTS))
    assets: list[Asset] = []
    ids: set[str] = set()
    while len(assets) < count:
        category = rng.choices(names, cum_weights=weights)[0]
        _, role, primary, secondary = CATEGORIES[category]
        ext, drafts = draft_family(category, rng)
        album_id = albums[rng.choice(primary)]
        created = REFERENCE_MS - 1 - rng.randrange(SPAN_MS)
        regulated = "Yes" if category in REGULATED else "No"
        terms = REGULATED_TERMS if regulated == "Yes" else USAGE_TERMS.get(category, "")
        for position, draft in enumerate(drafts[: count - len(assets)]):
            asset_id = rng.randbytes(26).translate(_ID_TABLE).decode()
            while asset_id in ids:
                asset_id = rng.randbytes(26).translate(_ID_TABLE).decode()
            ids.add(asset_id)
            owner = OWNERS["localisation" if position else role]
            # Translations follow the original within weeks, never past the reference date.
            born = created + (
                rng.randrange(min(20 * DAY_MS * position, REFERENCE_MS - created))
                if position
                else 0
            )
            versions = [Version(1, born, owner[1])]
            roll = rng.random()
            for number in range(2, 1 + (3 if roll < 0.1 else 2 if roll < 0.4 else 1)):
                previous = versions[-1].created
                uploaded = previous + rng.randrange(max(1, (REFERENCE_MS - previous) // 2))
                versions.append(Version(number, uploaded, owner[1], rng.choice(VERSION_COMMENTS)))
            last = versions[-1].created
            modified = last + rng.randrange(max(1, min(30 * DAY_MS, REFERENCE_MS - last)))
            album_ids = [album_id]
            if rng.random() < 0.3:
                second = albums[rng.choice(secondary)]
                if second != album_id:
                    album_ids.append(second)
            asset = Asset(
                id=asset_id,
                scheme=_scheme(ext),
                name=draft.name,
                mime=MIME_TYPES[ext],
                owner=owner[0],
                owner_name=owner[1],
                created=born,
                time=modified,
                width=draft.width,
                height=draft.height,
                approval=rng.choices(statuses, cum_weights=status_weights)[0],
                tags=list(draft.tags),
                keywords=list(draft.keywords),
                smart_tags=rng.sample(SMART_TAGS, 2) if ext in ("jpg", "png") else [],
                additional={
                    "Category": category,
                    "Language": draft.language,
                    "Region": draft.region,
                    "Regulated": regulated,
                    "Usage Terms": terms,
                },
                albums=album_ids,
                versions=versions,
            )
            for album in album_ids:
                by_id[album].assets[asset_id] = None
            assets.append(asset)
    return assets, nodes, fields
