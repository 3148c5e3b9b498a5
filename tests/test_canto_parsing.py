"""Tolerant parsing of Canto payloads shaped as in shared/api/canto.md, odd ones included."""

from datetime import UTC, datetime

import pytest

from integrations.canto.parsing import ParseError, format_canto_time, parse_asset, parse_canto_time
from integrations.models import CantoFieldMapping

DOC = {
    "id": "vjbnb7df8t6b3al3sumpo66s0n",
    "scheme": "document",
    "name": "SDS-pump-X200-de.pdf",
    "size": "2345678",
    "width": "0",
    "height": "0",
    "owner": "u1",
    "ownerName": "Jane Doe",
    "created": "20250108024521123",
    "time": "20250309101010123",
    "lastUploaded": "20250309101010123",
    "md5": "9e107d9d372bb6826bd81d3542a419d6",
    "approvalStatus": "Approved",
    "tag": ["safety", "X200"],
    "keyword": ["pump"],
    "smartTags": [],
    "relatedAlbums": [
        {
            "id": "PP4QV",
            "name": "Safety sheets",
            "idPath": "F1/PP4QV",
            "namePath": "/Compliance/Safety sheets",
            "scheme": "album",
        }
    ],
    "versionHistory": [
        {
            "no": "2",
            "version": "2",
            "currentVersion": "true",
            "ownerName": "Jane Doe",
            "created": "20250309101010123",
            "comment": "new torque values",
        },
        {
            "no": "1",
            "version": "1",
            "currentVersion": "false",
            "ownerName": "Jane Doe",
            "created": "20250108024521123",
            "comment": "",
        },
    ],
    "url": {"preview": "https://acme.canto.com/api_binary/v1/document/x/preview"},
    "default": {
        "Content Type": "application/pdf",
        "Date modified": "20250309101010123",
        "Date uploaded": "20250108024521123",
        "Size": "2.2 MB",
    },
    "additional": {
        "Category": "Safety data sheet",
        "Language": "de",
        "Region": "EMEA",
        "Usage Terms": "partners only",
    },
    "metadata": {"MIME Type": "application/pdf", "File Name": "SDS-pump-X200-de.pdf"},
    "someFutureKey": {"ignored": True},
}


@pytest.fixture
def mapping(db):
    return CantoFieldMapping.current()


def test_canto_times_are_utc_with_milliseconds():
    moment = parse_canto_time("20250309101010123")
    assert moment == datetime(2025, 3, 9, 10, 10, 10, 123000, tzinfo=UTC)
    assert format_canto_time(moment) == "20250309101010123"
    assert parse_canto_time("20250309101010") == datetime(2025, 3, 9, 10, 10, 10, tzinfo=UTC)
    assert parse_canto_time("") is None
    with pytest.raises(ParseError):
        parse_canto_time("yesterday")


def test_documented_asset_parses_into_the_typed_record(mapping):
    asset = parse_asset(DOC, mapping)
    assert (asset.id, asset.scheme, asset.name) == (
        "vjbnb7df8t6b3al3sumpo66s0n",
        "document",
        "SDS-pump-X200-de.pdf",
    )
    assert asset.size == 2345678 and asset.version_no == 2
    assert asset.md5 == "9e107d9d372bb6826bd81d3542a419d6"
    assert asset.mime_type == "application/pdf"
    assert (asset.category, asset.language, asset.region) == ("Safety data sheet", "de", "EMEA")
    assert asset.regulated is True  # safety data sheets are regulated by category
    assert asset.tags == ["safety", "X200"] and asset.keywords == ["pump"]
    assert [a.name_path for a in asset.albums] == ["/Compliance/Safety sheets"]
    assert [(v.no, v.current, v.comment) for v in asset.versions] == [
        (2, True, "new torque values"),
        (1, False, ""),
    ]
    assert asset.modified == datetime(2025, 3, 9, 10, 10, 10, 123000, tzinfo=UTC)
    assert asset.custom_fields["Usage Terms"] == "partners only"


def test_equal_payloads_hash_equal_and_a_change_changes_the_hash(mapping):
    first, second = parse_asset(DOC, mapping), parse_asset(dict(DOC), mapping)
    assert first.content_hash() == second.content_hash()
    changed = parse_asset({**DOC, "approvalStatus": "Restricted"}, mapping)
    assert changed.content_hash() != first.content_hash()


def test_odd_but_valid_payloads_are_tolerated(mapping):
    odd = {
        "id": "abc123",
        "scheme": "IMAGE",
        "name": "logo.png",
        "size": "",
        "tag": "red, blue",
        "versionHistory": "none",
        "relatedAlbums": None,
        "additional": {"category": "Brand asset", "Regulated": "YES"},
        "time": "1741515010123",
    }
    asset = parse_asset(odd, mapping)
    assert asset.scheme == "image" and asset.size is None and asset.version_no == 1
    assert asset.tags == ["red", "blue"] and asset.albums == [] and asset.versions == []
    assert asset.category == "Brand asset" and asset.regulated is True
    assert asset.approval_status == "Pending"
    assert asset.modified == datetime(2025, 3, 9, 10, 10, 10, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "not an object"),
        ({"scheme": "image", "name": "x"}, "no usable id"),
        ({"id": "a1", "scheme": "hologram", "name": "x"}, "unknown scheme"),
        ({"id": "a1", "scheme": "image", "name": ""}, "has no name"),
        ({"id": "a1", "scheme": "image", "name": "x", "time": "last tuesday"}, "unreadable"),
    ],
)
def test_malformed_assets_are_refused_with_a_reason(mapping, payload, message):
    with pytest.raises(ParseError, match=message):
        parse_asset(payload, mapping)


@pytest.mark.django_db
def test_field_mapping_is_configuration_not_code():
    mapping = CantoFieldMapping.current()
    mapping.category_field = "Asset type"
    mapping.regulated_field = "Legal review"
    mapping.regulated_values = "required"
    mapping.regulated_categories = ""
    mapping.save()
    payload = {**DOC, "additional": {"Asset type": "Flyer", "Legal review": "Required"}}
    asset = parse_asset(payload, CantoFieldMapping.current())
    assert asset.category == "Flyer" and asset.regulated is True


def test_numbers_out_of_range_and_nul_characters_do_not_break_parsing(mapping):
    hostile = {
        **DOC,
        "size": "1e400",
        "name": "SDS\x00.pdf",
        "versionHistory": [{"no": "99999999999", "currentVersion": "true"}],
        "tag": ["ok\x00"],
    }
    asset = parse_asset(hostile, mapping)
    assert asset.size is None and asset.name == "SDS.pdf" and asset.tags == ["ok"]
    assert asset.version_no == 1 and asset.versions == []
