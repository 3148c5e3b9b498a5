"""The usage page, ``/api/v1/usage/`` and the CSV export: one FilterSet, narrowed to the person's
communities, in a number of queries that does not grow with the rows."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import UsageDaily, UsageFields
from tests.factories import UserFactory
from tests.release_support import grant
from tests.usage_support import small_programme

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)


@pytest.fixture
def usage(manager):
    """Usage in both communities; the manager may act on EMEA only."""
    (emea, apac), (acme, bolt, cobalt), (pump, valve), _ = small_programme()
    grant(emea, manager)
    rows = [
        (DAY, pump, 1, emea, acme, 3, 1, 1),
        (DAY, pump, 2, emea, acme, 1, 0, 0),
        (DAY + timedelta(days=1), valve, 1, emea, bolt, 2, 2, 0),
        (DAY, pump, 1, apac, cobalt, 50, 40, 1),  # not the manager's
        (DAY, valve, 1, apac, bolt, 7, 7, 1),  # not the manager's
    ]
    for day, asset, version, community, partner, views, downloads, acks in rows:
        UsageDaily.objects.create(
            day=day,
            asset=asset,
            version_no=version,
            community=community,
            partner=partner,
            views=views,
            downloads=downloads,
            acknowledgements=acks,
        )
    return {"emea": emea, "apac": apac, "pump": pump, "valve": valve, "acme": acme, "bolt": bolt}


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_page_shows_only_the_persons_communities_with_their_totals(client, manager, usage):
    client.force_login(manager)
    response = client.get(reverse("usage:list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Acme Pumps" in page and "Bolt Valves" in page
    assert "Cobalt Trading" not in page and "APAC resellers" not in page
    assert response.context["totals"] == {"views": 6, "downloads": 3, "acknowledgements": 1}
    assert len(response.context["object_list"]) == 3

    filtered = client.get(reverse("usage:list"), {"asset": usage["pump"].pk, "version": 1})
    assert [r.views for r in filtered.context["object_list"]] == [3]
    assert filtered.context["asset"] == usage["pump"]
    by_day = client.get(reverse("usage:list"), {"day_after": "2026-03-03"})
    assert by_day.context["totals"] == {"views": 2, "downloads": 2, "acknowledgements": 0}
    outside = client.get(reverse("usage:list"), {"community": usage["apac"].pk})
    assert not outside.context["object_list"] and outside.context["filter"].errors
    huge = client.get(reverse("usage:list"), {"partner": "9" * 30})
    assert huge.status_code == 200 and not huge.context["object_list"]

    grouped = client.get(reverse("usage:list"), {"group": "asset"})
    sums = {r["asset__name"]: (r["views"], r["downloads"]) for r in grouped.context["object_list"]}
    assert sums == {"Pump X200 brochure.pdf": (4, 1), "Valve V3 datasheet.pdf": (2, 2)}


def test_the_page_is_for_the_roles_that_may_see_usage(client, reviewer, auditor, usage):
    for person in (reviewer, auditor):
        client.force_login(person)
        assert client.get(reverse("usage:list")).status_code == 200
    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("usage:list")).status_code == 403
    assert client.get(reverse("usage:export")).status_code == 403


def test_the_asset_page_shows_its_usage_and_links_to_it(client, manager, usage):
    client.force_login(manager)
    page = client.get(reverse("catalog:detail", args=[usage["pump"].pk])).content.decode()
    assert "<strong>4</strong> views" in page and "<strong>1</strong> downloads" in page
    assert f"{reverse('usage:list')}?asset={usage['pump'].pk}" in page


def test_the_api_lists_filters_groups_and_sums(api_client, manager, usage):
    url = "/api/v1/usage/"
    assert api_client.get(url).status_code == 401
    api_client.force_authenticate(manager)
    listed = api_client.get(url).json()
    assert listed["count"] == 3
    assert {r["community_name"] for r in listed["results"]} == {"EMEA distributors"}
    first = listed["results"][0]
    assert set(first) >= {"day", "asset", "version_no", "partner_tg_id", "views", "downloads"}

    mine = api_client.get(url, {"partner": usage["bolt"].pk}).json()
    assert [(r["partner_name"], r["views"]) for r in mine["results"]] == [("Bolt Valves", 2)]
    per_partner = api_client.get(url, {"group": "partner"}).json()["results"]
    assert per_partner == [
        {
            "partner": usage["acme"].pk,
            "partner_tg_id": "par_a",
            "partner_name": "Acme Pumps",
            "views": 4,
            "downloads": 1,
            "acknowledgements": 1,
        },
        {
            "partner": usage["bolt"].pk,
            "partner_tg_id": "par_b",
            "partner_name": "Bolt Valves",
            "views": 2,
            "downloads": 2,
            "acknowledgements": 0,
        },
    ]
    per_day = api_client.get(url, {"group": "day"}).json()["results"]
    assert [r["day"] for r in per_day] == ["2026-03-03", "2026-03-02"]
    totals = api_client.get(f"{url}totals/", {"asset": usage["pump"].pk}).json()
    assert totals == {"views": 4, "downloads": 1, "acknowledgements": 1}
    assert api_client.get(url, {"group": "everything"}).status_code == 400
    assert api_client.get(url, {"community": usage["apac"].pk}).status_code == 400

    api_client.force_authenticate(UserFactory(username="nobody"))
    assert api_client.get(url).status_code == 403


def test_the_csv_export_follows_the_filter_and_the_grants(client, manager, usage):
    client.force_login(manager)
    rows = _csv(client.get(reverse("usage:export")))
    assert len(rows) == 3 and {r["community"] for r in rows} == {"EMEA distributors"}
    assert set(rows[0]) == {
        "day",
        "asset_id",
        "asset",
        "version",
        "community",
        "partner_tg_id",
        "partner",
        "views",
        "downloads",
        "acknowledgements",
    }
    pump = _csv(client.get(reverse("usage:export"), {"asset": usage["pump"].pk}))
    assert sorted((r["version"], r["views"]) for r in pump) == [("1", "3"), ("2", "1")]
    per_community = _csv(client.get(reverse("usage:export"), {"group": "community"}))
    assert per_community == [
        {
            "community_id": str(usage["emea"].pk),
            "community_name": "EMEA distributors",
            "views": "6",
            "downloads": "3",
            "acknowledgements": "1",
        }
    ]
    refused = client.get(reverse("usage:export"), {"day_after": "yesterday"})
    assert refused.status_code == 302


def test_page_api_and_export_queries_do_not_grow_with_rows(client, api_client, manager, usage):
    client.force_login(manager)
    api_client.force_authenticate(manager)

    def count_queries() -> list[int]:
        counts = []
        for get in (
            lambda: client.get(reverse("usage:list")),
            lambda: api_client.get("/api/v1/usage/"),
            lambda: b"".join(client.get(reverse("usage:export")).streaming_content),
        ):
            with CaptureQueriesContext(connection) as queries:
                get()
            counts.append(len(queries))
        return counts

    count_queries()  # caches of the first request (permissions) filled
    few = count_queries()
    for n in range(30):
        UsageDaily.objects.create(
            day=DAY - timedelta(days=n + 1),
            asset=usage["valve"],
            version_no=1,
            community=usage["emea"],
            partner=usage["acme"],
            views=1,
        )
    assert count_queries() == few


def test_a_portal_admin_names_the_write_back_fields_once(client, portal_admin):
    client.force_login(portal_admin)
    add = reverse("admin:portal_usagefields_add")
    assert client.get(add).status_code == 200
    response = client.post(
        add,
        {
            "downloads_field": "Partner downloads",
            "views_field": "",
            "acknowledgements_field": "",
            "communities_field": "Shared in communities",
        },
    )
    assert response.status_code == 302
    assert UsageFields.current().mapping() == {
        "downloads": "Partner downloads",
        "communities": "Shared in communities",
    }
    assert client.get(add).status_code == 403  # one configuration per installation
    assert client.get(reverse("admin:portal_usagedaily_changelist")).status_code == 200
