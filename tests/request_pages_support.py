"""What the request page tests share: partner requests as intake would store them, and reading
the queue, its export and the audit trail of a request."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from portal.models import Membership, Partner
from requests_app.models import PartnerRequest
from tests.release_pages_support import csv_rows

K = PartnerRequest.Kind
S = PartnerRequest.State


def partner(tg_id: str = "par_acme", name: str = "Acme Distribution", *, member_of=None) -> Partner:
    found = Partner.objects.get_or_create(tg_id=tg_id, defaults={"company_name": name})[0]
    if member_of is not None:
        Membership.objects.get_or_create(partner=found, community=member_of)
    return found


def partner_request(
    community,
    subject: str = "Updated X200 datasheet",
    *,
    kind: str = K.ASSET_REQUEST,
    state: str = S.NEW,
    due_in: timedelta | None = timedelta(days=5),
    assets=(),
    **fields,
) -> PartnerRequest:
    """A request as intake stores it (no Trading Grid id unless given)."""
    created = PartnerRequest.objects.create(
        community=community,
        kind=kind,
        subject=subject,
        state=state,
        tg_status="new",
        due_at=timezone.now() + due_in if due_in is not None else None,
        **fields,
    )
    if assets:
        created.assets.set(assets)
    return created


def refs(response) -> list[str]:
    """The references of the queue rows, in their order."""
    assert response.status_code == 200, response.status_code
    return [r.reference for r in response.context["object_list"]]


def queue(client, **query) -> list[str]:
    return refs(client.get(reverse("requests:list"), query))


def exported(client, **query) -> list[str]:
    response = client.get(reverse("requests:export"), query)
    assert response.status_code == 200, response.status_code
    return [row["reference"] for row in csv_rows(response)]


def actions_of(req: PartnerRequest) -> list[str]:
    """The request's audit trail, oldest first."""
    return list(
        AuditEvent.objects.filter(object_type="requests_app.partnerrequest", object_id=str(req.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def act(client, req: PartnerRequest, action: str, **values):
    """Post one action form of the request page (fields carry the action as prefix)."""
    data = {f"{action}-{name}": value for name, value in values.items()}
    return client.post(reverse("requests:act", args=[req.pk, action]), data)
