"""Demo partner requests: the Trading Grid sandbox's open requests taken in, a few of them
triaged by the demo manager (their albums and tags reach the Canto sandbox through the
worker). Only ``seed_demo`` calls this."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from portal.context import USER, Actor, acting_as
from portal.demo import sandboxes_answering
from requests_app import services
from requests_app.intake import poll
from requests_app.models import PartnerRequest
from requests_app.rules import may_own

TRIAGED = 3


def seed_demo_requests() -> list[PartnerRequest]:
    """Take in the sandbox's requests once; triage a few. Returns the requests triaged now."""
    if PartnerRequest.objects.exists():
        return []
    with sandboxes_answering():
        poll()
    manager = get_user_model().objects.get(username="manager")
    fresh = PartnerRequest.objects.filter(state=PartnerRequest.State.NEW).order_by("pk")
    mine = [r for r in fresh.select_related("community") if may_own(manager, r)][:TRIAGED]
    with acting_as(Actor(USER, manager.get_username(), manager.pk), via="cli"):
        triaged = [services.triage(manager, r) for r in mine]
        if triaged:
            services.ask_partner(
                manager, triaged[-1], "Which product line and language do you need?"
            )
    return triaged
