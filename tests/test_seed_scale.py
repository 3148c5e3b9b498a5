"""seed_scale: a large installation added in bulk that the portal's own pages, roles and audit
verification accept as real; running it again adds as much again and the chain still holds."""

from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit import registry
from audit.models import AuditChainHead, AuditEvent
from audit.services import verify
from portal import grants, roles
from portal.models import Asset, AssetVersion, Community, Partner, Publication, Release
from requests_app.models import PartnerRequest

SIZES = {
    "assets": 300,
    "audit_events": 2000,
    "requests": 100,
    "releases": 60,
    "communities": 6,
    "partners": 40,
}
PASSWORD = "scale-password"
MODELS = (Asset, Release, PartnerRequest, Community, Partner, AuditEvent)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _seed() -> None:
    call_command("seed_scale", **SIZES, verbosity=0)


def _sign_in(client, username: str) -> None:
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, f"{username} could not sign in"


@pytest.fixture
def seeded(db):
    _seed()


@pytest.mark.django_db
def test_it_adds_the_asked_numbers_each_time_and_the_chain_verifies_after_each_run():
    start = _counts()
    _seed()
    once = _counts()
    # The manager's and the reviewer's grant per community, and the run's own "seeded" event.
    grant_events = 2 * SIZES["communities"] + 1
    assert {k: once[k] - start[k] for k in once} == {
        "Asset": 300,
        "Release": 60,
        "PartnerRequest": 100,
        "Community": 6,
        "Partner": 40,
        "AuditEvent": 2000 + grant_events,
    }
    first = verify()
    assert first.intact and first.verified == once["AuditEvent"]

    _seed()
    twice = _counts()
    assert {k: twice[k] - once[k] for k in twice} == {k: once[k] - start[k] for k in once}
    second = verify()
    assert second.intact, second.problem
    assert second.verified == twice["AuditEvent"] == AuditChainHead.objects.get(pk=1).seq
    assert get_user_model().objects.filter(username__startswith="scale-").count() == 4


@pytest.mark.django_db
def test_the_data_looks_like_a_real_installation(seeded):
    assets = Asset.objects.all()
    statuses = Counter(assets.values_list("approval_status", flat=True))
    assert statuses["Approved"] > 200 and len(statuses) >= 3
    assert 20 <= assets.filter(regulated=True).count() <= 80
    assert len(set(assets.values_list("scheme", flat=True))) >= 4
    assert assets.filter(deleted_in_canto=True).exists()
    assert assets.filter(expires_at__isnull=False).exists()
    assert AssetVersion.objects.count() > 300
    years = {a.year for a in assets.values_list("canto_modified", flat=True)}
    assert len(years) >= 3

    releases = Release.objects.prefetch_related("items", "communities")
    assert {r.kind for r in releases} == {"asset"}
    assert len({r.state for r in releases}) >= 6
    for release in releases:
        assert 1 <= len(release.items.all()) <= 5
        assert 1 <= len(release.communities.all()) <= 3
        if release.state == "published":
            assert all(not i.awaits_approval for i in release.items.all())
            assert Publication.objects.filter(release=release, state="live").exists()
        if release.state == "draft":
            assert release.submitted_at is None and not release.reviews.exists()

    requests = PartnerRequest.objects.all()
    assert set(requests.values_list("state", flat=True)) >= {"new", "closed", "in_progress"}
    assert len(set(requests.values_list("kind", flat=True))) >= 5
    open_requests = requests.filter(state__in=PartnerRequest.OPEN_STATES)
    assert open_requests.filter(due_at__lt=timezone.now()).exists()
    assert open_requests.filter(due_at__gt=timezone.now()).exists()


@pytest.mark.django_db
def test_audit_events_name_registered_actions_and_the_seeded_objects_in_time_order(seeded):
    events = list(AuditEvent.objects.order_by("-seq")[: SIZES["audit_events"]])[::-1]
    registered = {name for name, _ in registry.choices()}
    assert {e.action for e in events} <= registered
    times = [e.time for e in events]
    assert times == sorted(times)
    assert (times[-1] - times[0]).days > 2 * 365
    actors = {(e.actor_type, e.actor_name) for e in events}
    assert ("user", "scale-manager") in actors and ("task", "worker") in actors
    assert any(kind == "webhook" for kind, _ in actors)
    releases = set(Release.objects.values_list("pk", flat=True))
    about_releases = [e for e in events if e.object_type == "portal.release"]
    assert about_releases and all(int(e.object_id) in releases for e in about_releases)
    assets = set(Asset.objects.values_list("pk", flat=True))
    about_assets = [e for e in events if e.object_type == "portal.asset"]
    assert about_assets and all(int(e.object_id) in assets for e in about_assets)


@pytest.mark.django_db
def test_each_scale_user_signs_in_and_sees_the_data_of_their_role(client, seeded):
    User = get_user_model()
    manager = User.objects.get(username="scale-manager")
    assert manager.groups.filter(name=roles.CONTENT_MANAGER).exists()
    assert grants.communities_for(manager).count() == Community.objects.count()

    _sign_in(client, "scale-manager")
    catalog = client.get(reverse("catalog:list"))
    assert catalog.status_code == 200 and len(catalog.context["object_list"]) > 0
    found = client.get(reverse("catalog:list"), {"q": "pump"})
    assert all("pump" in a.name or "pump" in a.tag_index for a in found.context["object_list"])
    assert found.context["object_list"]
    queue = client.get(reverse("requests:list"))
    assert queue.status_code == 200 and len(queue.context["object_list"]) > 0
    partner = PartnerRequest.objects.filter(partner__isnull=False).first().partner
    by_partner = client.get(reverse("requests:list"), {"q": partner.company_name})
    assert {r.partner_id for r in by_partner.context["object_list"]} == {partner.pk}
    client.logout()

    _sign_in(client, "scale-reviewer")
    waiting = client.get(reverse("reviews:queue"))
    assert waiting.status_code == 200
    in_review = Release.objects.filter(state="in_review").count()
    assert in_review > 0 and len(waiting.context["object_list"]) == min(in_review, 50)
    client.logout()

    _sign_in(client, "scale-auditor")
    log = client.get(reverse("audit:list"))
    assert log.status_code == 200 and len(log.context["object_list"]) > 0
    client.logout()

    _sign_in(client, "scale-admin")
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_it_refuses_an_installation_on_a_real_canto_with_debug_off(settings):
    settings.DEBUG = False
    settings.CANTO_SANDBOX = False
    before = _counts()
    with pytest.raises(CommandError, match="refuses"):
        _seed()
    assert _counts() == before
    assert not get_user_model().objects.filter(username="scale-admin").exists()
