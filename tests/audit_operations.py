"""Every service operation of the portal, performed on a small prepared world.

``SERVICE_MODULES`` are the modules holding the portal's business rules. Their public
functions are the operations; ``NOT_OPERATIONS`` names the ones that change nothing by
themselves (queries, locks, building blocks run inside an audited caller), each with its reason.
``OPERATIONS`` maps every other one to a preparation that returns the call performing it; the
call returns what the audit trail must name (model instances, or the action for operations on
nothing in particular). ``REFUSALS`` prepares a call the service must refuse.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module

from django.utils import timezone

from integrations.models import OutboxMessage
from portal import roles
from portal.kits import services as kits
from portal.models import Community, Kit, Partner, Release
from portal.releases import services as releases
from requests_app.models import PartnerRequest
from tests.factories import UserFactory
from tests.onboarding_support import approved, member, program_of
from tests.release_support import canto_asset, deliver_all, grant, released
from tests.request_pages_support import partner_request

SERVICE_MODULES = [
    "portal.releases.services",
    "portal.kits.services",
    "portal.onboarding.programs",
    "portal.onboarding.enrollments",
    "portal.onboarding.follow_ups",
    "portal.grants",
    "portal.catalog.services",
    "requests_app.services",
    "requests_app.links",
    "requests_app.saved_views",
    "integrations.outbox",
    "requests_app.intake",
    "requests_app.partner_side",
    "requests_app.lifecycle",
    "integrations.inbox",
    "integrations.syncruns",
    "audit.services",
]

_BUILDING_BLOCK = "runs inside the transaction of an audited caller, which records the event"
NOT_OPERATIONS = {
    "portal.releases.services.new_release": _BUILDING_BLOCK + " (release, kit, program create)",
    "portal.kits.services.check_may_change": "a permission check",
    "portal.kits.services.reminder_due": "a question about a kit's dates",
    "portal.onboarding.programs.lock_program": "takes the program's row lock",
    "portal.onboarding.programs.materials_of": "reads the materials",
    "portal.onboarding.programs.was_approved": "reads the reviews",
    "portal.onboarding.enrollments.iso": "formats a date",
    "portal.onboarding.enrollments.enrollable": "says why nobody can be enrolled",
    "portal.onboarding.enrollments.follow_enrolled": _BUILDING_BLOCK + " (enroll, leave)",
    "portal.onboarding.enrollments.retarget": _BUILDING_BLOCK + " (follow_enrolled)",
    "portal.onboarding.follow_ups.manager_of": "finds a community's manager",
    "portal.onboarding.follow_ups.mail": "e-mails follow-ups create_due has recorded",
    "portal.grants.sees_everything": "a role question",
    "portal.grants.communities_for": "a query",
    "portal.grants.may_act_on": "a query",
    "portal.grants.people_acting_on": "a query",
    "portal.catalog.services.canto_link": "builds a link",
    "portal.catalog.services.fetch_preview": "reads a thumbnail from Canto",
    "portal.catalog.services.unmapped_fields": "reads an asset's fields",
    "requests_app.services.managers_of": "a query",
    "requests_app.links.digest": "hashes a token",
    "requests_app.links.lifetime": "checks a number of days",
    "requests_app.links.url_for": "builds a link",
    "requests_app.links.resolve": "looks a token up",
    "requests_app.saved_views.clean_query": "cleans a query string",
    "requests_app.saved_views.views_of": "a query",
    "integrations.outbox.operation": "registers how an operation is sent, at import",
    "integrations.outbox.follow": "registers a callback, at import",
    "integrations.outbox.pending_for": "a query",
    "integrations.outbox.add": _BUILDING_BLOCK + " (every decision that owes a remote write)",
    "requests_app.intake.kind_of": "translates a request type",
    "requests_app.intake.status_owed": "a query",
    "requests_app.partner_side.partner_actor": "names the partner as an actor",
    "requests_app.partner_side.comment_sent": (
        "links a sent comment to its Trading Grid id; the comment was recorded when written"
    ),
    "requests_app.lifecycle.lock": "takes the request's row lock",
    "requests_app.lifecycle.allowed": "a question about the lifecycle",
    "requests_app.lifecycle.tell": _BUILDING_BLOCK + " (move)",
    "requests_app.lifecycle.post_comment": _BUILDING_BLOCK + " (comment, ask_partner, move)",
    "requests_app.lifecycle.portal_author_id": "formats an id",
    "requests_app.lifecycle.comment_pk_from_author": "parses an id",
    "integrations.inbox.register_handler": "registers a handler, at start-up",
    "integrations.inbox.fingerprint": "hashes an event's identity",
    "integrations.inbox.stalled": "a query",
    "integrations.inbox.accept": (
        "stores a received webhook as it came (the inbox is the record of receipt); "
        "what the event changes is recorded when it is processed"
    ),
    "integrations.inbox.reject": "stores a refused webhook for inspection; it changes nothing",
    "integrations.syncruns.start_run": (
        "takes a sync's lock as a running-run row; what the sync changes is recorded as it "
        "changes it"
    ),
    "integrations.syncruns.keep_failure": (
        "keeps an item a sync could not use on the run's record, for inspection; "
        "it changes nothing the portal shows"
    ),
    "audit.services.object_ref": "names an object",
    "audit.services.history": "a query",
    "audit.services.verify": "reads the chain",
}


def discovered() -> set[str]:
    """Public functions defined in the service modules (not those they import)."""
    found = set()
    for name in SERVICE_MODULES:
        module = import_module(name)
        for attr, value in vars(module).items():
            if inspect.isfunction(value) and value.__module__ == name and not attr.startswith("_"):
                found.add(f"{name}.{attr}")
    return found


@dataclass
class World:
    """The manager and reviewer of EMEA distributors, a second manager, an auditor, a portal
    admin, a faked Trading Grid and helpers making what an operation needs."""

    manager: object
    reviewer: object
    auditor: object
    admin: object
    emea: Community
    trading_grid: object
    settings: object
    on_commit: Callable
    colleague: object = field(init=False)

    def __post_init__(self):
        self.colleague = UserFactory(username="mona", role=roles.CONTENT_MANAGER)
        grant(self.emea, self.colleague)

    def draft(self, assets: int = 1, **values) -> Release:
        release = releases.create(
            self.manager, communities=[self.emea], name="Pump X200 launch", **values
        )
        for _ in range(assets):
            releases.add_item(self.manager, release, canto_asset())
        return release

    def submitted(self) -> Release:
        release = self.draft()
        releases.submit(self.manager, release)
        release.refresh_from_db()
        return release

    def released(self, **values) -> Release:
        return released(self.manager, self.reviewer, [self.emea], [canto_asset()], **values)

    def dead_write(self) -> tuple[Release, OutboxMessage]:
        release = self.released()
        self.settings.OUTBOX_MAX_ATTEMPTS = 1
        self.trading_grid.fail_next(503)
        deliver_all()
        return release, OutboxMessage.objects.get(status=OutboxMessage.Status.DEAD)

    def kit(self, **values) -> Kit:
        return kits.create(
            self.manager,
            name="Spring launch kit",
            communities=[self.emea],
            deadline=values.pop("deadline", timezone.now() + timedelta(days=10)),
            **values,
        )

    def program(self, *, approve: bool = False):
        made = program_of(self.manager, self.emea, [canto_asset()])
        return approved(self.manager, self.reviewer, made) if approve else made

    def partner(self, tg_id: str = "par_acme") -> Partner:
        return member(tg_id, f"Partner {tg_id}", self.emea)

    def request(self, state=PartnerRequest.State.NEW, **fields) -> PartnerRequest:
        return partner_request(self.emea, kind=PartnerRequest.Kind.QUESTION, state=state, **fields)


Prepare = Callable[[World], Callable[[], list]]
OPERATIONS: dict[str, Prepare] = {}
REFUSALS: dict[str, Prepare] = {}


def then(_result, *named) -> list:
    """What the trail must name, once the operation (its result unused) has run."""
    return list(named)


def operation(name: str):
    def register(prepare: Prepare) -> Prepare:
        OPERATIONS[name] = prepare
        return prepare

    return register


def refusal(name: str):
    def register(prepare: Prepare) -> Prepare:
        REFUSALS[name] = prepare
        return prepare

    return register
