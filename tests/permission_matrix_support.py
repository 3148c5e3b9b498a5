"""The permission matrix's policy: every URL the resolver knows, the rule it follows, and the
answer each rule gives a role for an object inside or outside the role's granted communities.

The table says *which rule* a URL follows, never the answer per role: the answer is computed
from the rule and the permissions ``portal/roles.py`` gives each role, so a role that gains or
loses a permission changes the expected matrix by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

from portal import roles

# The rules ---------------------------------------------------------------------------------------
PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed in"  # any signed-in person, whatever their role
PERMISSION = "model permission"  # the role's model permission; the object is not community-bound
GRANTED = "permission + granted community"  # and the object's community is granted (admins: all)
OWN = "permission + own object"  # and the object belongs to the person
STAFF = "Django admin staff"  # the admin site: staff accounts only
SECRET = "shared secret"  # webhooks: refused without the sender's token or signature
LINK = "signed status link"  # anyone holding a valid token; a forged token opens nothing
NOTHING = "names nothing"  # a probe of the admin site that names no page: refused for all

ROLES = ("admin", "manager", "reviewer", "auditor", "no role", "anonymous")
ROLE_GROUPS = {
    "admin": roles.PORTAL_ADMIN,
    "manager": roles.CONTENT_MANAGER,
    "reviewer": roles.COMPLIANCE_REVIEWER,
    "auditor": roles.AUDITOR,
}


@dataclass(frozen=True)
class Policy:
    rule: str
    perm: str | dict[str, str] = ""
    args: dict[str, str] = field(default_factory=dict)
    methods: tuple[str, ...] = ("GET",)
    body: dict[str, str] = field(default_factory=dict)
    audit_content: bool = False  # shows the audit trail, which is whole for whoever reads it
    as_json: bool = False
    narrowed: bool = False  # a list of community-bound rows: Bravo's rows are the test

    def permission(self, method: str) -> str:
        return self.perm.get(method, "") if isinstance(self.perm, dict) else self.perm


def _p(perm, *, obj=None, **more) -> Policy:
    return Policy(PERMISSION, perm, {"pk": obj} if obj else {}, **more)


def _n(perm) -> Policy:
    """A list or export of community-bound rows, narrowed to the person's grants."""
    return Policy(PERMISSION, perm, narrowed=True)


def _g(perm, obj, *, key="pk", **more) -> Policy:
    return Policy(GRANTED, perm, {key: obj, **more.pop("args", {})}, **more)


POST, GET_POST = ("POST",), ("GET", "POST")
AUDIT = "audit.view_auditevent"
JOBS, SYNCS, ASSET = "portal.view_jobrun", "integrations.view_syncrun", "portal.view_asset"
COMMUNITY, PARTNER = "portal.view_community", "portal.view_partner"
VIEW_R, ADD_R, CHANGE_R = "portal.view_release", "portal.add_release", "portal.change_release"
SUBMIT_R, WITHDRAW_R, REVIEW_R = (
    "portal.submit_release",
    "portal.withdraw_release",
    "portal.review_release",
)
VIEW_P, ADD_P, CHANGE_P = (
    "portal.view_onboardingprogram",
    "portal.add_onboardingprogram",
    "portal.change_onboardingprogram",
)
ENROLL, VIEW_E = "portal.enroll_partner", "portal.view_enrollment"
VIEW_F, CHANGE_F = "portal.view_followup", "portal.change_followup"
VIEW_Q, CHANGE_Q = "requests_app.view_partnerrequest", "requests_app.change_partnerrequest"
USAGE = "portal.view_usagedaily"
OUTBOX, MANAGE_OUTBOX = "integrations.view_outboxmessage", "integrations.manage_outbox"

WEB: dict[str, Policy] = {
    "dashboard": Policy(SIGNED_IN, audit_content=True),  # auditors: latest audit events
    "login": Policy(PUBLIC),
    "logout": Policy(PUBLIC, methods=POST),
    "notification-settings": Policy(SIGNED_IN, methods=GET_POST),
    "healthz": Policy(PUBLIC),
    "readyz": Policy(PUBLIC),
    "request_status": Policy(LINK, args={"token": "status_token"}),
    "canto-webhook": Policy(
        SECRET,
        args={"event": "webhook_event"},
        methods=POST,
        body={"secure_token": "wrong_secret", "id": "asset_id", "scheme": "scheme"},
        as_json=True,
    ),
    "tradinggrid-webhook": Policy(
        SECRET, methods=POST, body={"id": "asset_id", "type": "scheme"}, as_json=True
    ),
    "api-schema": Policy(PUBLIC),
    "api-docs": Policy(PUBLIC),
    "jobs": _p(JOBS),
    "job-detail": _p(JOBS, obj="job"),
    "audit:list": _p(AUDIT, audit_content=True),
    "audit:export": _p(AUDIT, audit_content=True),
    "audit:verify": _p(AUDIT, methods=POST),
    "audit:detail": Policy(PERMISSION, AUDIT, {"seq": "audit_event"}, audit_content=True),
    "catalog:list": _p(ASSET),
    "catalog:export": _p(ASSET),
    "catalog:detail": _p(ASSET, obj="asset"),
    "catalog:preview": _p(ASSET, obj="asset"),
    "catalog:releases-export": _p(VIEW_R, obj="asset"),
    "catalog:sync": _p("portal.start_sync", methods=POST),
    "catalog:syncs": _p(SYNCS),
    "catalog:sync-detail": _p(SYNCS, obj="sync_run"),
    "communities:list": _n(COMMUNITY),
    "communities:detail": _g(COMMUNITY, "community"),
    "communities:live-export": _g(COMMUNITY, "community"),
    "communities:partners": _n(PARTNER),
    "communities:partner": _g(PARTNER, "partner"),
    "communities:grants": _p("portal.change_community", methods=GET_POST),
    "communities:export": _n(COMMUNITY),
    "communities:export-partners": _n(PARTNER),
    "releases:list": _n(VIEW_R),
    "releases:export": _n(VIEW_R),
    "releases:create": _p(ADD_R, methods=GET_POST),
    "releases:detail": _g(VIEW_R, "draft"),
    "releases:edit": _g(CHANGE_R, "draft", methods=GET_POST),
    "releases:add": _g(CHANGE_R, "draft", methods=GET_POST),
    "releases:remove-item": _g(CHANGE_R, "draft", args={"item_pk": "draft_item"}, methods=POST),
    "releases:move-item": _g(CHANGE_R, "draft", args={"item_pk": "draft_item"}, methods=POST),
    "releases:submit": _g(SUBMIT_R, "draft", methods=POST),
    "releases:withdraw": _g(WITHDRAW_R, "live", methods=POST),
    "releases:retry": _g(SUBMIT_R, "live", methods=POST),
    "releases:preview": _g(VIEW_R, "draft"),
    "releases:review": _g(REVIEW_R, "in_review"),
    "releases:approve": _g(REVIEW_R, "in_review", methods=POST),
    "releases:reject": _g(REVIEW_R, "in_review", methods=POST),
    "releases:add-asset": Policy(
        GRANTED, CHANGE_R, {"asset_pk": "asset"}, POST, body={"release": "draft"}
    ),
    "reviews:queue": _n(REVIEW_R),
    "kits:list": _n(VIEW_R),
    "kits:export": _n(VIEW_R),
    "kits:create": _p(ADD_R, methods=GET_POST),
    "kits:detail": _g(VIEW_R, "kit"),
    "kits:edit": _g(CHANGE_R, "kit", methods=GET_POST),
    "kits:partners-export": _g(VIEW_R, "kit"),
    "onboarding:list": _n(VIEW_P),
    "onboarding:create": _p(ADD_P, methods=GET_POST),
    "onboarding:detail": _g(VIEW_P, "program"),
    "onboarding:edit": _g(CHANGE_P, "program", methods=GET_POST),
    "onboarding:materials": _g(CHANGE_P, "program", methods=POST),
    "onboarding:add": _g(CHANGE_P, "program", methods=GET_POST),
    "onboarding:remove": _g(CHANGE_P, "program", args={"item_pk": "program_item"}, methods=POST),
    "onboarding:enroll": _g(ENROLL, "program", methods=POST),
    "onboarding:enrollments": _n(VIEW_E),
    "onboarding:export": _n(VIEW_E),
    "onboarding:enrollment": _g(VIEW_E, "enrollment"),
    "onboarding:follow-ups": _n(VIEW_F),
    "onboarding:done": _g(CHANGE_F, "follow_up", methods=POST),
    "requests:list": _n(VIEW_Q),
    "requests:export": _n(VIEW_Q),
    "requests:save-view": _p(VIEW_Q, methods=POST),
    "requests:delete-view": Policy(OWN, VIEW_Q, {"pk": "saved_view"}, POST),
    "requests:findability": _p(VIEW_Q),
    "requests:attach-term": _p(CHANGE_Q, methods=POST),
    "requests:improve": Policy(PERMISSION, CHANGE_Q, {"asset_pk": "asset"}, POST),
    "requests:detail": _g(VIEW_Q, "request"),
    "requests:act": _g(CHANGE_Q, "request", args={"action": "request_action"}, methods=POST),
    "requests:replacement": _g(CHANGE_Q, "request", methods=POST),
    "requests:issue-link": _g(CHANGE_Q, "request", methods=POST),
    "requests:send-link": _g(CHANGE_Q, "request", methods=POST),
    "requests:revoke-link": _g(CHANGE_Q, "request", args={"link_pk": "link"}, methods=POST),
    "usage:list": _n(USAGE),
    "usage:export": _n(USAGE),
    "operations:outbox": _p(OUTBOX),
    "operations:outbox-action": Policy(
        PERMISSION, MANAGE_OUTBOX, {"pk": "outbox", "action": "outbox_action"}, POST
    ),
    "operations:reconcile": _p(MANAGE_OUTBOX, methods=POST),
}

# The API's methods come from the router (each route's action map); the rule says what each
# method needs.
API: dict[str, Policy] = {
    "api:api-root": Policy(SIGNED_IN),
    "api:audit-event-list": _p(AUDIT, audit_content=True),
    "api:audit-event-detail": Policy(PERMISSION, AUDIT, {"seq": "audit_event"}, audit_content=True),
    "api:job-list": _p(JOBS),
    "api:job-detail": _p(JOBS, obj="job"),
    "api:asset-list": _p(ASSET),
    "api:asset-detail": _p(ASSET, obj="asset"),
    "api:community-list": _n(COMMUNITY),
    "api:community-detail": _g(COMMUNITY, "community"),
    "api:partner-list": _n(PARTNER),
    "api:partner-detail": _g(PARTNER, "partner"),
    "api:release-list": _n({"GET": VIEW_R, "POST": ADD_R}),
    "api:release-detail": _g({"GET": VIEW_R, "PATCH": CHANGE_R}, "draft"),
    "api:release-add-item": _g(CHANGE_R, "draft"),
    "api:release-remove-item": _g(CHANGE_R, "draft", args={"item_id": "draft_item"}),
    "api:release-move-item": _g(CHANGE_R, "draft", args={"item_id": "draft_item"}),
    "api:release-submit": _g(SUBMIT_R, "draft"),
    "api:release-approve": _g(REVIEW_R, "in_review"),
    "api:release-reject": _g(REVIEW_R, "in_review"),
    "api:release-withdraw": _g(WITHDRAW_R, "live"),
    "api:release-retry": _g(SUBMIT_R, "live"),
    "api:release-preview": _g(VIEW_R, "draft"),
    "api:kit-list": _n({"GET": VIEW_R, "POST": ADD_R}),
    "api:kit-detail": _g({"GET": VIEW_R, "PATCH": CHANGE_R}, "kit"),
    "api:kit-partners": _g(VIEW_R, "kit"),
    "api:onboarding-program-list": _n({"GET": VIEW_P, "POST": ADD_P}),
    "api:onboarding-program-detail": _g({"GET": VIEW_P, "PATCH": CHANGE_P}, "program"),
    "api:onboarding-program-enroll": _g(ENROLL, "program"),
    "api:onboarding-program-materials": _g(CHANGE_P, "program"),
    "api:enrollment-list": _n(VIEW_E),
    "api:enrollment-detail": _g(VIEW_E, "enrollment"),
    "api:follow-up-list": _n(VIEW_F),
    "api:follow-up-detail": _g(VIEW_F, "follow_up"),
    "api:follow-up-done": _g(CHANGE_F, "follow_up"),
    "api:partner-request-list": _n(VIEW_Q),
    "api:partner-request-detail": _g(VIEW_Q, "request"),
    "api:partner-request-comments": _g({"GET": VIEW_Q, "POST": CHANGE_Q}, "request"),
    "api:partner-request-status-links": _g({"GET": VIEW_Q, "POST": CHANGE_Q}, "request"),
    "api:partner-request-revoke-link": _g(CHANGE_Q, "request", args={"link_id": "link"}),
    **{
        f"api:partner-request-{action}": _g(CHANGE_Q, "request")
        for action in [
            "answer",
            "ask",
            "assign",
            "close",
            "deliver",
            "due",
            "reject",
            "reopen",
            "send-link",
            "start",
            "triage",
        ]
    },
    "api:usage-list": _n(USAGE),
    "api:usage-totals": _p(USAGE),
}

# The Django admin site as a whole: staff only; its own model permissions decide the rest.
# Its login and logout are public, like the portal's; its autocomplete (no model declares
# autocomplete fields), "view on site" (no model has a public page) and catch-all name nothing.
NAMESPACES: dict[str, Policy] = {"admin:": Policy(STAFF)}
ADMIN: dict[str, Policy] = {
    "admin:login": Policy(PUBLIC),
    "admin:logout": Policy(PUBLIC, methods=POST),
    "admin:autocomplete": Policy(NOTHING),
    "admin:view_on_site": Policy(NOTHING),
    "admin:<admin/(?P<url>.*)$>": Policy(NOTHING),
}
POLICY: dict[str, Policy] = {**WEB, **API, **ADMIN}


# The resolver ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """One URL pattern: its name (or route when unnamed), route, parameters and methods."""

    name: str
    route: str
    params: tuple[str, ...]
    api_methods: tuple[str, ...]

    @property
    def policy(self) -> Policy | None:
        if self.name in POLICY:
            return POLICY[self.name]
        return next((p for ns, p in NAMESPACES.items() if self.name.startswith(ns)), None)


def _params(pattern) -> tuple[str, ...]:
    regex = pattern.pattern.regex
    return tuple(regex.groupindex)


def _walk(patterns, namespace: str = "", prefix: str = ""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            for found in _walk(entry.url_patterns, inner, route):
                yield found[0], found[1], _params(entry) + found[2], found[3]
        elif isinstance(entry, URLPattern):
            actions = getattr(entry.callback, "actions", None) or {}
            name = f"{namespace}{entry.name}" if entry.name else f"{namespace}<{route}>"
            # DRF adds "head" to a route's actions once it has served a GET: HEAD answers as
            # GET does, so the matrix checks GET only, whatever ran before it.
            methods = tuple(m.upper() for m in actions if m != "head")
            yield name, route, _params(entry), methods


def targets() -> list[Target]:
    """Every pattern the root URL configuration resolves, API router and admin site included."""
    return [Target(*found) for found in _walk(get_resolver().url_patterns)]


def unclassified(found: list[Target]) -> list[str]:
    return sorted({t.route for t in found if t.policy is None})


def stale_entries(found: list[Target]) -> list[str]:
    names = {t.name for t in found}
    return sorted(name for name in POLICY if name not in names)


# The expected answer ------------------------------------------------------------------------------
def role_permissions(role: str) -> set[str]:
    """What ``portal/roles.py`` gives the role (a portal admin: every permission of its apps)."""
    from django.contrib.auth.models import Permission

    if role == "admin":
        every = Permission.objects.filter(content_type__app_label__in=roles.ADMIN_APPS)
        names = {
            f"{app}.{code}"
            for app, code in every.values_list("content_type__app_label", "codename")
        }
        return names - set(roles.ADMIN_EXCLUDED)
    return set(roles.ROLE_PERMISSIONS.get(ROLE_GROUPS.get(role, ""), []))


def admin_site_refusals(user) -> set[str]:
    """Add and delete pages the admin site's own model admins turn down even for a portal
    admin (mirrored and append-only models)."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    refused = set()
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        if not model_admin.has_add_permission(request):
            refused.add(f"{prefix}_add")
        if not model_admin.has_delete_permission(request):
            refused.add(f"{prefix}_delete")
    return refused


def expected(
    target: Target, method: str, role: str, perms: set[str], side: str, refused=frozenset()
) -> bool:
    """Whether the role may do this to the object on this side ("in" or "out" of its grants);
    ``refused`` are the admin site's pages its model admins turn down for everyone."""
    policy = target.policy
    rule = policy.rule
    if rule == PUBLIC:
        return True
    if rule in (SECRET, NOTHING):
        return False
    if rule == LINK:
        return side == "in"
    if role == "anonymous":
        return False
    if rule == SIGNED_IN:
        return True
    if rule == STAFF:
        return role == "admin" and target.name not in refused
    needed = policy.permission(method)
    if needed not in perms:
        return False
    if rule in (GRANTED, OWN):
        return side == "in" or (rule == GRANTED and role == "admin")
    return True
