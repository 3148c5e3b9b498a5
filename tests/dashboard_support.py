"""What the dashboard tests share: publications, requests and owed writes placed in a week."""

import uuid
from datetime import datetime, time, timedelta

from django.utils import timezone

from integrations.models import OutboxMessage
from portal import dashboard_data
from portal.models import Publication
from requests_app.models import PartnerRequest
from tests.factories import AssetFactory
from tests.request_pages_support import partner_request


def at(weeks_ago: int, days: float = 2) -> datetime:
    """A moment in the week ``weeks_ago`` weeks before this one (``days`` after its Monday)."""
    monday = dashboard_data.week_starts()[-1] - timedelta(weeks=weeks_ago)
    return timezone.make_aware(datetime.combine(monday, time(12))) + timedelta(days=days)


def live(community, when, **fields) -> Publication:
    return Publication.objects.create(
        asset=AssetFactory(),
        community=community,
        version_no=1,
        title=fields.pop("title", "Product sheet"),
        external_ref=uuid.uuid4().hex,
        state=Publication.State.LIVE,
        published_at=when,
        **fields,
    )


def delivered(community, received, took_days: float) -> PartnerRequest:
    made = partner_request(community, state=PartnerRequest.State.DELIVERED)
    PartnerRequest.objects.filter(pk=made.pk).update(
        received_at=received, delivered_at=received + timedelta(days=took_days)
    )
    return made


def received(community, when, **fields) -> PartnerRequest:
    made = partner_request(community, **fields)
    PartnerRequest.objects.filter(pk=made.pk).update(received_at=when)
    return made


def owed_write(obj, status) -> OutboxMessage:
    return OutboxMessage.objects.create(
        operation="tradinggrid.publish",
        idempotency_key=uuid.uuid4().hex,
        next_attempt_at=timezone.now(),
        status=status,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
    )
