"""Catalog actions a person can take; the sync itself lives in ``integrations.canto``."""

import logging

from django.conf import settings

from audit.services import record
from integrations.canto.client import CantoClient
from integrations.canto.tasks import sync_catalog
from integrations.http import ApiError
from portal.jobs import enqueue
from portal.models import Asset

log = logging.getLogger(__name__)


def request_sync(*, full: bool) -> None:
    """Queue a catalog sync in the asker's name (the worker refuses overlapping runs)."""
    record("catalog.sync_requested", after={"full": full})
    enqueue(sync_catalog, full=full)


def canto_link(asset: Asset) -> str:
    if settings.CANTO_SANDBOX:
        return f"{settings.CANTO_BASE_URL}/_sandbox/?q={asset.canto_id}"
    return settings.CANTO_ASSET_URL_TEMPLATE.format(
        base=settings.CANTO_BASE_URL, scheme=asset.scheme, id=asset.canto_id
    )


def fetch_preview(asset: Asset) -> tuple[bytes, str] | None:
    """One short try: a page of thumbnails must not wait on Canto's retry policy."""
    client = CantoClient(
        settings.CANTO_BASE_URL,
        settings.CANTO_OAUTH_URL,
        settings.CANTO_APP_ID,
        settings.CANTO_APP_SECRET,
        timeout=(2.0, 5.0),
        max_attempts=1,
        rate=settings.CANTO_RATE_LIMIT,
    )
    try:
        content, content_type = client.preview(asset.scheme, asset.canto_id)
    except ApiError as exc:
        log.info("No preview for %s: %s", asset.canto_id, exc)
        return None
    if not content_type.startswith("image/"):
        return None
    return content, content_type


def unmapped_fields(asset: Asset) -> dict:
    """Canto custom fields other than those already shown as category, language and so on."""
    from integrations.models import CantoFieldMapping

    mapping = CantoFieldMapping.current()
    mapped = {
        name.lower()
        for name in (
            mapping.category_field,
            mapping.language_field,
            mapping.region_field,
            mapping.regulated_field,
            mapping.expiry_field,
        )
        if name
    }
    return {k: v for k, v in asset.custom_fields.items() if k.lower() not in mapped}
