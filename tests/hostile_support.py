"""The portal's state-changing endpoints, found by walking the URL resolver, a small world of
real objects to aim them at, and a snapshot of every table to prove nothing was written.

An endpoint is every non-API URL pattern whose view answers an unsafe method: a class-based view
with a handler for it, a function restricted by ``require_POST``/``require_http_methods`` to a
list that includes it, or a plain function view (Django lets those answer every method). The
field names posted to each one are read from the forms of the portal's own pages.
"""

from __future__ import annotations

import inspect
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone

from audit.models import AuditEvent
from integrations.models import OutboxMessage, SyncRun
from portal.kits import services as kits
from portal.models import JobRun
from requests_app import links
from requests_app.models import SavedView
from tests.factories import AssetFactory, UserFactory
from tests.onboarding_support import program_of
from tests.release_pages_support import community, draft
from tests.request_pages_support import partner, partner_request

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Tables that legitimately change on any request of a signed-in person: the session itself
# and django-axes' record of sign-in attempts (written by design when a sign-in fails).
VOLATILE = {"sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}


@dataclass
class Endpoint:
    name: str
    route: str
    url: str
    methods: set[str]
    csrf_exempt: bool
    fields: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)

    def __str__(self) -> str:
        return f"{self.name or self.route} {self.url}"


def walk(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    """(route, name, callback) of every URL pattern, includes flattened."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace) if n)
            yield from walk(pattern, route, inner)
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield route, name or "", pattern.callback


def unsafe_methods(callback) -> set[str]:
    """The unsafe methods the view answers, read from the view itself."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        names = {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
        return names & UNSAFE
    layer = callback
    while layer is not None:
        if getattr(layer, "__closure__", None):
            allowed = inspect.getclosurevars(layer).nonlocals.get("request_method_list")
            if allowed is not None:
                return set(allowed) & UNSAFE
        layer = getattr(layer, "__wrapped__", None)
    return set(UNSAFE)


def world(admin) -> dict[str, object]:
    """One of each object the portal's pages act on, created through the services."""
    emea = community("com_emea", "EMEA Resellers", "EMEA")
    acme = partner(member_of=emea)
    sheet, banner = AssetFactory(), AssetFactory()
    release = draft(admin, "Spring sheets", [emea], sheet, banner)
    kit = kits.create(
        admin, name="Spring kit", communities=[emea], deadline=timezone.now() + timedelta(days=9)
    )
    program = program_of(admin, emea, [sheet])
    request = partner_request(emea, partner=acme)
    link, _ = links.issue(admin, request)
    return {
        "community": emea,
        "partner": acme,
        "asset": sheet,
        "release": release,
        "release_item": release.items.first(),
        "kit": kit,
        "program": program,
        "program_item": program.release.items.first(),
        "request": request,
        "link": link,
        "saved_view": SavedView.objects.create(user=admin, name="Mine", query="state=new"),
        "job": JobRun.objects.create(task_id=uuid.uuid4().hex, task_name="portal.tasks.x"),
        "sync": SyncRun.objects.create(
            kind=SyncRun.Kind.CANTO_FULL, lock_key="canto", state=SyncRun.State.SUCCEEDED
        ),
        "outbox": OutboxMessage.objects.create(
            operation="tradinggrid.publish",
            idempotency_key=uuid.uuid4().hex,
            next_attempt_at=timezone.now(),
            status=OutboxMessage.Status.DEAD,
            object_type="portal.release",
            object_id=str(release.pk),
        ),
        "event": AuditEvent.objects.order_by("seq").last(),
        "user": UserFactory(username="someone"),
    }


# Which object a URL argument names, by the namespace (or name) of the pattern.
OWNERS = {
    "job-detail": "job",
    "audit": "event",
    "catalog": "asset",
    "catalog:sync-detail": "sync",
    "communities": "community",
    "communities:partner": "partner",
    "releases": "release",
    "kits": "kit",
    "onboarding": "program",
    "requests": "request",
    "requests:delete-view": "saved_view",
    "operations": "outbox",
}
OTHERS = {
    "asset_pk": "asset",
    "link_pk": "link",
    "item_pk": {"releases": "release_item", "onboarding": "program_item"},
}
WORDS = {"action": "retry", "event": "asset", "app_label": "portal", "url": "nothing/"}


def argument(name: str, kwarg: str, callback, objects: dict) -> str:
    namespace = name.split(":")[0]
    if kwarg in ("pk", "seq"):
        owner = OWNERS.get(name) or OWNERS.get(namespace)
        if owner:
            found = objects[owner]
            return str(found.seq if kwarg == "seq" else found.pk)
    if kwarg in OTHERS:
        owner = OTHERS[kwarg]
        owner = owner.get(namespace) if isinstance(owner, dict) else owner
        if owner:
            return str(objects[owner].pk)
    if kwarg == "object_id":
        model_admin = getattr(callback, "model_admin", None)
        model = model_admin.model if model_admin else None
        found = model.objects.order_by("pk").first() if model else None
        return str(found.pk) if found else "1"
    return WORDS.get(kwarg, "1")


def fill(route: str, name: str, callback, objects: dict) -> str:
    """A concrete URL for a route, with the world's objects in its arguments."""

    def value(match: re.Match) -> str:
        return argument(name, match.group("kwarg"), callback, objects)

    url = re.sub(r"<(?:\w+:)?(?P<kwarg>\w+)>", value, route)
    url = re.sub(r"\(\?P<(?P<kwarg>\w+)>[^)]*\)", value, url)
    return "/" + url.replace("^", "").replace("$", "").replace("\\", "")


class _Forms(HTMLParser):
    """The POST forms of a page: action and the names of their fields (and file fields)."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url, self.forms, self._current = page_url, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = (attrs.get("action") or self.page_url, set(), set())
            self.forms.append(self._current)
        elif tag in ("input", "textarea", "select") and self._current and attrs.get("name"):
            kind = (attrs.get("type") or "").lower()
            self._current[2 if kind == "file" else 1].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def endpoints(admin) -> list[Endpoint]:
    """Every non-API endpoint answering an unsafe method, with the fields its forms post."""
    objects = world(admin)
    found, pages = [], []
    for route, name, callback in walk():
        if route.startswith("api/"):
            continue
        url = fill(route, name, callback, objects)
        if not route.startswith("admin/") or route.endswith(("/add/", "/change/")):
            pages.append(url)  # the admin's forms are on its add and change pages
        methods = unsafe_methods(callback)
        if methods:
            exempt = getattr(callback, "csrf_exempt", False)
            found.append(Endpoint(name, route, url, methods, exempt))
    by_route = {endpoint.route: endpoint for endpoint in found}
    by_url = {endpoint.url: endpoint for endpoint in found}
    browser = Client()
    browser.force_login(admin)
    for page in pages:
        answer = browser.get(page)
        if answer.status_code != 200 or "html" not in answer.get("Content-Type", ""):
            continue
        parser = _Forms(page)
        parser.feed(answer.content.decode(errors="replace"))
        for action, names, files in parser.forms:
            try:
                match = resolve(urlsplit(action).path)
            except Resolver404:
                continue
            known = by_route.get(match.route)
            if known is None:
                continue
            path = urlsplit(action).path
            endpoint = by_url.get(path)
            if endpoint is None:
                endpoint = Endpoint(known.name, known.route, path, known.methods, known.csrf_exempt)
                by_url[path] = endpoint
                found.append(endpoint)
            endpoint.fields |= names - {"csrfmiddlewaretoken"}
            endpoint.files |= files
    return found


def snapshot() -> dict[str, list]:
    """Every row of every table the portal owns (sessions and sign-in records aside)."""
    return {
        model._meta.label_lower: list(model._default_manager.order_by("pk").values_list())
        for model in _tables()
    }


def counts() -> dict[str, int]:
    """The number of rows of every such table, in one query."""
    tables = [model._meta.db_table for model in _tables()]
    quote = connection.ops.quote_name
    # Table names come from the models, quoted by the backend; nothing here is user input.
    sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {quote(t)}" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def _tables():
    for model in apps.get_models():
        meta = model._meta
        if meta.label_lower not in VOLATILE and meta.managed and not meta.proxy:
            yield model


def changed(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]
