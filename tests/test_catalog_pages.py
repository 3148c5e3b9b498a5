"""The catalog pages, API and export, with the one FilterSet they share."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from portal.models import Album, AssetVersion
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    Album.objects.create(
        canto_id="PP4QV", name="Safety sheets", name_path="/Compliance/Safety sheets"
    )
    sds = AssetFactory(
        name="SDS pump X200 (de).pdf",
        category="Safety data sheet",
        language="de",
        regulated=True,
        tags=["safety"],
        tag_index="|safety|",
        albums=[{"id": "PP4QV", "name": "Safety sheets"}],
        album_index="|pp4qv|",
    )
    logo = AssetFactory(
        name="Logo.png",
        scheme="image",
        category="Brand asset",
        approval_status="Pending",
        region="Global",
    )
    gone = AssetFactory(name="Old flyer.pdf", deleted_in_canto=True)
    AssetVersion.objects.create(asset=sds, no=1, comment="first")
    return {"sds": sds, "logo": logo, "gone": gone}


def _names(response):
    return sorted(a.name for a in response.context["object_list"])


def test_catalog_filters(client, manager, catalog):
    client.force_login(manager)
    url = reverse("catalog:list")
    page = client.get(url).content.decode()
    assert "[invalid name]" not in page and "<span>Album</span>" in page
    assert _names(client.get(url, {"q": "pump"})) == ["SDS pump X200 (de).pdf"]
    assert _names(client.get(url, {"scheme": "image"})) == ["Logo.png"]
    assert _names(client.get(url, {"approval_status": "Pending"})) == ["Logo.png"]
    assert _names(client.get(url, {"regulated": "true"})) == ["SDS pump X200 (de).pdf"]
    assert _names(client.get(url, {"tag": "safety"})) == ["SDS pump X200 (de).pdf"]
    assert _names(client.get(url, {"album": "PP4QV"})) == ["SDS pump X200 (de).pdf"]
    assert _names(client.get(url, {"language": "de"})) == ["SDS pump X200 (de).pdf"]
    assert _names(client.get(url, {"state": "deleted"})) == ["Old flyer.pdf"]
    assert [a.name for a in client.get(url, {"ordering": "name"}).context["object_list"]] == [
        "Logo.png",
        "Old flyer.pdf",
        "SDS pump X200 (de).pdf",
    ]


def test_bad_filter_is_a_form_error_not_a_500(client, manager, catalog):
    client.force_login(manager)
    response = client.get(reverse("catalog:list"), {"changed_since": "soon"})
    assert response.status_code == 200
    assert b"Enter a valid date" in response.content


def test_asset_page_shows_eligibility_versions_and_history(client, reviewer, catalog):
    client.force_login(reviewer)
    sds = client.get(reverse("catalog:detail", args=[catalog["sds"].pk])).content.decode()
    assert "Eligible for release to partners" in sds and "first" in sds and "History" in sds
    logo = client.get(reverse("catalog:detail", args=[catalog["logo"].pk])).content.decode()
    assert "Not eligible for partners: Canto status is Pending, not Approved" in logo


def test_catalog_api_uses_the_same_filters(api_client, manager, catalog):
    api_client.force_authenticate(manager)
    body = api_client.get("/api/v1/assets/", {"regulated": "true"}).json()
    assert [a["name"] for a in body["results"]] == ["SDS pump X200 (de).pdf"]
    assert body["results"][0]["eligible"] is True
    detail = api_client.get(f"/api/v1/assets/{catalog['logo'].pk}/").json()
    assert detail["not_eligible_because"] == "Canto status is Pending, not Approved"
    assert api_client.get("/api/v1/assets/", {"changed_since": "soon"}).status_code == 400


def test_catalog_csv_export_follows_the_filter(client, manager, catalog):
    client.force_login(manager)
    response = client.get(
        reverse("catalog:export"), {"approval_status": "Approved", "state": "present"}
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["name"] for r in rows] == ["SDS pump X200 (de).pdf"]


def test_catalog_list_queries_do_not_grow_with_rows(client, manager):
    client.force_login(manager)
    AssetFactory.create_batch(3)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("catalog:list"))
    AssetFactory.create_batch(30)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("catalog:list"))
    assert len(few) == len(many)


def test_sync_now_needs_the_permission_and_is_audited(client, reviewer, manager):
    client.force_login(reviewer)
    assert client.post(reverse("catalog:sync")).status_code == 403
    client.force_login(manager)
    response = client.post(reverse("catalog:sync"), {"kind": "full"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="catalog.sync_requested")
    assert (event.actor_name, event.after) == ("max", {"full": True})


def test_sync_history_is_for_managers_and_auditors(client, reviewer, auditor):
    client.force_login(reviewer)
    assert client.get(reverse("catalog:syncs")).status_code == 403
    client.force_login(auditor)
    assert client.get(reverse("catalog:syncs")).status_code == 200


def test_portal_admin_sets_the_canto_field_mapping_in_the_admin(client, portal_admin):
    from integrations.models import CantoFieldMapping

    client.force_login(portal_admin)
    add_url = reverse("admin:integrations_cantofieldmapping_add")
    form = client.get(add_url)
    assert form.status_code == 200 and b"Safety data sheet" in form.content  # defaults shown
    response = client.post(
        add_url,
        {
            "category_field": "Asset type",
            "language_field": "Language",
            "region_field": "Market",
            "expiry_field": "",
            "regulated_field": "Legal review",
            "regulated_values": "required",
            "regulated_categories": "Claim",
        },
    )
    assert response.status_code == 302
    assert CantoFieldMapping.current().region_field == "Market"
    assert AuditEvent.objects.filter(
        action="admin.added", actor_name="ada", object_type="integrations.cantofieldmapping"
    ).exists()
    assert client.get(add_url).status_code == 403  # one mapping per installation
