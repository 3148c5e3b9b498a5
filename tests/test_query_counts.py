"""Every list page, API list and CSV export answers in a constant number of queries.

The routes are enumerated from the URL configuration and the API router; a guard fails when a
list route appears that no case covers. One world of rows is built for the module: each route
is asked once to warm up, once with two rows of every kind and once with twelve, and the two
counts must be equal while the larger answer lists more rows.
"""

from __future__ import annotations

import inspect
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import roles
from tests.factories import UserFactory
from tests.query_count_support import (
    World,
    api_lists,
    csv_exports,
    filtered_list_pages,
    grow,
    make_world,
    named_views,
)

FEW, MANY = 2, 12


@dataclass(frozen=True)
class Case:
    route: str
    who: str = "manager"
    args: Callable[[World], list] = lambda world: []
    query: tuple = ()


def _kit(world):
    return [world.anchor_kit.pk]


def _request(world):
    return [world.anchor_request.pk]


# Every batch adds more audit events than a page holds: narrow to a few kinds of them.
AUDIT_QUERY = (
    ("action", "release.rejected"),
    ("action", "request.status_link_issued"),
    ("action", "onboarding.follow_up_created"),
)

_CASES = [
    # API lists and list-shaped actions.
    Case("api:audit-event-list", "auditor", query=AUDIT_QUERY),
    Case("api:job-list"),
    Case("api:asset-list"),
    Case("api:community-list"),
    Case("api:partner-list"),
    Case("api:release-list"),
    Case("api:release-preview", args=lambda w: [w.anchor_draft.pk]),
    Case("api:kit-list"),
    Case("api:kit-partners", args=_kit),
    Case("api:onboarding-program-list"),
    Case("api:enrollment-list"),
    Case("api:follow-up-list"),
    Case("api:partner-request-list"),
    Case("api:partner-request-comments", args=_request),
    Case("api:partner-request-status-links", args=_request),
    Case("api:usage-list"),
    # Pages built on FilteredListView.
    Case("jobs"),
    Case("audit:list", "auditor", query=AUDIT_QUERY),
    Case("catalog:list"),
    Case("catalog:syncs"),
    Case("communities:list"),
    Case("communities:partners"),
    Case("releases:list"),
    Case("reviews:queue", "reviewer"),
    Case("kits:list"),
    Case("onboarding:list"),
    Case("onboarding:enrollments"),
    Case("onboarding:follow-ups"),
    Case("requests:list"),
    Case("usage:list"),
    Case("operations:outbox", "admin"),
    # Function views that list rows.
    Case("dashboard"),
    Case("dashboard", "reviewer"),
    Case("dashboard", "auditor"),
    Case("dashboard", "admin"),
    Case("kits:detail", args=_kit),
    Case("releases:add", args=lambda w: [w.anchor_draft.pk]),
    Case("onboarding:add", args=lambda w: [w.anchor_program.pk]),
    Case("communities:grants", "admin"),
    Case("requests:findability"),
    # CSV exports.
    Case("audit:export", "auditor", query=AUDIT_QUERY),
    Case("catalog:export"),
    Case("catalog:releases-export", args=lambda w: [w.anchor_asset.pk]),
    Case("communities:export"),
    Case("communities:export-partners"),
    Case("communities:live-export", args=lambda w: [w.anchor_community.pk]),
    Case("releases:export"),
    Case("kits:export"),
    Case("kits:partners-export", args=_kit),
    Case("onboarding:export"),
    Case("requests:export"),
    Case("usage:export"),
]
CASES = {f"{case.route}@{case.who}": case for case in _CASES}

# GET actions of the API that answer one figure, not rows.
NOT_LISTS = {"api:usage-totals": "the sums of the filtered usage rows, one object"}
# Function views that list rows without a paginator.
UNPAGINATED_LIST_PAGES = {"dashboard", "communities:grants", "requests:findability"}


def paginated_function_pages() -> set[str]:
    """Function views that page through rows (``Paginator``): list pages too."""
    found = set()
    for name, callback in named_views().items():
        if hasattr(callback, "view_class") or hasattr(callback, "cls"):
            continue
        source = inspect.getsource(inspect.unwrap(callback))
        if "Paginator(" in source:
            found.add(name)
    return found


def _rows(response, body: bytes) -> int:
    kind = response.get("Content-Type", "")
    if "csv" in kind:
        return max(0, len(body.decode().splitlines()) - 1)
    if "json" in kind:
        data = response.json()
        if isinstance(data, dict):
            data = data.get("results", data.get("steps", []))
        return len(data)
    text = body.decode()
    return text.count("<tr") + text.count("<li")


def _ask(client: Client, world: World, case: Case) -> tuple[int, int, list[str], int]:
    client.force_login(getattr(world, case.who))
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        url = reverse(case.route, args=case.args(world))
        response = client.get(url + ("?" + urlencode(case.query) if case.query else ""))
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, _rows(response, body), [q["sql"] for q in queries], len(queries)


def _shape(sql: str) -> str:
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)[:300]


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    """Each case asked with few and with many rows, in one world rolled back at the end."""
    results = {}
    with django_db_blocker.unblock(), transaction.atomic():
        roles.sync_roles()
        world = make_world(
            UserFactory(username="q-manager", role=roles.CONTENT_MANAGER),
            UserFactory(username="q-reviewer", role=roles.COMPLIANCE_REVIEWER),
            UserFactory(username="q-auditor", role=roles.AUDITOR),
            UserFactory(username="q-admin", role=roles.PORTAL_ADMIN, is_staff=True),
        )
        client = Client()
        grow(world, FEW)
        for key, case in CASES.items():
            _ask(client, world, case)  # warm-up: per-process caches
            results[key] = {"few": _ask(client, world, case)}
        grow(world, MANY - FEW)
        for key, case in CASES.items():
            results[key]["many"] = _ask(client, world, case)
        transaction.set_rollback(True)
    return results


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(CASES))
def test_list_answers_in_constant_queries(measured, key):
    few_status, few_rows, few_sql, few_count = measured[key]["few"]
    many_status, many_rows, many_sql, many_count = measured[key]["many"]
    assert (few_status, many_status) == (200, 200)
    assert many_rows > few_rows > 0, (few_rows, many_rows)
    extra = list((Counter(map(_shape, many_sql)) - Counter(map(_shape, few_sql))).items())[:3]
    assert many_count == few_count, f"{few_count} → {many_count} queries; e.g. {extra}"


def test_every_list_route_has_a_case():
    enumerated = (
        api_lists() - set(NOT_LISTS)
        | filtered_list_pages()
        | paginated_function_pages()
        | csv_exports()
        | UNPAGINATED_LIST_PAGES
    )
    covered = {case.route for case in CASES.values()}
    assert enumerated - covered == set(), "list routes without a query-count case"
    assert covered - enumerated == set(), "cases of routes that are no longer lists"
    assert set(NOT_LISTS) <= api_lists()
