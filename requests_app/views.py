"""What the request pages share: finding a request the person may see, and row facts.

The pages themselves live in ``queue_views`` (the queue, its export and saved views),
``detail_views`` (a request and its actions), ``link_views`` (status links) and
``findability_views`` (reports and fixes pushed to Canto).
"""

from __future__ import annotations

from django.db.models import Case, CharField, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from portal.grants import may_act_on
from requests_app import sla
from requests_app.models import PartnerRequest
from requests_app.rules import CHANGE, VIEW, visible_requests

__all__ = ["CHANGE", "VIEW", "may_change", "visible_request", "with_standing"]


def visible_request(request, pk: int) -> PartnerRequest:
    """The partner request if the person may see it; 404 otherwise."""
    return get_object_or_404(
        visible_requests(request.user).select_related(
            "community", "partner", "owner", "work_asset", "delivery_release", "opened_from"
        ),
        pk=pk,
    )


def may_change(user, req: PartnerRequest) -> bool:
    return user.has_perm(CHANGE) and may_act_on(user, req.community)


def with_standing(requests: QuerySet[PartnerRequest]) -> QuerySet[PartnerRequest]:
    """Each row's due-date standing (``sla.standing``) in the query itself, not per row."""
    everything = PartnerRequest.objects.all()
    return requests.annotate(
        standing=Case(
            When(pk__in=sla.breached(everything).values("pk"), then=Value("breached")),
            When(pk__in=sla.due_soon(everything).values("pk"), then=Value("due_soon")),
            When(
                state__in=PartnerRequest.OPEN_STATES,
                due_at__isnull=False,
                then=Value("on_track"),
            ),
            default=Value(""),
            output_field=CharField(),
        )
    )
