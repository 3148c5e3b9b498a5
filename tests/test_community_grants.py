"""Community grants: a manager sees and acts on only what is granted, in every list, page and
API response; grants and revocations are audited."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from portal import grants
from portal.models import Community, Membership, Partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    emea = Community.objects.create(
        tg_id="com_emea", name="EMEA Resellers", region="EMEA", regions=["EMEA"]
    )
    dach = Community.objects.create(
        tg_id="com_dach", name="DACH Partners", region="EMEA", regions=["EMEA"]
    )
    na = Community.objects.create(
        tg_id="com_na", name="North America Distributors", region="NA", regions=["NA"]
    )
    acme = Partner.objects.create(tg_id="par_acme", company_name="Acme Distribution")
    maple = Partner.objects.create(tg_id="par_maple", company_name="Maple Supply")
    Membership.objects.create(partner=acme, community=emea)
    Membership.objects.create(partner=maple, community=na)
    return {"emea": emea, "dach": dach, "na": na, "acme": acme, "maple": maple}


def _names(response):
    return sorted(str(o) for o in response.context["object_list"])


def test_without_grants_a_manager_sees_nothing(client, api_client, manager, world):
    client.force_login(manager)
    assert _names(client.get(reverse("communities:list"))) == []
    assert client.get(reverse("communities:detail", args=[world["na"].pk])).status_code == 404
    assert client.get(reverse("communities:partner", args=[world["maple"].pk])).status_code == 404
    assert _names(client.get(reverse("communities:partners"))) == []
    for export in ("communities:export", "communities:export-partners"):
        rows = b"".join(client.get(reverse(export)).streaming_content).decode().splitlines()
        assert len(rows) == 1  # the header only
    api_client.force_authenticate(manager)
    assert api_client.get("/api/v1/communities/").json()["count"] == 0
    assert api_client.get(f"/api/v1/communities/{world['na'].pk}/").status_code == 404
    assert api_client.get("/api/v1/partners/").json()["count"] == 0


def test_a_community_grant_opens_that_community_only(client, api_client, manager, world):
    grants.grant_community(manager, world["na"])
    client.force_login(manager)
    assert _names(client.get(reverse("communities:list"))) == ["North America Distributors"]
    assert client.get(reverse("communities:detail", args=[world["na"].pk])).status_code == 200
    assert client.get(reverse("communities:detail", args=[world["emea"].pk])).status_code == 404
    assert _names(client.get(reverse("communities:partners"))) == ["Maple Supply"]
    assert client.get(reverse("communities:partner", args=[world["acme"].pk])).status_code == 404
    api_client.force_authenticate(manager)
    assert [c["tg_id"] for c in api_client.get("/api/v1/communities/").json()["results"]] == [
        "com_na"
    ]
    # Filtering by a community one may not see shows nothing, and its name is not offered.
    page = client.get(reverse("communities:partners"), {"community": world["emea"].pk})
    assert _names(page) == [] and "EMEA Resellers" not in page.content.decode()


def test_a_region_grant_opens_every_community_of_the_region(client, reviewer, world):
    grants.grant_region(reviewer, "EMEA", by="ada")
    client.force_login(reviewer)
    assert _names(client.get(reverse("communities:list"))) == ["DACH Partners", "EMEA Resellers"]
    later = Community.objects.create(tg_id="com_nordics", name="Nordics Channel", region="EMEA")
    assert grants.may_act_on(reviewer, later)
    grants.revoke_region(reviewer, "EMEA")
    assert not grants.may_act_on(reviewer, later)


def test_portal_admins_see_every_community(client, portal_admin, world):
    client.force_login(portal_admin)
    assert len(_names(client.get(reverse("communities:list")))) == 3


def test_grants_page_is_for_admins_and_every_grant_is_audited(client, manager, portal_admin, world):
    client.force_login(manager)
    assert client.get(reverse("communities:grants")).status_code == 403
    client.force_login(portal_admin)
    response = client.post(
        reverse("communities:grants"), {"user": manager.pk, "community": world["dach"].pk}
    )
    assert response.status_code == 302 and grants.may_act_on(manager, world["dach"])
    bad = client.post(reverse("communities:grants"), {"user": manager.pk})
    assert bad.status_code == 200 and b"Choose either one community or one region" in bad.content
    client.post(
        reverse("communities:grants"),
        {"action": "revoke", "user_id": manager.pk, "community_id": world["dach"].pk},
    )
    assert not grants.may_act_on(manager, world["dach"])
    actions = list(
        AuditEvent.objects.filter(action__startswith="grant.")
        .order_by("seq")
        .values_list("action", "actor_name")
    )
    assert actions == [("grant.community_granted", "ada"), ("grant.community_revoked", "ada")]


def test_a_region_grant_covers_communities_spanning_several_regions(client, reviewer, world):
    both = Community.objects.create(
        tg_id="com_global",
        name="Global Service Partners",
        region="EMEA",
        regions=["EMEA", "APAC"],
        region_index="|EMEA|APAC|",
    )
    grants.grant_region(reviewer, "APAC")
    assert list(grants.communities_for(reviewer)) == [both]


def test_the_partner_api_names_only_granted_communities(api_client, manager, world):
    Membership.objects.create(partner=world["acme"], community=world["na"])
    grants.grant_community(manager, world["na"])
    api_client.force_authenticate(manager)
    partner = api_client.get(f"/api/v1/partners/{world['acme'].pk}/").json()
    assert partner["communities"] == ["com_na"]


def test_granting_what_is_already_granted_records_nothing(manager, world):
    grants.grant_community(manager, world["na"])
    grants.grant_community(manager, world["na"])
    grants.revoke_region(manager, "LATAM")
    assert AuditEvent.objects.filter(action__startswith="grant.").count() == 1


def test_filter_choices_come_only_from_granted_rows(client, manager, world):
    Partner.objects.filter(pk=world["acme"].pk).update(tier="secret-tier", language="xx")
    grants.grant_community(manager, world["na"])
    client.force_login(manager)
    html = client.get(reverse("communities:partners")).content.decode()
    assert "secret-tier" not in html and ">xx<" not in html
    communities = client.get(reverse("communities:list")).content.decode()
    assert '<option value="NA">' in communities and '<option value="EMEA">' not in communities
