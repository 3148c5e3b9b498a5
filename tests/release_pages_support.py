"""What the release page tests share: a small partner programme with region grants like the
demo's (manager: NA + EMEA, reviewer: EMEA + APAC), and Trading Grid's answers to outbox
writes applied through the portal's own outbox callbacks (the relay never runs, so no test
reaches the network)."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from integrations.models import OutboxMessage
from integrations.tradinggrid import reconcile
from portal import grants, roles
from portal.models import Community, Membership, Partner, Publication
from portal.releases import services
from tests.factories import AssetFactory, UserFactory


def community(tg_id: str, name: str, region: str, tiers=("Gold", "Silver")) -> Community:
    return Community.objects.create(
        tg_id=tg_id,
        name=name,
        region=region,
        regions=[region],
        region_index=f"|{region}|",
        tiers=list(tiers),
    )


def make_programme(manager, reviewer) -> dict:
    """Communities in three regions, partners, and people granted like the demo's."""
    emea = community("com_emea", "EMEA Resellers", "EMEA")
    na = community("com_na", "North America Distributors", "NA", tiers=("Platinum",))
    apac = community("com_apac", "APAC Integrators", "APAC")
    acme = Partner.objects.create(tg_id="par_acme", company_name="Acme Distribution")
    maple = Partner.objects.create(tg_id="par_maple", company_name="Maple Supply")
    Membership.objects.create(partner=acme, community=emea)
    Membership.objects.create(partner=maple, community=na)
    for region in ("NA", "EMEA"):
        grants.grant_region(manager, region)
    for region in ("EMEA", "APAC"):
        grants.grant_region(reviewer, region)
    rosa = UserFactory(username="rosa", role=roles.COMPLIANCE_REVIEWER)
    grants.grant_region(rosa, "EMEA")
    nina = UserFactory(username="nina", role=roles.COMPLIANCE_REVIEWER)
    grants.grant_region(nina, "APAC")
    return {
        "emea": emea,
        "na": na,
        "apac": apac,
        "acme": acme,
        "maple": maple,
        "rosa": rosa,
        "nina": nina,
    }


def draft(user, name: str, communities, *assets, **fields):
    release = services.create(user, name=name, communities=communities, **fields)
    for asset in assets:
        services.add_item(user, release, asset)
    return release


def submitted(user, name: str, communities, *assets, **fields):
    release = draft(user, name, communities, *assets, **fields)
    return services.submit(user, release)


def approved(manager, reviewer, name: str, communities, *assets, **fields):
    release = submitted(manager, name, communities, *assets, **fields)
    return services.approve(reviewer, release, revision=release.revision)


def regulated_asset(**fields):
    return AssetFactory(regulated=True, category="Safety data sheet", **fields)


def trading_grid_accepts(publication: Publication, tg_id: str) -> None:
    """Trading Grid answered the publish write: the outbox callback makes it live."""
    message = OutboxMessage.objects.get(
        object_type="portal.publication",
        object_id=str(publication.pk),
        operation="tradinggrid.publish",
    )
    message.status, message.result = OutboxMessage.Status.SENT, {"id": tg_id}
    message.save(update_fields=["status", "result"])
    reconcile.on_published(message)


def trading_grid_gives_up(publication: Publication, error: str) -> OutboxMessage:
    """The relay gave the write up after its last attempt."""
    message = OutboxMessage.objects.get(
        object_type="portal.publication", object_id=str(publication.pk)
    )
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.DEAD, attempts=8, last_status=503, last_error=error
    )
    return message


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def page(client, name: str, *args, **query) -> str:
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def shown_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]
