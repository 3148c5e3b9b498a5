"""What the partner request tests share: the two sandboxes synced into the portal, requests
opened by a partner in the Trading Grid sandbox, and the outbox delivered to both sandboxes."""

from __future__ import annotations

from dataclasses import dataclass

from integrations.canto.client import CantoClient
from integrations.canto.runs import refresh_asset, run_catalog_sync
from integrations.tradinggrid.client import TradingGridClient
from integrations.tradinggrid.sync import run_partner_sync
from portal import grants
from portal.models import Asset, Community, Partner
from requests_app.intake import refresh_request
from requests_app.models import PartnerRequest
from tests.release_support import deliver_all, owed


@dataclass
class Programme:
    """The sandboxes' communities, partners and catalog, as the portal knows them."""

    canto: object
    tradinggrid: object
    community: Community
    partner: Partner

    def open(self, kind: str = "localization", **fields) -> PartnerRequest:
        """A partner opens a request in Trading Grid; the portal takes it in."""
        body = {
            "community_id": self.community.tg_id,
            "partner_id": self.partner.tg_id,
            "type": kind,
            "subject": fields.pop("subject", "Pump X200 brochure"),
            **fields,
        }
        created = self.tradinggrid.control("POST", "requests", body)
        refresh_request(created["id"])
        return PartnerRequest.objects.get(tg_id=created["id"])

    def source_asset(self) -> Asset:
        return (
            Asset.objects.filter(approval_status="Approved", deleted_in_canto=False)
            .exclude(language="de")
            .order_by("pk")
            .first()
        )

    def upload(self, album: str, name: str, *, language: str = "de", status: str = "Pending"):
        """The content team drops a file into an album in Canto; the webhook's refresh follows."""
        created = self.canto.control(
            "POST",
            "assets",
            {
                "name": name,
                "album": album,
                "approvalStatus": status,
                "additional": {"Language": language, "Category": "Brochure"},
            },
        )
        refresh_asset(created["scheme"], created["id"])
        return Asset.objects.get(canto_id=created["id"])

    def approve_in_canto(self, asset: Asset) -> Asset:
        self.canto.control("POST", f"assets/{asset.canto_id}/status", {"status": "Approved"})
        refresh_asset(asset.scheme, asset.canto_id)
        asset.refresh_from_db()
        return asset

    def tg_request(self, request: PartnerRequest) -> dict:
        return TradingGridClient.from_settings().request(request.tg_id)

    def tg_comments(self, request: PartnerRequest) -> list[dict]:
        return list(TradingGridClient.from_settings().comments(request.tg_id))

    def canto_asset(self, asset: Asset) -> dict:
        return CantoClient.from_settings().get_asset(asset.scheme, asset.canto_id)

    def partner_sets_status(self, request: PartnerRequest, status: str) -> PartnerRequest:
        self.tradinggrid.control("POST", f"requests/{request.tg_id}/status", {"status": status})
        refresh_request(request.tg_id)
        request.refresh_from_db()
        return request


def programme(canto, tradinggrid, *people) -> Programme:
    run_partner_sync(full=True)
    run_catalog_sync(full=True)
    for community in Community.objects.all():
        for person in people:
            grants.grant_community(person, community)
    partner = (
        Partner.objects.filter(memberships__active=True, contacts__isnull=False)
        .order_by("pk")
        .first()
    )
    community = partner.communities.order_by("pk").first()
    return Programme(canto, tradinggrid, community, partner)


def relay() -> int:
    """Every write the portal owes, sent to the sandboxes as the relay sends them, including
    the writes that sending others leads to (a publication that delivers a request)."""
    sent = 0
    for _ in range(10):
        if not owed():
            return sent
        sent += deliver_all().get("sent", 0)
    raise AssertionError(f"the outbox does not settle: {owed()}")
