"""Requests in Canto and back: work items, arriving content, delivery through a release.

A request about an existing asset tags it in Canto and comments on its version; a request for
new or localised content gets an album under the "Partner requests" folder. When the catalog
sync sees a file in that album (or a new version of the tagged asset) the request awaits
approval; the manager then delivers the approved file with a release to the partner, and the
release's publication answers the request.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver

from audit.services import record
from integrations import outbox
from portal.catalog.signals import assets_written, catalog_changed
from portal.errors import Conflict, ServiceError
from portal.models import Asset, Publication, Release
from portal.releases import services as releases
from portal.releases.rules import require_eligible
from portal.releases.signals import release_moved
from requests_app import lifecycle
from requests_app.models import LocalisedVariant, PartnerRequest
from requests_app.rules import require

S = PartnerRequest.State
WORKING = (S.TRIAGED, S.IN_PROGRESS, S.WAITING_FOR_PARTNER)
DELIVERABLE = (S.TRIAGED, S.IN_PROGRESS, S.WAITING_FOR_PARTNER, S.AWAITING_APPROVAL)
RELEASE_BUSY = (
    Release.State.DRAFT,
    Release.State.IN_REVIEW,
    Release.State.APPROVED,
    Release.State.PUBLISHING,
)


def tag_for(request: PartnerRequest) -> str:
    return f"partner-request:{request.reference}"


def album_name(request: PartnerRequest) -> str:
    subject = " ".join(request.subject.replace("/", "-").split())
    return f"{request.reference} {subject}".strip()[:100]


def album_key(album_id: str) -> str:
    """How an album id stands in ``Asset.album_index``."""
    return f"|{album_id.strip().lower()}|"


def needs_album(request: PartnerRequest, linked: list[Asset]) -> bool:
    kinds = PartnerRequest.NEW_CONTENT_KINDS
    return request.kind in kinds or (request.kind == PartnerRequest.Kind.MISSING and not linked)


def open_work_item(request: PartnerRequest) -> None:
    """Queue the Canto side of a triaged request (inside the triage transaction)."""
    if request.kind == PartnerRequest.Kind.QUESTION:
        return
    linked = list(request.assets.filter(deleted_in_canto=False))
    partner = request.partner.company_name if request.partner_id else "a partner"
    for asset in linked:
        ref = {"scheme": asset.scheme, "id": asset.canto_id}
        outbox.add("canto.add_tag", {**ref, "tag": tag_for(request)}, obj=request)
        outbox.add(
            "canto.version_comment",
            {
                **ref,
                "version": asset.version_no,
                "comment": f"Partner request {request.reference} from {partner}: "
                f"{request.get_kind_display()}: {request.subject}"[:1000],
            },
            obj=request,
        )
    request.baseline_versions = {str(a.pk): a.version_no for a in linked}
    request.save(update_fields=["baseline_versions", "updated_at"])
    album = needs_album(request, linked)
    if album:
        outbox.add(
            "canto.create_request_album",
            {"request": request.pk, "name": album_name(request)},
            obj=request,
        )
    record(
        "request.routed_to_canto",
        obj=request,
        after={
            "tagged": [a.canto_id for a in linked],
            "album": album_name(request) if album else None,
            "folder": settings.CANTO_REQUESTS_FOLDER if album else None,
        },
    )


def album_created(message) -> None:
    """Outbox follow-up: remember the album Canto made, and look for content already in it."""
    request = lifecycle.lock(message.payload["request"])
    album_id = str(message.result.get("id", ""))[:64]
    if not album_id or request.canto_album_id == album_id:
        return
    request.canto_album_id = album_id
    request.canto_album_name = str(message.result.get("name", ""))[:255]
    request.save(update_fields=["canto_album_id", "canto_album_name", "updated_at"])
    record(
        "request.album_created",
        obj=request,
        after={"album": request.canto_album_id, "name": request.canto_album_name},
    )
    present = Asset.objects.filter(album_index__contains=album_key(request.canto_album_id)).first()
    if present is not None:
        content_arrived(request, present)


outbox.follow("canto.create_request_album", on_sent=album_created)


def content_arrived(request: PartnerRequest, asset: Asset) -> None:
    """A file for the (locked) request is in Canto: it now waits for approval there."""
    if request.state not in WORKING:
        return
    request.work_asset = asset
    lifecycle.move(
        request,
        S.AWAITING_APPROVAL,
        "request.content_arrived",
        fields=["work_asset"],
        after={"asset": asset.canto_id, "name": asset.name, "version": asset.version_no},
    )


@receiver(assets_written)
def on_assets_written(sender, created, updated, **kwargs) -> None:
    """New files in a request's album: the request awaits approval."""
    by_album: dict[str, Asset] = {}
    for asset in [*created, *updated]:
        for album in asset.albums or ():
            if isinstance(album, dict) and album.get("id"):
                by_album.setdefault(str(album["id"]), asset)
    if not by_album:
        return
    waiting = PartnerRequest.objects.filter(canto_album_id__in=list(by_album), state__in=WORKING)
    for request in waiting.select_for_update():
        content_arrived(request, by_album[request.canto_album_id])


@receiver(catalog_changed)
def on_catalog_changed(sender, assets, **kwargs) -> None:
    """A new version of an asset a request is about: that request awaits approval."""
    versions = {a.pk: a for a in assets}
    about = PartnerRequest.objects.filter(assets__in=list(versions), state__in=WORKING)
    ids = set(about.values_list("pk", flat=True))
    if not ids:
        return
    waiting = PartnerRequest.objects.filter(pk__in=ids, state__in=WORKING).order_by("pk")
    for request in waiting.select_for_update():
        for key, version in (request.baseline_versions or {}).items():
            asset = versions.get(int(key))
            if asset is not None and asset.version_no > version:
                content_arrived(request, asset)
                break


@transaction.atomic
def deliver(user, request: PartnerRequest, asset: Asset | None = None) -> Release:
    """Release the approved file to the partner; the request is delivered once it is live."""
    request = lifecycle.lock(request)
    require(user, request)
    if request.state not in DELIVERABLE:
        raise Conflict("Only an open request can be delivered.")
    asset = asset or request.work_asset
    if asset is None:
        raise ServiceError("Choose the Canto asset to deliver.")
    require_eligible(asset)
    busy = request.delivery_release
    if busy is not None and busy.state in RELEASE_BUSY:
        raise Conflict(f"Delivery release {busy.name} is still {busy.get_state_display().lower()}.")
    release = releases.create(
        user,
        communities=[request.community],
        partners=[request.partner] if request.partner_id else [],
        name=f"{request.reference}: {request.subject or request.get_kind_display()}"[:200],
        instructions=f"Delivered for partner request {request.reference}.",
    )
    releases.add_item(user, release, asset)
    releases.submit(user, release)
    request.delivery_release, request.work_asset = release, asset
    variant = _link_variant(request, asset)
    request.save(update_fields=["delivery_release", "work_asset", "updated_at"])
    after = {"release": release.pk, "asset": asset.canto_id, "version": asset.version_no}
    if variant is not None:
        after["variant_of"] = variant.source.canto_id
    if request.state != S.AWAITING_APPROVAL:
        lifecycle.move(request, S.AWAITING_APPROVAL, "request.delivery_started", after=after)
    else:
        record("request.delivery_started", obj=request, after=after)
    release.refresh_from_db()
    return release


def _link_variant(request: PartnerRequest, asset: Asset) -> LocalisedVariant | None:
    if request.kind != PartnerRequest.Kind.LOCALIZED_VERSION:
        return None
    source = request.assets.exclude(pk=asset.pk).first()
    if source is None:
        return None
    locale = request.locale or asset.language
    variant, _ = LocalisedVariant.objects.update_or_create(
        variant=asset, defaults={"source": source, "locale": locale[:16], "request": request}
    )
    return variant


def delivered_files(request: PartnerRequest) -> list[Publication]:
    if request.delivery_release_id is None:
        return []
    return list(
        Publication.objects.filter(
            release_id=request.delivery_release_id, state=Publication.State.LIVE
        ).select_related("asset", "community")
    )


@receiver(release_moved)
def on_release_moved(sender, release: Release, before: str, after: str, **kwargs) -> None:
    stopped = (Release.State.REJECTED, Release.State.WITHDRAWN, Release.State.EXPIRED)
    if after != Release.State.PUBLISHED and after not in stopped:
        return
    for request in PartnerRequest.objects.filter(delivery_release=release, state__in=DELIVERABLE):
        request = lifecycle.lock(request)
        if request.state not in DELIVERABLE:
            continue
        if after == Release.State.PUBLISHED:
            files = [p.asset.name for p in delivered_files(request)]
            lifecycle.move(
                request,
                S.DELIVERED,
                "request.delivered",
                after={"release": release.pk, "files": files},
                message=_delivery_message(request, files),
            )
        else:
            why = {
                "after": {"release": release.pk, "release_state": after},
                "reason": release.rejection_reason or f"the delivery release was {after}",
            }
            if lifecycle.allowed(request, S.IN_PROGRESS):
                lifecycle.move(
                    request, S.IN_PROGRESS, "request.delivery_stopped", tell_partner=False, **why
                )
            else:
                record("request.delivery_stopped", obj=request, **why)


def _delivery_message(request: PartnerRequest, files: list[str]) -> str:
    from requests_app.wording import state_message

    return state_message(request, files=files, state=S.DELIVERED)
