"""The Trading Grid client against the Trading Grid sandbox over real HTTP."""

import time

import pytest

from integrations.http import ClientError, TransientError
from integrations.tradinggrid.client import TradingGridClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(tradinggrid):
    return TradingGridClient.from_settings()


def _publication(**changes):
    return {
        "title": "Pump X200 safety data sheet",
        "summary": "Current approved version",
        "type": "asset",
        "files": [
            {
                "name": "SDS-X200.pdf",
                "mime_type": "application/pdf",
                "size": 1234,
                "md5": "9e107d9d372bb6826bd81d3542a419d6",
                "source_url": "https://canto.example/direct/x",
            }
        ],
        "audience": {"partner_ids": [], "tiers": [], "regions": []},
        "requires_acknowledgement": False,
        "external_ref": "asset:1:v2",
        "version": "2",
        **changes,
    }


def test_token_is_cached_and_renewed_after_a_401(tradinggrid, client):
    list(client.communities())
    list(client.communities())
    tradinggrid.control("POST", "tokens/revoke")
    assert len(list(client.communities())) >= 8
    assert tradinggrid.stats()["POST /tenants/{tenant_id}/oauth2/token"] == 2


def test_cursor_pagination_reads_every_partner_once(tradinggrid, settings):
    settings.TRADINGGRID_PAGE_SIZE = 5
    client = TradingGridClient.from_settings()
    community = next(iter(client.communities()))
    partners = list(client.community_partners(community["id"]))
    assert len(partners) == len({p["id"] for p in partners}) > 5
    pages = tradinggrid.stats()["GET /ac/v1/communities/{id}/partners"]
    assert pages == -(-len(partners) // 5) or pages == len(partners) // 5 + 1


def test_a_write_repeated_with_its_key_creates_one_object(tradinggrid, client):
    community = next(iter(client.communities()))["id"]
    first = client.publish(community, _publication(), key="release-1-asset-1")
    again = client.publish(community, _publication(), key="release-1-asset-1")
    assert first["id"] == again["id"]
    published = tradinggrid.control("GET", f"publications?community_id={community}")
    assert len(published) == 1


def test_a_reused_key_with_another_body_is_refused_with_field_errors(tradinggrid, client):
    community = next(iter(client.communities()))["id"]
    client.publish(community, _publication(), key="k-1")
    with pytest.raises(ClientError) as caught:
        client.publish(community, _publication(title="Something else"), key="k-1")
    assert caught.value.status == 422
    with pytest.raises(ClientError) as invalid:
        client.publish(community, _publication(title="", files=[]), key="k-2")
    assert invalid.value.status == 422
    assert {field for field, _ in invalid.value.field_errors} >= {"title"}


def test_a_timed_out_write_retried_with_its_key_does_not_duplicate(tradinggrid, settings):
    settings.TRADINGGRID_READ_TIMEOUT = 1.0
    client = TradingGridClient.from_settings()
    community = next(iter(client.communities()))["id"]
    # The first attempt is answered too late: the client gives up on it and retries, while
    # the sandbox still performs the first write.
    tradinggrid.faults(script=[{"delay": 2, "path_prefix": "/ac/v1/communities/"}])
    created = client.publish(community, _publication(), key="slow-answer")
    time.sleep(2.5)
    published = tradinggrid.control("GET", f"publications?community_id={community}")
    assert [p["id"] for p in published] == [created["id"]]


def test_a_write_whose_answer_is_lost_is_retried_into_the_same_object(tradinggrid, settings):
    settings.TRADINGGRID_READ_TIMEOUT = 1.0
    client = TradingGridClient.from_settings()
    community = next(iter(client.communities()))["id"]
    tradinggrid.clear_stats()
    # Trading Grid performs the write, then its answer never arrives in time.
    tradinggrid.faults(script=[{"hold": 3, "path_prefix": "/ac/v1/communities/"}])
    created = client.publish(community, _publication(), key="answer-lost")
    published = tradinggrid.control("GET", f"publications?community_id={community}")
    assert [p["id"] for p in published] == [created["id"]]
    assert tradinggrid.stats()["POST /ac/v1/communities/{id}/publications"] == 2


def test_throttling_waits_for_retry_after(tradinggrid, client):
    list(client.communities())
    tradinggrid.faults(script=[{"status": 429, "retry_after": "2"}])
    started = time.monotonic()
    list(client.communities())
    assert time.monotonic() - started >= 2.0


def test_upstream_trouble_is_retried_then_given_up(tradinggrid, settings):
    settings.TRADINGGRID_MAX_ATTEMPTS = 2
    client = TradingGridClient.from_settings()
    list(client.communities())
    tradinggrid.faults(script=[{"status": 502}, {"status": 504}])
    with pytest.raises(TransientError) as caught:
        list(client.communities())
    assert caught.value.status == 504


def test_client_errors_are_not_retried(tradinggrid, client):
    list(client.communities())
    tradinggrid.clear_stats()
    assert client.publication("pub_doesnotexist") is None
    assert tradinggrid.stats()["GET /ac/v1/publications/{id}"] == 1
