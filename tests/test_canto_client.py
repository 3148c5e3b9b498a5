"""The Canto client against the Canto sandbox over real HTTP."""

import time

import pytest

from integrations.canto.client import CantoClient
from integrations.http import ClientError, MalformedResponse, NotFound, TransientError

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(canto):
    return CantoClient.from_settings()


def test_token_is_fetched_once_and_cached(canto, client):
    client.search(limit=5)
    client.search(limit=5)
    CantoClient.from_settings().search(limit=5)
    assert canto.stats()["POST /oauth/api/oauth2/token"] == 1


def test_revoked_token_is_renewed_once_and_the_call_retried(canto, client):
    client.search(limit=5)
    canto.control("POST", "tokens/revoke")
    page = client.search(limit=5)
    assert len(page.results) == 5
    stats = canto.stats()
    assert stats["POST /oauth/api/oauth2/token"] == 2
    assert stats["GET /api/v1/search"] == 3  # ok, 401, ok


def test_wrong_credentials_are_a_clear_error(canto, settings):
    settings.CANTO_APP_SECRET = "wrong"
    with pytest.raises(ClientError) as caught:
        CantoClient.from_settings().search(limit=1)
    assert caught.value.status in (400, 401)
    assert "invalid_client" in str(caught.value)


def test_pagination_walks_every_page_once(canto, client):
    pages = list(client.iter_search(page_size=15))
    ids = [a["id"] for page in pages for a in page.results]
    assert [len(p.results) for p in pages] == [15, 15, 10]
    assert len(ids) == len(set(ids)) == 40
    assert pages[0].found == 40


def test_empty_search_without_results_or_found_keys(canto, client):
    page = client.search(keyword="no-such-thing-anywhere")
    assert page.results == [] and page.found is None
    pages = list(client.iter_search(page_size=10, keyword="no-such-thing-anywhere"))
    assert [p.results for p in pages] == [[]]


def test_batch_content_splits_into_calls_of_at_most_100(canto, client):
    canto.reset(assets=250)
    refs = [(a["scheme"], a["id"]) for p in client.iter_search(page_size=1000) for a in p.results]
    canto.clear_stats()
    found = client.batch_content([*refs, ("image", "doesnotexist000000000000000")])
    assert len(found) == 250
    assert canto.stats()["POST /api/v1/batch/content"] == 3


def test_one_asset_and_a_missing_one(canto, client):
    first = client.search(limit=1).results[0]
    assert client.get_asset(first["scheme"], first["id"])["id"] == first["id"]
    assert client.get_asset("image", "doesnotexist000000000000000") is None


def test_rate_limited_call_waits_for_retry_after(canto, client):
    client.search(limit=1)
    canto.faults(script=[{"status": 429, "retry_after": "2"}])
    started = time.monotonic()
    assert len(client.search(limit=3).results) == 3
    assert time.monotonic() - started >= 2.0


def test_server_errors_are_retried_until_success(canto, client):
    client.search(limit=1)
    canto.clear_stats()
    canto.faults(
        script=[
            {"status": 503},
            {
                "status": 500,
                "body": "<html><title>Oops</title></html>",
                "content_type": "text/html",
            },
        ]
    )
    assert len(client.search(limit=2).results) == 2
    assert canto.stats()["GET /api/v1/search"] == 3


def test_client_errors_are_not_retried(canto, client):
    client.search(limit=1)
    canto.clear_stats()
    with pytest.raises(ClientError) as caught:
        client.search(limit=5000)  # over Canto's page limit: a 400
    assert caught.value.status == 400
    assert canto.stats()["GET /api/v1/search"] == 1


def test_persistent_outage_gives_up_with_the_html_page_title(canto, settings):
    settings.CANTO_MAX_ATTEMPTS = 2
    client = CantoClient.from_settings()
    client.search(limit=1)
    page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    canto.faults(script=[{"status": 502, "body": page, "content_type": "text/html"}] * 2)
    with pytest.raises(TransientError) as caught:
        client.search(limit=1)
    assert caught.value.status == 502 and caught.value.body == "502 Bad Gateway"


def test_empty_error_body_is_still_a_clear_error(canto, client):
    client.search(limit=1)
    canto.faults(script=[{"status": 404, "body": "", "path_prefix": "/api/v1/image"}])
    with pytest.raises(NotFound) as caught:
        client._get("image/whatever")
    assert caught.value.status == 404 and caught.value.body == ""


def test_truncated_json_is_a_malformed_response(canto, client):
    client.search(limit=1)
    canto.faults(script=[{"truncate": True}])
    with pytest.raises(MalformedResponse):
        client.search(limit=10)


def test_direct_download_uri_and_writes(canto, client):
    asset = client.search(limit=1, scheme="document").results[0]
    uri = client.direct_uri("document", asset["id"])
    assert "/direct/document/" in uri
    client.add_tag("document", asset["id"], "partner-request:REQ-1")
    client.add_keyword("document", asset["id"], "pump")
    client.version_comment("document", asset["id"], "1", "Requested by a partner")
    client.batch_edit(
        [("document", asset["id"])],
        [
            {
                "propertyId": "keyword",
                "propertyValue": "pump,valve",
                "action": "",
                "customField": False,
            }
        ],
    )
    album = client.create_album(_partner_requests_folder(client), "REQ-1 Logo refresh")
    client.add_to_album(album["id"], [("document", asset["id"], asset["name"])])
    state = canto.control("GET", f"assets/{asset['id']}")
    assert "partner-request:REQ-1" in state["tag"]
    assert set(state["keyword"]) == {"pump", "valve"}
    assert "Requested by a partner" in str(state["comments"])
    assert album["id"] in {a["id"] for a in state["relatedAlbums"]}
    assert (
        client.create_album(_partner_requests_folder(client), "REQ-1 Logo refresh")["id"]
        == album["id"]
    )


def _partner_requests_folder(client) -> str:
    return next(n["id"] for n in client.tree() if n["name"] == "Partner requests")
