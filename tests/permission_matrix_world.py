"""The permission matrix's world and its walk: two communities (Alpha granted to every test user,
Bravo to none of them) with one of everything the URLs take as parameters, a signed-in session
and an API token per role, and every (URL, method, role, object side) asked once. Every object
of a side is named after it ("Alpha matrix draft", "Bravo matrix request"), assets excepted (the
catalog is not community-bound), so a page naming a Bravo object is easy to spot.

Every request runs inside a savepoint that is rolled back, so a POST that is let through (an
approval, a withdrawal) leaves the world as it was for the next cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import ERROR
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from audit.models import AuditEvent
from integrations.models import OutboxMessage, SyncRun
from portal import roles
from portal.models import Community, FollowUp, JobRun, Membership, Partner, UsageDaily
from portal.onboarding import follow_ups
from portal.releases import services as releases
from requests_app import links
from requests_app import services as requests
from requests_app.models import SavedView
from tests.factories import AssetFactory, UserFactory
from tests.kit_support import kit_of
from tests.onboarding_support import approved, enrolled, program_of
from tests.permission_matrix_support import (
    PUBLIC,
    ROLE_GROUPS,
    ROLES,
    STAFF,
    Target,
    admin_site_refusals,
    expected,
    role_permissions,
)
from tests.query_count_support import _go_live as go_live
from tests.release_support import community, grant, released
from tests.request_pages_support import partner_request

REFUSALS = ("does not allow", "may not act on", "four-eyes", "not your")
LOGIN_PATHS = ("/login/", "/admin/login/")


def _side(label: str, region: str, owner, owner_reviewer) -> dict:
    place = community(f"com_pm_{label.lower()}", f"{label} matrix community", region)
    grant(place, owner, owner_reviewer)
    partner = Partner.objects.create(
        tg_id=f"par_pm_{label.lower()}", company_name=f"{label} matrix partner", status="active"
    )
    Membership.objects.create(partner=partner, community=place, active=True)
    asset = AssetFactory(name=f"Sheet {label[0]}-{region}.pdf", region=region)
    draft = releases.create(owner, name=f"{label} matrix draft", communities=[place])
    releases.add_item(owner, draft, asset)
    in_review = releases.create(owner, name=f"{label} matrix review", communities=[place])
    releases.add_item(owner, in_review, asset)
    releases.submit(owner, in_review)
    live = released(owner, owner_reviewer, [place], [asset], name=f"{label} matrix live")
    go_live(live)
    kit = kit_of(owner, owner_reviewer, [place], [asset], name=f"{label} matrix kit")
    program = program_of(owner, place, [asset], name=f"{label} matrix onboarding")
    program = approved(owner, owner_reviewer, program)
    enrollment = enrolled(owner, program, partner, overdue=True)
    follow_ups.create_due()
    request = partner_request(place, f"{label} matrix request", partner=partner, assets=[asset])
    requests.comment(owner, request, f"{label} matrix comment")
    link, token = links.issue(owner, request)
    UsageDaily.objects.create(
        day=timezone.now().date(),
        asset=asset,
        version_no=asset.version_no,
        community=place,
        partner=partner,
        views=3,
    )
    event = AuditEvent.objects.filter(object_type="portal.community", object_id=str(place.pk))
    return {
        "community": place.pk,
        "partner": partner.pk,
        "asset": asset.pk,
        "draft": draft.pk,
        "draft_item": draft.items.get().pk,
        "in_review": in_review.pk,
        "live": live.pk,
        "kit": kit.pk,
        "program": program.pk,
        "program_item": program.release.items.get().pk,
        "enrollment": enrollment.pk,
        "follow_up": FollowUp.objects.filter(enrollment=enrollment).first().pk,
        "request": request.pk,
        "link": link.pk,
        "status_token": token,
        "markers": (f"{label} matrix", f'"{link.hint}"'),
        "audit_event": event.order_by("seq").first().seq,
    }


@dataclass
class World:
    users: dict = field(default_factory=dict)
    sides: dict = field(default_factory=dict)
    shared: dict = field(default_factory=dict)
    saved_views: dict = field(default_factory=dict)
    web: dict = field(default_factory=dict)
    api: dict = field(default_factory=dict)
    perms: dict = field(default_factory=dict)
    admin_refused: set = field(default_factory=set)

    def value(self, key: str, side: str, role: str):
        if key == "saved_view":
            return self.saved_views[role if side == "in" else "owner"]
        if key == "status_token" and side == "out":
            return "forged-" + self.sides["in"][key][7:]
        if key in self.shared:
            return self.shared[key]
        return self.sides["out" if side == "out" else "in"][key]


def build_world() -> World:
    world = World()
    owner = UserFactory(username="pm-owner", role=roles.CONTENT_MANAGER)
    owner_reviewer = UserFactory(username="pm-owner-reviewer", role=roles.COMPLIANCE_REVIEWER)
    world.sides["in"] = _side("Alpha", "EMEA", owner, owner_reviewer)
    world.sides["out"] = _side("Bravo", "APAC", owner, owner_reviewer)
    alpha = Community.objects.get(pk=world.sides["in"]["community"])
    for role in ROLES:
        if role == "anonymous":
            world.users[role] = AnonymousUser()
            world.web[role] = world.api[role] = Client()
            continue
        user = UserFactory(
            username=f"pm-{role.replace(' ', '-')}",
            role=ROLE_GROUPS.get(role),
            is_staff=role == "admin",
        )
        if role != "admin":
            grant(alpha, user)
        world.users[role] = user
        world.web[role] = Client()
        world.web[role].force_login(user)
        key = Token.objects.create(user=user).key
        world.api[role] = Client(HTTP_AUTHORIZATION=f"Token {key}")
        world.saved_views[role] = SavedView.objects.create(user=user, name="Mine", query="").pk
    world.saved_views["owner"] = SavedView.objects.create(user=owner, name="Owner's", query="").pk
    world.saved_views["anonymous"] = world.saved_views["owner"]
    world.perms = {role: role_permissions(role) for role in ROLES}
    world.admin_refused = admin_site_refusals(world.users["admin"])
    world.shared = {
        "job": JobRun.objects.create(task_id="pm-job", task_name="portal.tasks.matrix").pk,
        "sync_run": SyncRun.objects.create(kind=SyncRun.Kind.values[0], lock_key="pm").pk,
        "outbox": OutboxMessage.objects.order_by("pk").first().pk,
        "outbox_action": "retry",
        "request_action": "triage",
        "webhook_event": "new-asset",
        "format": "json",
        "app_label": "portal",
        "object_id": str(alpha.pk),
        "id": str(world.users["admin"].pk),  # the admin's user password page only
        "content_type_id": ContentType.objects.get_for_model(Community).pk,
        "url": "nowhere/",
        "wrong_secret": "not-the-secret",
        "asset_id": "asset-from-nowhere",
        "scheme": "document",
    }
    return world


# Asking one cell --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    name: str
    url: str
    method: str
    role: str
    side: str
    expected: bool
    actual: str
    status: int
    leak: bool
    shows: tuple[bool, bool]  # whether the body names the in-grant and the out-of-grant objects


def _url(target: Target, kwargs: dict) -> str:
    if "<" not in target.name:
        return reverse(target.name, kwargs=kwargs)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), target.route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def _outcome(response, public: bool, wrote: bool, errors: list[str]) -> str:
    status = response.status_code
    redirect = status in (301, 302, 303, 307, 308)
    if redirect and not public and response["Location"].startswith(LOGIN_PATHS):
        return "login"
    if status == 401:
        return "login"
    if status in (403, 404):
        return "denied"
    if status == 405:
        return "no such method"
    if status == 429 or status >= 500:
        return f"status {status}"
    if wrote:
        return "allowed"
    if any(phrase in error for error in errors for phrase in REFUSALS):
        return "refused"
    if errors or status in (400, 409, 422):
        return "invalid"
    return "allowed"


def _messages_of(response) -> list:
    """The messages this request added (not those an earlier cell left in the cookie)."""
    storage = getattr(response.wsgi_request, "_messages", None)
    return list(getattr(storage, "_queued_messages", []))


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def ask(world: World, target: Target, method: str, role: str, side: str) -> Cell:
    policy = target.policy
    api = target.name.startswith("api:")
    kwargs = {p: world.value(policy.args.get(p, p), side, role) for p in target.params}
    body = {k: world.value(v, side, role) for k, v in policy.body.items()}
    client = (world.api if api else world.web)[role]
    client.raise_request_exception = False
    cache.clear()  # throttles and rate limits count per minute; every cell starts afresh
    client.cookies.pop("messages", None)
    with transaction.atomic():
        before = AuditEvent.objects.count()
        as_json = (api or policy.as_json) and method != "GET"
        options = {"content_type": "application/json"} if as_json else {}
        call = getattr(client, method.lower())
        url = _url(target, kwargs)
        response = call(url, body or ({} if method != "GET" else None), **options)
        text = _body(response)
        wrote = method != "GET" and AuditEvent.objects.count() > before
        transaction.set_rollback(True)
    errors = [str(m) for m in _messages_of(response) if m.level >= ERROR]
    actual = _outcome(response, policy.rule == PUBLIC, wrote, errors)
    perms = world.perms[role]
    shows = tuple(any(m in text for m in world.sides[s]["markers"]) for s in ("in", "out"))
    hidden = role == "admin" or (policy.audit_content and "audit.view_auditevent" in perms)
    leak = not hidden and shows[1]
    allowed = expected(target, method, role, perms, side, world.admin_refused)
    return Cell(
        target.name, url, method, role, side, allowed, actual, response.status_code, leak, shows
    )


def walk(world: World, found: list[Target]) -> list[Cell]:
    cells = []
    for target in found:
        policy = target.policy
        methods = target.api_methods or policy.methods
        keys = [policy.args.get(p, p) for p in target.params] + list(policy.body.values())
        sides = ("in", "out") if any(k not in world.shared for k in keys) else ("-",)
        # A page someone is refused is refused to their POST as well, whatever the view does
        # with POSTs when let through.
        probe = () if target.api_methods or "POST" in methods or policy.rule == STAFF else ("POST",)
        for method in methods + probe:
            for role in ROLES:
                for side in sides:
                    if method in probe and expected(target, "GET", role, world.perms[role], side):
                        continue
                    cells.append(ask(world, target, method, role, side))
                    if target.name.endswith("logout") and role != "anonymous":
                        world.web[role].force_login(world.users[role])
    return cells
