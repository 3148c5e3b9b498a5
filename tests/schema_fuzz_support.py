"""What the schema fuzz test shares: a world with a row of every kind the API serves, the
callers (each role by token, a manager by session cookie with its CSRF token, a signed-in
person without a role, nobody), the real objects each path parameter can name, and the check
that every refusal says why in words."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.test import Client
from rest_framework.authtoken.models import Token
from schemathesis.core.failures import Failure

from audit.models import AuditEvent
from portal import grants, roles
from portal.models import (
    Asset,
    Enrollment,
    FollowUp,
    JobRun,
    Kit,
    OnboardingProgram,
    Partner,
    Release,
    ReleaseItem,
)
from portal.models import Community as CommunityModel
from portal.releases import services as releases
from requests_app import links
from requests_app.models import PartnerRequest, StatusLink
from tests.factories import AssetFactory, UserFactory
from tests.onboarding_support import program_of
from tests.query_count_support import grow, make_world
from tests.release_support import community
from tests.request_pages_support import partner_request

CSRF_SECRET = "schemafuzzcsrfsecret0123456789ab"


@dataclass
class Caller:
    """Who sends a request, and the headers and cookies that say so."""

    name: str
    headers: dict = field(default_factory=dict)
    cookies: dict = field(default_factory=dict)


def by_token(name: str, user) -> Caller:
    token = Token.objects.create(user=user)
    return Caller(name, headers={"Authorization": f"Token {token.key}"})


def by_session(name: str, user) -> Caller:
    """Signed in as the browser is (Swagger UI): session cookie, CSRF cookie and header."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return Caller(
        name,
        headers={"X-CSRFToken": CSRF_SECRET},
        cookies={settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: CSRF_SECRET},
    )


def seed(manager, reviewer, auditor, admin) -> None:
    """Rows of every kind in communities granted to the manager and reviewer, and a community
    granted to neither with a release, a program and a request of its own."""
    world = make_world(manager, reviewer, auditor, admin)
    grow(world, 1)
    hidden = community("com_hidden", "Hidden community", "NA")
    stranger = UserFactory(username="stranger", role=roles.CONTENT_MANAGER)
    grants.grant_community(stranger, hidden)
    asset = AssetFactory(name="Hidden sheet.pdf")
    draft = releases.create(stranger, name="Hidden draft", communities=[hidden])
    releases.add_item(stranger, draft, asset)
    program_of(stranger, hidden, [AssetFactory(name="Hidden deck.pdf")], name="Hidden program")
    request = partner_request(hidden, "Hidden request", assets=[asset])
    links.issue(stranger, request)


def _ids(queryset, field_name: str = "pk") -> list:
    return list(queryset.order_by(field_name).values_list(field_name, flat=True))


def path_choices() -> dict[str, list[dict]]:
    """Per path prefix under ``/api/v1/``, path parameters that name real objects."""
    items = [
        {"id": release_id, "item_id": item_id}
        for release_id, item_id in ReleaseItem.objects.order_by("pk").values_list(
            "release_id", "pk"
        )
    ]
    link_ids = [
        {"id": request_id, "link_id": link_id}
        for request_id, link_id in StatusLink.objects.order_by("pk").values_list("request_id", "pk")
    ]
    simple = {
        "assets": _ids(Asset.objects.all()),
        "communities": _ids(CommunityModel.objects.all()),
        "partners": _ids(Partner.objects.all()),
        "releases": _ids(Release.objects.all()),
        "kits": _ids(Kit.objects.all()),
        "onboarding-programs": _ids(OnboardingProgram.objects.all()),
        "enrollments": _ids(Enrollment.objects.all()),
        "follow-ups": _ids(FollowUp.objects.all()),
        "requests": _ids(PartnerRequest.objects.all()),
        "jobs": _ids(JobRun.objects.all()),
    }
    choices = {prefix: [{"id": pk} for pk in pks] for prefix, pks in simple.items()}
    choices["audit-events"] = [{"seq": seq} for seq in _ids(AuditEvent.objects.all(), "seq")]
    choices["releases/items"] = items
    choices["requests/status-links"] = link_ids
    return choices


def choices_for(path: str, choices: dict[str, list[dict]], most: int = 4) -> list[dict]:
    """A few real objects for the operation's path: the first and last made (the last ones are
    in the community nobody here is granted) and some in between."""
    parts = path.removeprefix("/api/v1/").strip("/").split("/")
    if "{item_id}" in parts:
        found = choices["releases/items"]
    elif "{link_id}" in parts:
        found = choices["requests/status-links"]
    else:
        found = choices.get(parts[0], []) if len(parts) > 1 else []
    if len(found) <= most:
        return found
    step = (len(found) - 1) / (most - 1)
    return [found[round(i * step)] for i in range(most)]


# The message check ------------------------------------------------------------------------------


class NoMessage(Failure):
    """A 4xx answer that does not say in words what was wrong."""

    code = "PORTAL01"
    kind_title = "Refusal without a message"


def _words(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [w for each in value for w in _words(each)]
    if isinstance(value, dict):
        return [w for each in value.values() for w in _words(each)]
    return []


def says_why(response) -> str:
    """What is wrong with a refusal's body: empty when it carries a readable message, that is
    ``{"detail": text}`` or field errors whose every leaf is text."""
    try:
        body = response.json()
    except ValueError:
        return f"body is not JSON: {response.text[:200]!r}"
    if not isinstance(body, dict) or not body:
        return f"body is not an object with a message: {body!r}"
    if "detail" in body:
        detail = body["detail"]
        return "" if isinstance(detail, str) and detail.strip() else f"empty detail: {body!r}"
    words = _words(body)
    leaves_are_text = all(isinstance(w, str) and w.strip() for w in words)
    return "" if words and leaves_are_text else f"field errors without text: {body!r}"


def refusal_says_why(ctx, response, case) -> bool | None:
    """Every 4xx answer carries a human-readable message."""
    if 400 <= response.status_code < 500:
        problem = says_why(response)
        if problem:
            raise NoMessage(operation=case.operation.label, title="No message", message=problem)
    return None
