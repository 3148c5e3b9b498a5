"""Kits for scripts and on pages: ``/api/v1/kits/`` and the kit form, their refusals, and
nothing shown outside the person's communities."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from portal import roles
from portal.models import Kit, Release
from tests.factories import UserFactory
from tests.kit_support import PartnerActions, published
from tests.release_support import canto_asset
from tests.usage_support import partner

pytestmark = pytest.mark.django_db
URL = "/api/v1/kits/"


def as_user(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _later(**delta) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


def test_a_script_creates_a_kit_and_orders_its_files_through_the_release(manager, emea):
    api = as_user(manager)
    created = api.post(
        URL,
        {
            "name": "Summer kit",
            "communities": [emea.pk],
            "publish_at": _later(days=1),
            "deadline": _later(days=8),
            "remind_hours_before": 12,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "draft" and body["remind_hours_before"] == 12
    assert body["requires_acknowledgement"] is True
    release = Release.objects.get(pk=body["release"])
    assert release.kind == Release.Kind.KIT
    assert AuditEvent.objects.filter(action="kit.created").count() == 1

    first, second = canto_asset("Banner.png"), canto_asset("Guide.pdf")
    for asset in (first, second):
        assert (
            api.post(
                f"/api/v1/releases/{release.pk}/items/", {"asset": asset.pk}, format="json"
            ).status_code
            == 201
        )
    item = release.items.get(asset=second)
    moved = api.post(
        f"/api/v1/releases/{release.pk}/items/{item.pk}/move/", {"direction": "up"}, format="json"
    )
    assert moved.status_code == 200
    assert [i["name"] for i in api.get(f"{URL}{body['id']}/").json()["items"]] == [
        "Guide.pdf",
        "Banner.png",
    ]

    changed = api.patch(f"{URL}{body['id']}/", {"deadline": _later(days=9)}, format="json")
    assert changed.status_code == 200
    assert AuditEvent.objects.filter(action="kit.updated").count() == 1


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"deadline": _later(days=-1)}, "The deadline must be in the future."),
        (
            {"deadline": _later(days=2), "publish_at": _later(days=3)},
            "The deadline must come after the launch date.",
        ),
    ],
)
def test_a_deadline_that_makes_no_sense_is_refused_with_a_message(manager, emea, fields, message):
    response = as_user(manager).post(
        URL, {"name": "Kit", "communities": [emea.pk], **fields}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": message}
    assert not Kit.objects.exists() and not Release.objects.exists()


def test_a_missing_deadline_and_unknown_community_are_field_errors(manager, apac):
    response = as_user(manager).post(URL, {"name": "Kit", "communities": [apac.pk]}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"deadline", "communities"}


def test_a_published_kit_cannot_be_edited(manager, reviewer, emea, trading_grid):
    kit = published(manager, reviewer, [emea], [canto_asset()])
    response = as_user(manager).patch(
        f"{URL}{kit.pk}/", {"deadline": _later(days=3)}, format="json"
    )
    assert response.status_code == 409
    assert "only drafts and rejected" in response.json()["detail"]


def test_partners_endpoint_filters_by_progress(manager, reviewer, emea, trading_grid):
    partner("par_a", "Acme Pumps", emea)
    partner("par_b", "Bolt Valves", emea)
    kit = published(manager, reviewer, [emea], [canto_asset()])
    PartnerActions(kit, emea)("par_a", "view", "acknowledge")
    api = as_user(manager)
    rows = api.get(f"{URL}{kit.pk}/partners/").json()["results"]
    assert {(r["partner"]["tg_id"], r["progress"]) for r in rows} == {
        ("par_a", "acknowledged"),
        ("par_b", "not_opened"),
    }
    waiting = api.get(f"{URL}{kit.pk}/partners/", {"progress": "not_opened"}).json()["results"]
    assert [r["partner"]["tg_id"] for r in waiting] == ["par_b"]
    assert api.get(f"{URL}{kit.pk}/partners/", {"progress": "bogus"}).status_code == 400


def test_kits_outside_ones_communities_do_not_exist_for_them(
    client, manager, reviewer, emea, apac, trading_grid, django_user_model
):
    from portal import grants, roles
    from tests.factories import UserFactory

    kit = published(manager, reviewer, [emea], [canto_asset()])
    other = UserFactory(username="olga", role=roles.CONTENT_MANAGER)
    grants.grant_community(other, apac)
    api = as_user(other)
    assert api.get(URL).json()["results"] == []
    assert api.get(f"{URL}{kit.pk}/").status_code == 404
    assert api.get(f"{URL}{kit.pk}/partners/").status_code == 404
    client.force_login(other)
    assert client.get(reverse("kits:detail", args=[kit.pk])).status_code == 404
    assert client.get(reverse("kits:partners-export", args=[kit.pk])).status_code == 404
    export = b"".join(client.get(reverse("kits:export")).streaming_content).decode()
    assert export.count("\n") == 1  # the header only
    nobody = UserFactory(username="nils")
    assert as_user(nobody).get(URL).status_code == 403


def test_the_kit_form_creates_a_kit_or_says_what_is_wrong(client, manager, emea):
    client.force_login(manager)
    base = {
        "name": "Autumn kit",
        "communities": [emea.pk],
        "on_new_version": "review",
        "requires_acknowledgement": "on",
        "remind_hours_before": "24",
    }
    wrong = client.post(
        reverse("kits:create"),
        {**base, "deadline": "2020-01-01T10:00"},
    )
    assert wrong.status_code == 200
    assert "The deadline must be in the future." in wrong.content.decode()
    assert not Kit.objects.exists()
    deadline = (timezone.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    made = client.post(reverse("kits:create"), {**base, "deadline": deadline})
    kit = Kit.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse(
        "releases:add", args=[kit.release_id]
    )
    assert kit.remind_hours_before == 24


def test_the_kit_api_list_costs_the_same_queries_for_few_and_many(
    manager, reviewer, emea, trading_grid
):
    api = as_user(manager)
    published(manager, reviewer, [emea], [canto_asset()])
    with CaptureQueriesContext(connection) as few:
        assert api.get(URL).status_code == 200
    for n in range(3):
        published(manager, reviewer, [emea], [canto_asset(), canto_asset()], name=f"Kit {n}")
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(URL).json()["results"]) == 4
    assert len(many) == len(few)


def test_the_release_page_of_a_draft_kit_orders_its_files_and_links_the_kit(client, manager, emea):
    from portal.kits import services as kits
    from portal.releases import services

    kit = kits.create(
        manager, name="Winter kit", communities=[emea], deadline=timezone.now() + timedelta(days=3)
    )
    first, second = canto_asset("Banner.png"), canto_asset("Post.png")
    for asset in (first, second):
        services.add_item(manager, kit.release, asset)
    client.force_login(manager)
    page = client.get(reverse("releases:detail", args=[kit.release_id])).content.decode()
    assert reverse("kits:detail", args=[kit.pk]) in page
    assert 'aria-label="Move Post.png up"' in page and 'aria-label="Move Banner.png down"' in page

    item = kit.release.items.get(asset=second)
    moved = client.post(
        reverse("releases:move-item", args=[kit.release_id, item.pk]), {"direction": "up"}
    )
    assert moved.status_code == 302
    assert list(kit.release.items.order_by("position").values_list("asset__name", flat=True)) == [
        "Post.png",
        "Banner.png",
    ]
    assert AuditEvent.objects.filter(action="release.item_moved").count() == 1


def test_a_kit_across_communities_shows_each_person_only_their_partners(
    client, manager, reviewer, emea, apac, trading_grid
):
    from portal import grants

    grants.grant_community(reviewer, apac)
    partner("par_e", "Echo EMEA", emea)
    partner("par_z", "Zulu APAC", apac)
    wide = UserFactory(username="wendy", role=roles.CONTENT_MANAGER)
    for place in (emea, apac):
        grants.grant_community(wide, place)
    kit = published(wide, reviewer, [emea, apac], [canto_asset()])
    rows = as_user(manager).get(f"{URL}{kit.pk}/partners/").json()["results"]
    assert [r["partner"]["tg_id"] for r in rows] == ["par_e"]
    client.force_login(manager)
    html = client.get(reverse("kits:detail", args=[kit.pk])).content.decode()
    assert "Echo EMEA" in html and "Zulu APAC" not in html
    export = b"".join(client.get(reverse("kits:partners-export", args=[kit.pk])).streaming_content)
    assert b"par_e" in export and b"par_z" not in export
    everyone = as_user(wide).get(f"{URL}{kit.pk}/partners/").json()["results"]
    assert sorted(r["partner"]["tg_id"] for r in everyone) == ["par_e", "par_z"]


def test_moving_the_launch_after_the_deadline_is_refused(manager, emea):
    from portal.kits import services as kits

    kit = kits.create(
        manager, name="Kit", communities=[emea], deadline=timezone.now() + timedelta(days=3)
    )
    late = {"publish_at": _later(days=5)}
    response = as_user(manager).patch(f"{URL}{kit.pk}/", late, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The deadline must come after the launch date."}
    kit.release.refresh_from_db()
    assert kit.release.publish_at is None
