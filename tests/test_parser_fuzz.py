"""Canto's and Trading Grid's answers under generated damage: documented shapes with mutated
fields, wrong types, truncated JSON and wrong content types, served by the sandboxes over real
HTTP. A malformed answer becomes one of our typed errors; a sync run always finishes, as
succeeded with each unreadable item kept (reason and payload), or failed with the reason."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from integrations.canto.client import CantoClient
from integrations.canto.parsing import CantoAsset, ParseError, parse_asset, parse_canto_time
from integrations.canto.runs import run_catalog_sync
from integrations.http import ApiError
from integrations.models import CantoFieldMapping, SyncRun
from integrations.tradinggrid.client import TradingGridClient
from integrations.tradinggrid.sync import run_partner_sync
from portal.models import Asset, Partner
from tests.fuzz_support import FUZZ, FUZZ_NETWORK, junk, mutated, odd_numbers, odd_text
from tests.test_canto_parsing import DOC

pytestmark = pytest.mark.django_db

canto_times = st.one_of(
    odd_text,
    odd_numbers,
    st.text(st.characters(categories=["Nd", "No"]), min_size=12, max_size=18),
    st.text("0123456789²", min_size=12, max_size=18),
)
canto_assets = mutated(
    DOC,
    {
        "id": st.one_of(odd_text, junk),
        "scheme": st.one_of(st.sampled_from(["image", "Document", "album", ""]), junk),
        "size": st.one_of(odd_numbers, odd_text, junk),
        "created": canto_times,
        "time": canto_times,
        "versionHistory": st.lists(
            mutated(DOC["versionHistory"][0], {"no": odd_numbers, "created": canto_times}),
            max_size=3,
        ),
        "additional": st.dictionaries(st.sampled_from(["Category", "Regulated", "x"]), junk),
    },
)


@FUZZ
@given(value=canto_times)
@example(value="20250309101010²")
@example(value="²" * 13)
def test_a_canto_time_is_read_or_refused_with_a_parse_error(value):
    try:
        moment = parse_canto_time(value)
    except ParseError:
        return
    assert moment is None or moment.tzinfo is not None


@FUZZ
@given(raw=st.one_of(canto_assets, junk))
@example(raw={**DOC, "time": "20250309101010²"})
def test_a_mutated_canto_asset_parses_within_bounds_or_is_refused(raw):
    try:
        asset = parse_asset(raw, CantoFieldMapping.current())
    except ParseError as exc:
        assert str(exc)
        return
    assert isinstance(asset, CantoAsset)
    assert 0 < len(asset.id) <= 64 and 0 < len(asset.name) <= 500
    assert asset.size is None or 0 <= asset.size < 2**62
    assert all(0 <= v.no < 2**31 for v in asset.versions)
    assert len(asset.content_hash()) == 64


def _cut(text: str, at: int) -> str:
    return text[: max(1, at % max(1, len(text)))]


search_answers = st.one_of(
    mutated(
        {"results": [DOC], "found": 1, "limit": 1000, "start": 0, "sortBy": "time"},
        {"results": st.one_of(st.lists(st.one_of(canto_assets, junk), max_size=3), junk)},
    ).map(json.dumps),
    junk.map(json.dumps),
    st.tuples(st.just(json.dumps({"results": [DOC], "found": 1})), st.integers(1, 500)).map(
        lambda t: _cut(*t)
    ),
    st.sampled_from(["", "<html><title>Maintenance</title></html>", "success", "null"]),
)
content_types = st.sampled_from(
    ["application/json", "text/html", "text/plain", "application/octet-stream", ""]
)


@FUZZ_NETWORK
@given(
    body=search_answers,
    content_type=content_types,
    status=st.sampled_from([200, 200, 200, 400, 404, 500]),
    token_answer=st.one_of(
        st.none(),
        mutated({"accessToken": "t", "tokenType": "bearer", "expiresIn": 3600}).map(json.dumps),
        st.sampled_from(['{"accessToken": "t", "expiresIn": 1e400}', '{"expiresIn": NaN}']),
    ),
)
def test_a_damaged_canto_answer_is_read_or_a_typed_error(
    canto, settings, body, content_type, status, token_answer
):
    settings.CANTO_MAX_ATTEMPTS = 1
    from django.core.cache import cache

    cache.clear()
    script = [{"path_prefix": "/api/v1/search", "status": status, "body": body}]
    if content_type:
        script[0]["content_type"] = content_type
    if token_answer is not None:
        script.insert(0, {"path_prefix": "/oauth", "status": 200, "body": token_answer})
    canto.faults(script=script)
    try:
        page = CantoClient.from_settings().search(limit=10)
    except ApiError as exc:
        assert str(exc)
        return
    assert isinstance(page.results, list)
    assert page.found is None or isinstance(page.found, int)


@FUZZ_NETWORK
@given(results=st.lists(st.one_of(canto_assets, junk), max_size=4))
def test_a_sync_run_keeps_each_unreadable_asset_and_finishes(canto, results):
    SyncRun.objects.all().delete()  # no earlier run: every asset is read, none trusted by time
    mapping = CantoFieldMapping.current()
    unreadable, readable = [], set()
    for raw in results:
        try:
            readable.add(parse_asset(raw, mapping).id)
        except ParseError:
            unreadable.append(raw)
    page = {"results": results, "found": len(results), "start": 0}
    canto.faults(
        script=[{"path_prefix": "/api/v1/search", "status": 200, "body": json.dumps(page)}]
    )
    run = run_catalog_sync(full=True)
    assert run.state == SyncRun.State.SUCCEEDED and run.finished_at is not None
    assert run.seen == len(readable) + len(unreadable)  # an asset listed twice counts once
    assert run.created + run.updated + run.unchanged + run.failed == run.seen
    failures = list(run.failures.all())
    assert run.failed == len(failures) >= len(unreadable)
    kept = [f.payload for f in failures if f.payload]
    for raw in unreadable:
        text = json.dumps(raw, default=str)
        assert text[:2000] in kept
        assert next(f for f in failures if f.payload == text[:2000]).error


@FUZZ_NETWORK
@given(body=search_answers)
def test_a_sync_run_given_an_unreadable_page_fails_with_the_reason(canto, settings, body):
    settings.CANTO_MAX_ATTEMPTS = 1
    canto.faults(script=[{"path_prefix": "/api/v1/search", "status": 200, "body": body}])
    try:
        run = run_catalog_sync(full=True)
    except ApiError as exc:
        run = SyncRun.objects.first()
        assert run.state == SyncRun.State.FAILED and run.finished_at is not None
        assert type(exc).__name__ in run.error and exc.body[:100] in run.error
        return
    assert run.state == SyncRun.State.SUCCEEDED
    assert run.created + run.updated + run.unchanged + run.failed == run.seen


# Trading Grid ------------------------------------------------------------------------------------
@pytest.fixture
def tg_seed(tradinggrid):
    client = TradingGridClient.from_settings()
    community = next(iter(client.communities()))
    return community, list(client.community_partners(community["id"]))


def _list(items) -> str:
    return json.dumps({"data": items, "next_cursor": None})


list_answers = st.one_of(
    st.lists(junk, max_size=3).map(_list),
    junk.map(json.dumps),
    st.tuples(st.just(_list([{"id": "par_1"}])), st.integers(1, 40)).map(lambda t: _cut(*t)),
    st.sampled_from(["", "<html><title>Bad gateway</title></html>", "null"]),
)


@FUZZ_NETWORK
@given(
    body=list_answers,
    content_type=content_types,
    status=st.sampled_from([200, 200, 200, 400, 404, 422, 503]),
    path=st.sampled_from(["/ac/v1/communities", "/ac/v1/partners/", "/tenants/"]),
)
def test_a_damaged_tradinggrid_answer_is_read_or_a_typed_error(
    tg_seed, tradinggrid, settings, body, content_type, status, path
):
    settings.TRADINGGRID_MAX_ATTEMPTS = 1
    _, partners = tg_seed
    from django.core.cache import cache

    cache.clear()
    item = {"path_prefix": path, "status": status, "body": body}
    if content_type:
        item["content_type"] = content_type
    tradinggrid.faults(script=[item])
    client = TradingGridClient.from_settings()
    try:
        listed = list(client.communities())
        found = client.partner(partners[0]["id"])
    except ApiError as exc:
        assert str(exc)
        return
    assert isinstance(listed, list) and (found is None or isinstance(found, dict))


@FUZZ_NETWORK
@given(data=st.data())
def test_a_partner_sync_keeps_each_unreadable_partner_and_finishes(tg_seed, tradinggrid, data):
    community, partners = tg_seed
    ids = st.one_of(st.sampled_from([p["id"] for p in partners]), odd_text, junk)
    fields = {"id": ids, "community_ids": st.one_of(st.just([community["id"]]), junk)}
    listed = data.draw(st.lists(st.one_of(mutated(partners[0], fields), junk), max_size=4))
    others = data.draw(st.lists(mutated(community, {"id": st.one_of(odd_text, junk)}), max_size=2))
    tradinggrid.faults(
        script=[
            {
                "path_prefix": "/ac/v1/communities",
                "status": 200,
                "body": _list([community, *others]),
            },
            {
                "path_prefix": f"/ac/v1/communities/{community['id']}/partners",
                "status": 200,
                "body": _list(listed),
            },
        ]
    )
    # Well-formed lists of damaged items: the run succeeds, keeping what it could not use.
    run = run_partner_sync(full=True)
    assert run.state == SyncRun.State.SUCCEEDED and run.finished_at is not None
    unreadable = [p for p in listed + others if not isinstance(p, dict) or not p.get("id")]
    kept = {f.payload for f in run.failures.all()}
    assert run.failed == run.failures.count() >= len(unreadable)
    assert all(json.dumps(p, default=str)[:2000] in kept for p in unreadable)


def test_a_partner_gone_before_its_contacts_are_read_does_not_sink_the_run(tg_seed, tradinggrid):
    community, partners = tg_seed
    gone = {**partners[0], "id": "par_gone"}
    tradinggrid.faults(
        script=[
            {
                "path_prefix": f"/ac/v1/communities/{community['id']}/partners",
                "status": 200,
                "body": _list([gone, *partners[1:]]),
            }
        ]
    )
    run = run_partner_sync(full=True)
    assert run.state == SyncRun.State.SUCCEEDED
    failure = run.failures.get()
    assert failure.external_id == "par_gone" and "NotFound" in failure.error
    assert json.loads(failure.payload)["id"] == "par_gone"
    # The others are mirrored; the gone one holds no live membership.
    assert (
        Partner.objects.filter(tg_id__in=[p["id"] for p in partners[1:]]).count()
        == len(partners) - 1
    )
    assert not Partner.objects.filter(tg_id="par_gone", memberships__active=True).exists()


def test_an_odd_asset_id_fails_alone_when_times_are_trusted(canto):
    run_catalog_sync(full=True)  # a good full run: the next one trusts unchanged times
    page = {"results": [{**DOC, "id": "ab\x00c"}, {**DOC, "id": "\x00", "time": "2025"}]}
    canto.faults(
        script=[{"path_prefix": "/api/v1/search", "status": 200, "body": json.dumps(page)}]
    )
    run = run_catalog_sync(full=True)
    assert run.state == SyncRun.State.SUCCEEDED
    assert Asset.objects.filter(canto_id="abc").exists()
    assert run.failures.get().error == "asset has no usable id"
