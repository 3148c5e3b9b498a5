"""File names and descriptions of the seeded content, one family at a time.

A family is one document and its translations (same base name with ``-de``, ``-fr``… suffixes),
or a single image, logo or video.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

LANGUAGES = ("en", "de", "fr", "es", "it", "ja", "pt")
REGIONS = ("NA", "EMEA", "APAC", "LATAM", "Global")
LANGUAGE_REGION = {
    "en": "Global",
    "de": "EMEA",
    "fr": "EMEA",
    "es": "LATAM",
    "it": "EMEA",
    "ja": "APAC",
    "pt": "LATAM",
}
PRODUCT_FAMILIES = ("pump", "valve", "compressor", "mixer", "controller", "sensor", "filter")
MODEL_LETTERS = "ABCDEHKMRSTVXZ"
CAMPAIGNS = ("Q3-launch", "Q4-holiday", "spring-promo")
DISCLOSURES = ("REACH", "RoHS", "Prop65", "WEEE", "UKCA", "CE-declaration")
CUSTOMERS = ("brewery", "water-utility", "food-plant", "paper-mill", "mine")
TRAINING_TOPICS = ("product-basics", "installation", "sales-pitch", "service")

Family = tuple[str, list["Draft"]]


@dataclass(slots=True)
class Draft:
    """One asset of a family before ids, times and versions are assigned."""

    name: str
    width: int
    height: int
    language: str
    region: str
    tags: list[str]
    keywords: list[str]


def _localised(
    rng: random.Random,
    stem: str,
    ext: str,
    extra_languages: tuple[int, ...],
    tags: list[str],
    keywords: list[str],
    size: tuple[int, int] = (0, 0),
    region: str = "",
) -> Family:
    languages = ["en", *rng.sample(LANGUAGES[1:], rng.choice(extra_languages))]
    drafts = [
        Draft(
            f"{stem}{'' if lang == 'en' else '-' + lang}.{ext}",
            *size,
            lang,
            region or LANGUAGE_REGION[lang],
            tags,
            keywords,
        )
        for lang in languages
    ]
    return ext, drafts


def _single(
    name: str,
    ext: str,
    size: tuple[int, int],
    language: str,
    region: str,
    tags: list[str],
    keywords: list[str],
) -> Family:
    return ext, [Draft(f"{name}.{ext}", *size, language, region, tags, keywords)]


def _product_sheet(rng: random.Random, family: str, model: str) -> Family:
    return _localised(
        rng,
        f"Product-sheet-{family}-{model}",
        "pdf",
        (0, 1, 2, 3),
        ["product sheet", model],
        [family, "datasheet"],
    )


def _safety_sheet(rng: random.Random, family: str, model: str) -> Family:
    return _localised(
        rng,
        f"SDS-{family}-{model}",
        "pdf",
        (1, 2, 3, 4),
        ["safety", "sds", model],
        [family, "hazard"],
    )


def _warranty(rng: random.Random, family: str, model: str) -> Family:
    return _localised(
        rng, f"Warranty-{family}-series", "pdf", (0, 1, 2), ["warranty", family], [family, "terms"]
    )


def _claim(rng: random.Random, family: str, model: str) -> Family:
    return _localised(
        rng,
        f"Claims-{family}-{model}",
        rng.choice(("pdf", "docx")),
        (0, 1, 2),
        ["claims", model],
        [family, "efficiency"],
    )


def _disclosure(rng: random.Random, family: str, model: str) -> Family:
    topic, region = rng.choice(DISCLOSURES), rng.choice(REGIONS[:4])
    return _localised(
        rng,
        f"Disclosure-{region}-{topic}-{family}",
        "pdf",
        (0, 1),
        ["disclosure", topic],
        [region.lower(), "regulatory"],
        region=region,
    )


def _brand_asset(rng: random.Random, family: str, model: str) -> Family:
    if rng.random() < 0.6:
        variant = rng.choice(("primary", "white", "black", "horizontal", "stacked"))
        size = rng.choice(((1200, 400), (800, 800), (2000, 600)))
        return _single(
            f"Logo-{family}-line-{variant}",
            rng.choice(("png", "svg")),
            size,
            "",
            "Global",
            ["logo", variant],
            ["brand", family],
        )
    return _localised(
        rng,
        f"Brand-guidelines-{family}-{rng.choice((2024, 2025))}",
        "pdf",
        (0, 1, 2),
        ["brand", "guidelines"],
        ["brand", "identity"],
    )


def _product_image(rng: random.Random, family: str, model: str) -> Family:
    angle = rng.choice(("front", "side", "detail", "in-use", "packshot", "exploded"))
    size = rng.choice(((3000, 2000), (2000, 2000), (4000, 3000)))
    region = rng.choice(("Global", "Global", "NA", "EMEA"))
    return _single(
        f"{family}-{model}-{angle}",
        "jpg",
        size,
        "",
        region,
        ["product image", model, angle],
        [family, "photo"],
    )


def _training(rng: random.Random, family: str, model: str) -> Family:
    topic = rng.choice(TRAINING_TOPICS)
    if rng.random() < 0.3:
        return _single(
            f"Training-{topic}-{family}-{model}",
            "mp4",
            (1920, 1080),
            "en",
            "Global",
            ["training", "video", topic],
            [family, "training"],
        )
    return _localised(
        rng,
        f"Training-{topic}-{family}",
        "pptx",
        (0, 0, 1, 2),
        ["training", "deck", topic],
        [family, "training"],
    )


def _campaign(rng: random.Random, family: str, model: str) -> Family:
    campaign = rng.choice(CAMPAIGNS)
    tags, keywords = [campaign], [family, "campaign"]
    roll = rng.random()
    if roll < 0.45:
        size = rng.choice(((728, 90), (300, 250), (1200, 628), (1080, 1080)))
        return _localised(
            rng,
            f"Banner-{campaign}-{family}-{size[0]}x{size[1]}",
            "jpg",
            (0, 1, 2),
            ["banner", *tags],
            keywords,
            size=size,
        )
    if roll < 0.8:
        number = rng.randrange(1, 20)
        return _single(
            f"Social-post-{campaign}-{family}-{number:02d}",
            "png",
            (1080, 1080),
            "",
            "Global",
            ["social", *tags],
            keywords,
        )
    if roll < 0.9:
        return _single(
            f"Teaser-{campaign}-{family}",
            "mp4",
            (1920, 1080),
            "en",
            "Global",
            ["video", *tags],
            keywords,
        )
    return _localised(
        rng, f"Launch-guide-{campaign}-{family}", "pptx", (0, 1), ["launch guide", *tags], keywords
    )


def _case_study(rng: random.Random, family: str, model: str) -> Family:
    customer = rng.choice(CUSTOMERS)
    return _localised(
        rng,
        f"Case-study-{customer}-{family}-{model}",
        "pdf",
        (0, 1),
        ["case study", customer],
        [family, "reference"],
    )


GENERATORS: dict[str, Callable[[random.Random, str, str], Family]] = {
    "Product sheet": _product_sheet,
    "Brand asset": _brand_asset,
    "Product image": _product_image,
    "Safety data sheet": _safety_sheet,
    "Warranty": _warranty,
    "Product claim": _claim,
    "Regional disclosure": _disclosure,
    "Training": _training,
    "Campaign": _campaign,
    "Case study": _case_study,
}


def draft_family(category: str, rng: random.Random) -> Family:
    """The file extension and drafts of one family of ``category``."""
    family = rng.choice(PRODUCT_FAMILIES)
    model = f"{rng.choice(MODEL_LETTERS)}{rng.randrange(10, 100) * 10}"
    return GENERATORS[category](rng, family, model)
