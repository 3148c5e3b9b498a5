"""The catalog: assets as a Canto sync would have mirrored them, with their version history."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from integrations.sandbox.canto.families import LANGUAGE_REGION
from portal.models import Asset, AssetVersion
from portal.models.catalog import APPROVED, index_text
from portal.scale.base import BATCH, Ref, Run, batched, hex_digits, insert_objects, moment

# Category → (weight, share that is regulated, file extensions)
CATEGORIES = {
    "Product sheet": (16, 0.0, ("pdf", "pdf", "docx")),
    "Brand asset": (8, 0.0, ("svg", "png", "pdf")),
    "Product image": (18, 0.0, ("jpg", "png")),
    "Safety data sheet": (12, 0.8, ("pdf",)),
    "Warranty": (6, 0.1, ("pdf",)),
    "Product claim": (6, 0.5, ("pdf", "pptx")),
    "Regional disclosure": (6, 0.3, ("pdf",)),
    "Training": (10, 0.0, ("mp4", "pptx", "pdf")),
    "Campaign": (14, 0.0, ("jpg", "mp4", "pptx")),
    "Case study": (4, 0.0, ("pdf", "docx")),
}
FILE_TYPES = {
    "pdf": ("document", "application/pdf"),
    "docx": (
        "document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "pptx": (
        "presentation",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "jpg": ("image", "image/jpeg"),
    "png": ("image", "image/png"),
    "svg": ("image", "image/svg+xml"),
    "mp4": ("video", "video/mp4"),
}
STATUSES = (("Approved", 80), ("Pending", 10), ("Restricted", 5), ("Expired", 5))
PRODUCTS = ("pump", "valve", "compressor", "mixer", "controller", "sensor", "filter", "drive")
EXTRA_TAGS = ("Q3-launch", "Q4-holiday", "spring-promo", "REACH", "RoHS", "installation", "new")
OWNERS = ("Priya Shah", "Lars Holm", "Marta Ruiz", "Kenji Sato", "Claire Martin", "Tom Becker")
VERSION_WEIGHTS = (50, 25, 12, 7, 4, 2)
LETTERS = "ABCDEHKMRSTVXZ"


def assets(run: Run, count: int) -> tuple[int, int]:
    """Create ``count`` assets in batches; return (assets, versions) created."""
    rng = run.rng("assets")
    categories = list(CATEGORIES)
    category_weights = [CATEGORIES[c][0] for c in categories]
    statuses, status_weights = zip(*STATUSES, strict=True)
    languages = list(LANGUAGE_REGION)
    soon = run.now + timedelta(days=30)
    total_versions = 0

    def one(n: int) -> tuple[Asset, list[AssetVersion]]:
        category = rng.choices(categories, category_weights)[0]
        _, regulated_share, extensions = CATEGORIES[category]
        ext = rng.choice(extensions)
        scheme, mime = FILE_TYPES[ext]
        product = rng.choice(PRODUCTS)
        language = rng.choices(languages, (40, 15, 12, 10, 8, 8, 7))[0]
        model = f"{rng.choice(LETTERS)}{rng.choice(LETTERS)}{rng.randint(100, 999)}"
        name = f"{product}-{model} {category} {language} {n}.{ext}"
        created = moment(rng, run.since, run.now - timedelta(days=1))
        modified = moment(rng, created, run.now)
        version_no = rng.choices(range(1, 7), VERSION_WEIGHTS)[0]
        md5 = hex_digits(rng, 128)
        expires = None
        roll = rng.random()
        if roll < 0.03:
            expires = moment(rng, run.now - timedelta(days=200), run.now)
        elif roll < 0.08:
            expires = moment(rng, run.now, soon)
        elif roll < 0.15:
            expires = moment(rng, soon, run.now + timedelta(days=730))
        tags = sorted({category.lower(), product, *rng.sample(EXTRA_TAGS, rng.randint(0, 2))})
        deleted = rng.random() < 0.01
        asset = Asset(
            canto_id=f"{run.prefix}-{n:09d}",
            scheme=scheme,
            name=name,
            version_no=version_no,
            md5=md5,
            size=rng.randint(20_000, 250_000_000 if scheme == "video" else 20_000_000),
            mime_type=mime,
            approval_status=rng.choices(statuses, status_weights)[0],
            expires_at=expires,
            category=category,
            language=language,
            region=LANGUAGE_REGION[language],
            regulated=rng.random() < regulated_share,
            tags=tags,
            keywords=[product, model],
            tag_index=index_text([*tags, product, model]),
            owner_name=rng.choice(OWNERS),
            canto_created=created,
            canto_modified=modified,
            content_hash=hex_digits(rng, 256),
            last_seen_at=run.now,
            deleted_in_canto=deleted,
            deleted_at=moment(rng, modified, run.now) if deleted else None,
            created_at=created,
            updated_at=modified,
        )
        step = (modified - created) / version_no
        versions = [
            AssetVersion(
                no=no,
                md5=md5 if no == version_no else "",
                owner_name=asset.owner_name,
                comment="" if no == 1 else rng.choice(("Updated figures", "New layout", "Typo")),
                canto_created=created + step * (no - 1),
                first_seen_at=created + step * (no - 1),
            )
            for no in range(1, version_no + 1)
        ]
        return asset, versions

    with transaction.atomic():
        for numbers in batched(range(count), BATCH):
            pairs = [one(n) for n in numbers]
            insert_objects([a for a, _ in pairs])
            keys = dict(
                Asset.objects.filter(canto_id__in=[a.canto_id for a, _ in pairs]).values_list(
                    "canto_id", "pk"
                )
            )
            rows = []
            for asset, versions in pairs:
                asset.pk = keys[asset.canto_id]
                run.assets.append(Ref(asset.pk, asset.name))
                if (
                    asset.approval_status == APPROVED
                    and not asset.deleted_in_canto
                    and (asset.expires_at is None or asset.expires_at > soon)
                ):
                    run.releasable.append((asset.pk, asset.version_no, asset.md5))
                for version in versions:
                    version.asset_id = asset.pk
                    rows.append(version)
            total_versions += insert_objects(rows)
    return len(run.assets), total_versions
