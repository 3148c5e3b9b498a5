"""Every URL and API endpoint, every role, and an object inside and outside the role's granted
communities: the answer the policy expects, computed from the role's permissions, against the
answer the portal gives. Nobody is let in where the policy says no, and no list, export or page
shows an out-of-grant object to someone who may not see it."""

from collections import Counter

import pytest
from django.db import transaction

from tests.permission_matrix_support import (
    GRANTED,
    POLICY,
    ROLES,
    stale_entries,
    targets,
    unclassified,
)
from tests.permission_matrix_world import build_world, walk

DENIALS = ("login", "denied", "refused", "no such method")


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    found = targets()
    with django_db_blocker.unblock(), transaction.atomic():
        cells = walk(build_world(), [t for t in found if t.policy is not None])
        transaction.set_rollback(True)
    return found, cells


def _lines(cells) -> str:
    return "\n".join(
        f"  {c.method} {c.url} ({c.name}) as {c.role}, {c.side}: {c.actual} [{c.status}]"
        for c in cells
    )


def test_every_url_has_a_policy_and_every_policy_a_url():
    found = targets()
    assert unclassified(found) == [], "URLs without a rule in the permission policy"
    assert stale_entries(found) == [], "policy entries naming URLs that no longer exist"


@pytest.mark.django_db
def test_nobody_is_let_in_where_the_policy_says_no(matrix):
    found, cells = matrix
    summary = Counter("allowed" if c.actual == "allowed" else "refused" for c in cells)
    print(
        f"\npermission matrix: {len(found)} patterns, {len(ROLES)} roles, {len(cells)} cells "
        f"checked, {summary['allowed']} allowed, {summary['refused']} refused "
        f"({dict(Counter(c.actual for c in cells).most_common())})"
    )
    every_pair = {(t.name, role) for t in found for role in ROLES}
    assert {(c.name, c.role) for c in cells} == every_pair
    assert len(cells) >= len(every_pair) > 250 * len(ROLES)
    leaks = [c for c in cells if not c.expected and c.actual == "allowed"]
    denies = [c for c in cells if c.expected and c.actual in DENIALS]
    assert leaks == [], (
        f"{len(leaks)} unexpected allows:\n{_lines(leaks)}\n"
        f"and {len(denies)} unexpected denies:\n{_lines(denies)}"
    )


@pytest.mark.django_db
def test_no_page_list_or_export_shows_an_out_of_grant_object(matrix):
    _, cells = matrix
    leaks = [c for c in cells if c.leak]
    assert leaks == [], f"out-of-grant objects shown:\n{_lines(leaks)}"


@pytest.mark.django_db
def test_narrowed_lists_show_the_granted_rows_and_only_admins_the_others(matrix):
    """The leak check is not vacuous: each narrowed list names the in-grant object, and the
    out-of-grant one exists and reaches the portal admin."""
    _, cells = matrix
    narrowed = [
        c
        for c in cells
        if c.name in POLICY and POLICY[c.name].narrowed and c.expected and c.method == "GET"
    ]
    wrong = [c for c in narrowed if c.shows != (True, c.role == "admin")]
    assert narrowed and wrong == [], f"lists not showing what they should:\n{_lines(wrong)}"


@pytest.mark.django_db
def test_object_pages_are_about_the_object_they_were_given(matrix):
    """Each community-bound URL was filled with the Alpha object on one side and the Bravo
    object on the other: a page let through names the one it was asked about."""
    _, cells = matrix
    pages = [c for c in cells if c.side != "-" and c.method == "GET" and c.actual == "allowed"]
    wrong = [c for c in pages if POLICY[c.name].rule == GRANTED and not c.shows[c.side == "out"]]
    assert pages and wrong == [], f"pages not naming their object:\n{_lines(wrong)}"


@pytest.mark.django_db
def test_whoever_the_policy_lets_in_gets_in(matrix):
    _, cells = matrix
    denies = [c for c in cells if c.expected and c.actual not in ("allowed", "invalid")]
    assert denies == [], f"{len(denies)} unexpected denies:\n{_lines(denies)}"


@pytest.mark.django_db
def test_refusals_come_before_validation(matrix):
    """A POST the policy refuses is refused as such, not turned away as an invalid form."""
    _, cells = matrix
    late = [c for c in cells if not c.expected and c.actual not in DENIALS]
    assert late == [], f"{len(late)} refusals that were not permission refusals:\n{_lines(late)}"


@pytest.mark.django_db
def test_no_cell_answers_with_a_server_error(matrix):
    _, cells = matrix
    errors = [c for c in cells if c.status >= 500 and c.name != "readyz"]
    assert errors == [], f"server errors:\n{_lines(errors)}"
