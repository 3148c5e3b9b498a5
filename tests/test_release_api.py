"""``/api/v1/releases/``: every transition and every refusal, as a script would meet them."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditEvent
from integrations.models import OutboxMessage
from portal import grants, roles
from portal.models import (
    Community,
    JobRun,
    Membership,
    Partner,
    Publication,
    Release,
    ReleaseItem,
    Review,
)
from portal.releases import services
from tests.factories import AssetFactory, UserFactory

URL = "/api/v1/releases/"


def community(name: str, region: str = "EMEA") -> Community:
    return Community.objects.create(tg_id=f"tg-{name}", name=name, region=region, regions=[region])


def member_of(place: Community, name: str) -> Partner:
    partner = Partner.objects.create(tg_id=f"tg-{name}", company_name=name, tier="gold")
    Membership.objects.create(partner=partner, community=place)
    return partner


def events(release: Release, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="portal.release", object_id=str(release.pk), action=action
        )
    )


def act(client, release, action, data=None, etag=None):
    headers = {"If-Match": etag} if etag else {}
    return client.post(f"{URL}{release.pk}/{action}/", data or {}, format="json", headers=headers)


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def emea(db):
    return community("EMEA distributors")


@pytest.fixture
def apac(db):
    return community("APAC resellers", "APAC")


@pytest.fixture
def rex(db):
    return UserFactory(username="rex", role=roles.COMPLIANCE_REVIEWER)


@pytest.fixture
def granted(manager, reviewer, rex, emea):
    for user in (manager, reviewer, rex):
        grants.grant_community(user, emea)


@pytest.fixture
def draft(manager, emea, granted):
    release = services.create(manager, communities=[emea], name="Spring product sheets")
    services.add_item(manager, release, AssetFactory(name="Pump datasheet.pdf", regulated=True))
    release.refresh_from_db()
    return release


@pytest.fixture
def submitted(manager, draft):
    services.submit(manager, draft)
    draft.refresh_from_db()
    return draft


@pytest.fixture
def approved(reviewer, submitted):
    services.approve(reviewer, submitted, revision=submitted.revision)
    submitted.refresh_from_db()
    return submitted


@pytest.mark.django_db
def test_list_and_detail_show_only_releases_in_granted_communities(
    manager, auditor, portal_admin, draft, apac
):
    hidden = services.create(portal_admin, communities=[apac], name="APAC launch")
    assert [r["id"] for r in as_user(manager).get(URL).json()["results"]] == [draft.pk]
    assert as_user(auditor).get(URL).json()["count"] == 0
    assert as_user(portal_admin).get(URL).json()["count"] == 2
    detail = as_user(manager).get(f"{URL}{draft.pk}/")
    assert detail.status_code == 200 and detail["ETag"] == draft.etag
    body = detail.json()
    assert body["state"] == "draft" and body["revision"] == draft.revision
    assert [c["name"] for c in body["communities"]] == ["EMEA distributors"]
    item = body["items"][0]
    asset = draft.items.get().asset
    assert (item["asset"], item["canto_id"], item["version_no"], item["md5"]) == (
        asset.pk,
        asset.canto_id,
        1,
        asset.md5,
    )
    assert item["approved_version_no"] is None and item["eligibility_problem"] == ""
    assert body["publications"]["live"] == 0 and body["created_by"] == "max"
    for path in ("", "preview/"):
        assert as_user(manager).get(f"{URL}{hidden.pk}/{path}").status_code == 404
    assert APIClient().get(URL).status_code == 401


@pytest.mark.django_db
def test_list_uses_the_release_filters(manager, reviewer, submitted, emea):
    other = services.create(manager, communities=[emea], name="Logo refresh")
    client = as_user(reviewer)
    assert [r["id"] for r in client.get(URL, {"state": "in_review"}).json()["results"]] == [
        submitted.pk
    ]
    assert [r["id"] for r in client.get(URL, {"q": "logo"}).json()["results"]] == [other.pk]
    assert client.get(URL, {"regulated": "true"}).json()["count"] == 1
    assert client.get(URL, {"state": "bogus"}).status_code == 400
    assert client.get(URL, {"updated_since": "last week"}).status_code == 400


def _build_releases(count: int, manager, places: list[Community], partner: Partner) -> None:
    for n in range(count):
        release = Release.objects.create(name=f"Release {n}", created_by=manager)
        release.communities.set(places)
        release.partners.set([partner])
        for position in (1, 2):
            asset = AssetFactory()
            ReleaseItem.objects.create(
                release=release, asset=asset, position=position, version_no=1, md5=asset.md5
            )
            pub = Publication.objects.create(
                release=release,
                asset=asset,
                community=places[0],
                version_no=1,
                title=asset.name,
                external_ref=f"r{release.pk}-{asset.pk}",
            )
            OutboxMessage.objects.create(
                operation="tradinggrid.publish",
                payload={},
                idempotency_key=f"k{pub.pk}",
                next_attempt_at=timezone.now(),
                status=OutboxMessage.Status.DEAD,
                object_type="portal.publication",
                object_id=str(pub.pk),
            )
        Review.objects.create(
            release=release, reviewer_name="rita", decision="rejected", reason="no", revision=1
        )


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_the_number_of_releases(manager, emea, granted):
    places = [emea, community("EMEA retail")]
    grants.grant_community(manager, places[1])
    partner = member_of(emea, "Acme Pumps")
    client = as_user(manager)
    client.get(URL)  # warms the per-user permission caches both runs then share
    counts = []
    for more in (3, 27):
        _build_releases(more, manager, places, partner)
        with CaptureQueriesContext(connection) as queries:
            body = client.get(URL, {"page_size": 50}).json()
        counts.append((body["count"], len(queries)))
    assert counts[0][0] == 3 and counts[1][0] == 30
    assert counts[0][1] == counts[1][1]
    first = body["results"][0]
    assert len(first["items"]) == 2 and len(first["communities"]) == 2
    assert first["publications"]["publishing"] == 2 and first["publications"]["failed_writes"] == 2
    assert first["partners"][0]["company_name"] == "Acme Pumps" and first["reviews"]


@pytest.mark.django_db
def test_manager_creates_edits_and_fills_a_release(manager, emea, granted):
    client = as_user(manager)
    partner = member_of(emea, "Acme Pumps")
    created = client.post(
        URL,
        {
            "name": "Summer kit",
            "communities": [emea.pk],
            "partners": [partner.pk],
            "tiers": ["gold"],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    release = Release.objects.get(pk=created.json()["id"])
    assert created["Location"] == f"{URL}{release.pk}/" and created["ETag"] == release.etag
    assert created.json()["partners"][0]["id"] == partner.pk
    assert len(events(release, "release.created")) == 1
    edited = client.patch(
        f"{URL}{release.pk}/",
        {"name": "Summer kit 2"},
        format="json",
        headers={"If-Match": release.etag},
    )
    assert edited.status_code == 200 and edited.json()["name"] == "Summer kit 2"
    assert edited["ETag"] != release.etag
    stale = client.patch(
        f"{URL}{release.pk}/", {"name": "Lost"}, format="json", headers={"If-Match": release.etag}
    )
    assert stale.status_code == 412 and "changed" in stale.json()["detail"]
    kept = client.patch(f"{URL}{release.pk}/", {"communities": [emea.pk]}, format="json").json()
    assert [p["id"] for p in kept["partners"]] == [partner.pk]
    kept = client.patch(f"{URL}{release.pk}/", {"partners": []}, format="json").json()
    assert kept["partners"] == [] and [c["id"] for c in kept["communities"]] == [emea.pk]
    asset = AssetFactory()
    added = client.post(f"{URL}{release.pk}/items/", {"asset": asset.pk}, format="json")
    assert added.status_code == 201 and added.json()["items"][0]["asset"] == asset.pk
    item = added.json()["items"][0]["id"]
    assert client.delete(f"{URL}{release.pk}/items/{item}/").json()["items"] == []
    assert client.delete(f"{URL}{release.pk}/items/{item}/").status_code == 404
    assert len(events(release, "release.item_added")) == 1
    assert len(events(release, "release.item_removed")) == 1
    assert client.put(f"{URL}{release.pk}/", {}, format="json").status_code == 405
    assert client.delete(f"{URL}{release.pk}/").status_code == 405


@pytest.mark.django_db
def test_create_refusals_say_what_is_wrong(manager, reviewer, emea, apac, granted):
    client = as_user(manager)
    retail = community("EMEA retail")
    grants.grant_community(manager, retail)
    stranger = member_of(emea, "Acme Pumps")
    soon = timezone.now() + timedelta(days=2)
    cases = [
        ({"name": "X", "communities": [apac.pk]}, "communities"),
        ({"communities": [emea.pk]}, "name"),
        ({"name": "X", "communities": []}, "communities"),
        ({"name": "X", "communities": ["abc"]}, "communities"),
        ({"name": "X", "communities": emea.pk}, "communities"),
        ({"name": "X", "communities": [emea.pk], "publish_at": "tomorrow"}, "publish_at"),
        ({"name": "X", "communities": [emea.pk], "tiers": "gold"}, "tiers"),
        ({"name": "X", "communities": [emea.pk], "on_new_version": "never"}, "on_new_version"),
        ({"name": "X", "communities": [retail.pk], "partners": [stranger.pk]}, "detail"),
        (
            {"name": "X", "communities": [emea.pk], "publish_at": soon, "expire_at": soon},
            "detail",
        ),
    ]
    for body, field in cases:
        response = client.post(URL, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json(), (body, response.json())
    assert client.post(URL, [1, 2], format="json").status_code == 400
    assert client.post(URL, "{bad json", content_type="application/json").status_code == 400
    refused = as_user(reviewer).post(URL, {"name": "X", "communities": [emea.pk]}, format="json")
    assert refused.status_code == 403
    assert not Release.objects.exists()


@pytest.mark.django_db
def test_items_refusals(manager, reviewer, draft, submitted_other):
    client = as_user(manager)
    items = f"{URL}{draft.pk}/items/"
    draft_asset = AssetFactory(approval_status="In review")
    ineligible = client.post(items, {"asset": draft_asset.pk}, format="json")
    assert ineligible.status_code == 400
    assert ineligible.json()["detail"].endswith("Canto status is In review, not Approved.")
    assert "asset" in client.post(items, {"asset": 999999}, format="json").json()
    assert client.post(items, {"asset": "abc"}, format="json").status_code == 400
    assert client.post(items, {}, format="json").status_code == 400
    again = client.post(items, {"asset": draft.items.get().asset_id}, format="json")
    assert again.status_code == 400 and "already" in again.json()["detail"]
    assert as_user(reviewer).post(items, {"asset": AssetFactory().pk}).status_code == 403
    other_item = submitted_other.items.get()
    assert client.delete(f"{items}{other_item.pk}/").status_code == 404
    late = client.post(f"{URL}{submitted_other.pk}/items/", {"asset": AssetFactory().pk})
    assert late.status_code == 409
    assert client.delete(f"{URL}{submitted_other.pk}/items/{other_item.pk}/").status_code == 409
    frozen = client.patch(f"{URL}{submitted_other.pk}/", {"name": "Y"}, format="json")
    assert frozen.status_code == 409
    assert client.patch(f"{URL}{draft.pk}/", {}, format="json").status_code == 400


@pytest.fixture
def submitted_other(manager, emea, granted):
    release = services.create(manager, communities=[emea], name="Other")
    services.add_item(manager, release, AssetFactory())
    return services.submit(manager, release)


@pytest.mark.django_db
def test_submit_and_its_refusals(manager, reviewer, draft, emea):
    client = as_user(manager)
    assert act(as_user(reviewer), draft, "submit").status_code == 403
    assert act(client, draft, "submit", etag=f'"release-{draft.pk}-0"').status_code == 412
    done = act(client, draft, "submit", etag=draft.etag)
    assert done.status_code == 200 and done.json()["state"] == "in_review"
    assert done.json()["submitted_by"] == "max" and done["ETag"] != draft.etag
    assert len(events(draft, "release.submitted")) == 1
    assert act(client, draft, "submit").status_code == 409
    empty = services.create(manager, communities=[emea], name="Empty")
    refused = act(client, empty, "submit")
    assert refused.status_code == 400 and "at least one asset" in refused.json()["detail"]


@pytest.mark.django_db
def test_reviewer_approves_the_revision_they_saw(reviewer, submitted):
    client = as_user(reviewer)
    seen = client.get(f"{URL}{submitted.pk}/")["ETag"]
    response = act(client, submitted, "approve", etag=seen)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "publishing"
    assert response["ETag"] == f'"release-{submitted.pk}-{body["revision"]}"'
    assert body["reviews"][0]["decision"] == "approved" and body["reviews"][0]["reviewer"] == "rita"
    assert body["items"][0]["approved_version_no"] == 1 and body["publications"]["publishing"] == 1
    assert len(events(submitted, "release.approved")) == 1
    queued = OutboxMessage.objects.get(operation="tradinggrid.publish")
    assert queued.status == OutboxMessage.Status.PENDING and queued.attempts == 0


@pytest.mark.django_db
def test_decisions_need_a_current_if_match(reviewer, submitted):
    client = as_user(reviewer)
    for action, data in (("approve", None), ("reject", {"reason": "Wrong logo"})):
        missing = act(client, submitted, action, data)
        assert missing.status_code == 428 and "If-Match" in missing.json()["detail"]
        assert act(client, submitted, action, data, etag="*").status_code == 428
        old = f'"release-{submitted.pk}-{submitted.revision - 1}"'
        stale = act(client, submitted, action, data, etag=old)
        assert stale.status_code == 412 and "changed" in stale.json()["detail"]
        for wrong in ('"release-999999-1"', "garbage", f'"release-{submitted.pk}-x"'):
            assert act(client, submitted, action, data, etag=wrong).status_code == 412
        both = f'{old}, "release-{submitted.pk}-{submitted.revision}"'
        assert act(client, submitted, action, data, etag=both).status_code == 400
    submitted.refresh_from_db()
    assert submitted.state == "in_review" and not submitted.reviews.exists()


@pytest.mark.django_db
def test_second_reviewer_with_the_same_etag_gets_409(reviewer, rex, submitted):
    first = act(as_user(reviewer), submitted, "approve", etag=submitted.etag)
    second = act(as_user(rex), submitted, "approve", etag=submitted.etag)
    late_reject = act(as_user(rex), submitted, "reject", {"reason": "No"}, etag=submitted.etag)
    assert (first.status_code, second.status_code, late_reject.status_code) == (200, 409, 409)
    assert "decided already" in second.json()["detail"]
    assert len(events(submitted, "release.approved")) == 1 and submitted.reviews.count() == 1


@pytest.mark.django_db
def test_the_submitter_never_decides_even_as_portal_admin(portal_admin, emea):
    client = as_user(portal_admin)
    created = client.post(URL, {"name": "Admin's own", "communities": [emea.pk]}, format="json")
    release = Release.objects.get(pk=created.json()["id"])
    client.post(f"{URL}{release.pk}/items/", {"asset": AssetFactory().pk}, format="json")
    etag = act(client, release, "submit")["ETag"]
    for action, data in (("approve", None), ("reject", {"reason": "Mine"})):
        refused = act(client, release, action, data, etag=etag)
        assert refused.status_code == 403 and "four-eyes" in refused.json()["detail"]
    assert not events(release, "release.approved") and not events(release, "release.rejected")


@pytest.mark.django_db
def test_roles_and_grants_limit_decisions(manager, auditor, reviewer, portal_admin, emea, apac):
    both = services.create(portal_admin, communities=[emea, apac], name="Two regions")
    services.add_item(portal_admin, both, AssetFactory())
    services.submit(portal_admin, both)
    both.refresh_from_db()
    grants.grant_community(reviewer, emea)
    assert as_user(manager).get(f"{URL}{both.pk}/").status_code == 404
    assert act(as_user(reviewer), both, "reject", {"reason": "x"}).status_code == 428
    grants.grant_community(manager, emea)
    assert act(as_user(manager), both, "approve", etag=both.etag).status_code == 403
    assert act(as_user(auditor), both, "approve", etag=both.etag).status_code == 403
    partly = act(as_user(reviewer), both, "approve", etag=both.etag)
    assert partly.status_code == 403 and "may not act on" in partly.json()["detail"]
    assert as_user(reviewer).get(f"{URL}{both.pk}/").status_code == 200


@pytest.mark.django_db
def test_reject_needs_a_reason_and_sends_the_release_back(manager, reviewer, submitted):
    client = as_user(reviewer)
    for data in (None, {"reason": ""}, {"reason": "   "}, {"reason": ["x"]}):
        response = act(client, submitted, "reject", data, etag=submitted.etag)
        assert response.status_code == 400 and "reason" in response.json()
    rejected = act(client, submitted, "reject", {"reason": " Old logo "}, etag=submitted.etag)
    assert rejected.status_code == 200
    assert (
        rejected.json()["state"] == "rejected" and rejected.json()["rejection_reason"] == "Old logo"
    )
    [event] = events(submitted, "release.rejected")
    assert event.reason == "Old logo" and event.actor_name == "rita"
    manager_client = as_user(manager)
    etag = manager_client.patch(f"{URL}{submitted.pk}/", {"name": "Fixed"}, format="json")["ETag"]
    assert act(manager_client, submitted, "submit", etag=etag).json()["state"] == "in_review"


@pytest.mark.django_db
def test_withdraw_and_retry(manager, reviewer, approved):
    client = as_user(manager)
    nothing = act(client, approved, "retry")
    assert nothing.status_code == 400 and "No failed write" in nothing.json()["detail"]
    OutboxMessage.objects.filter(operation="tradinggrid.publish").update(
        status=OutboxMessage.Status.DEAD
    )
    assert client.get(f"{URL}{approved.pk}/").json()["publications"]["failed_writes"] == 1
    assert act(as_user(reviewer), approved, "retry").status_code == 403
    retried = act(client, approved, "retry")
    assert retried.status_code == 202 and retried.json()["retried"] == 1
    assert retried.json()["release"]["publications"]["failed_writes"] == 0 and retried["ETag"]
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING
    assert len(events(approved, "release.publishing_retried")) == 1
    assert act(as_user(reviewer), approved, "withdraw", {"reason": "x"}).status_code == 403
    assert "reason" in act(client, approved, "withdraw").json()
    withdrawn = act(client, approved, "withdraw", {"reason": "Recalled product"})
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    [event] = events(approved, "release.withdrawn")
    assert event.reason == "Recalled product"
    again = act(client, approved, "withdraw", {"reason": "Again"})
    assert again.status_code == 409 and "already withdrawn" in again.json()["detail"]


@pytest.mark.django_db
def test_preview_shows_what_partners_will_see(manager, draft):
    client = as_user(manager)
    response = client.get(f"{URL}{draft.pk}/preview/")
    assert response.status_code == 200 and response["ETag"] == draft.etag
    plan = response.json()
    assert plan["proposed"] is True and plan["revision"] == draft.revision
    [step] = plan["steps"]
    assert step["action"] == "publish" and step["community"]["name"] == "EMEA distributors"
    assert step["asset"]["name"] == "Pump datasheet.pdf" and step["current"] is None
    assert client.get(f"{URL}{draft.pk}/preview/", {"proposed": "false"}).json()["steps"] == []
    assert client.get(f"{URL}{draft.pk}/preview/", {"proposed": "maybe"}).status_code == 400


@pytest.mark.django_db
def test_scripts_use_tokens_and_are_audited_as_such(manager, reviewer, draft):
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=manager).key}")
    assert act(script, draft, "submit").status_code == 200
    [event] = events(draft, "release.submitted")
    assert (event.actor_type, event.actor_name, event.via) == ("api_token", "max", "api")
    bot = APIClient()
    bot.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=reviewer).key}")
    etag = bot.get(f"{URL}{draft.pk}/")["ETag"]
    assert act(bot, draft, "approve", etag=etag).status_code == 200
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token nope")
    assert bad.get(URL).status_code == 401


@pytest.mark.django_db
def test_bad_input_never_gives_a_500(manager, reviewer, draft):
    client = as_user(manager)
    bodies = [None, [], "text", 12, {"reason": {"a": 1}}, {"asset": None}, {"name": None}]
    paths = ["", "items/", "submit/", "withdraw/", "retry/", "approve/", "reject/"]
    for body in bodies:
        for path in paths:
            for who in (client, as_user(reviewer)):
                response = who.post(f"{URL}{draft.pk}/{path}", body, format="json")
                assert response.status_code < 500, (path, body, response.content)
        assert client.patch(f"{URL}{draft.pk}/", body, format="json").status_code < 500
    for path in ("abc/", "999999/", f"{draft.pk}/items/abc/", f"{draft.pk}/nope/"):
        assert client.get(f"{URL}{path}").status_code == 404


@pytest.mark.django_db
def test_openapi_schema_describes_the_release_api(client, tmp_path):
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    approve = paths["/api/v1/releases/{id}/approve/"]["post"]
    assert {"412", "409", "428"} <= set(approve["responses"])
    assert {p["name"]: p.get("required") for p in approve["parameters"]}["If-Match"] is True
    assert "ETag" in approve["responses"]["200"]["headers"]
    assert "requestBody" in paths["/api/v1/releases/{id}/reject/"]["post"]
    assert "delete" in paths["/api/v1/releases/{id}/items/{item_id}/"]


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_one_wins(manager, reviewer, rex, emea, granted):
    release = services.create(
        manager,
        communities=[emea],
        name="Race",
        publish_at=timezone.now() + timedelta(days=30),
    )
    services.add_item(manager, release, AssetFactory())
    release = services.submit(manager, release)
    start, results = threading.Barrier(2), {}

    def decide(user, action, data):
        try:
            start.wait(timeout=10)
            results[user.username] = act(as_user(user), release, action, data, etag=release.etag)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(reviewer, "approve", None)),
        threading.Thread(target=decide, args=(rex, "reject", {"reason": "Too late?"})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    codes = sorted(r.status_code for r in results.values())
    assert codes == [200, 409], {k: r.content for k, r in results.items()}
    decided = events(release, "release.approved") + events(release, "release.rejected")
    assert len(decided) == 1 and Review.objects.filter(release=release).count() == 1
    assert not OutboxMessage.objects.exists()


@pytest.fixture
def redis_down(settings):
    """The broker's and the cache's address answer nothing, as while Redis restarts."""
    from portal.celery import app

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }

    def reconnect(url):
        app._pool = None
        app.amqp._producer_pool = None
        app.conf.broker_url = url

    saved = app.conf.broker_url
    reconnect("redis://127.0.0.1:9/0")
    yield
    reconnect(saved)


@pytest.mark.django_db
def test_an_approval_with_redis_down_is_saved_and_its_writes_wait(
    reviewer, submitted, redis_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = act(as_user(reviewer), submitted, "approve", etag=submitted.etag)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "publishing"
    queued = OutboxMessage.objects.get(operation="tradinggrid.publish")
    assert queued.status == OutboxMessage.Status.PENDING
    unqueued = JobRun.objects.get(task_name="portal.notifications.send_release_notification")
    assert unqueued.state == JobRun.State.FAILED and "Could not be queued" in unqueued.error
