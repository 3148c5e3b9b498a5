"""Write-back of usage totals to Canto: one batch edit per asset whose configured values
changed, none otherwise; custom fields named by an admin are found in Canto by name or id."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from audit.models import AuditEvent
from integrations.canto.operations import resolve_properties
from integrations.models import OutboxMessage
from portal.models import AssetUsage, Publication, UsageFields
from portal.usage import tasks, writeback
from portal.usage.ingest import ingest
from tests.usage_support import FakeUsage, small_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(db):
    communities, _, assets, publications = small_programme()
    tg = FakeUsage()
    for pub in publications:
        tg.publish(pub.tg_id)
    UsageFields.objects.create(
        downloads_field="Partner downloads",
        acknowledgements_field="Partner acknowledgements",
        communities_field="Shared in communities",
    )
    return communities, assets, publications, tg


def _edits(asset) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(
            operation="canto.batch_edit", object_type="portal.asset", object_id=str(asset.pk)
        ).order_by("pk")
    )


def _values(message: OutboxMessage) -> dict[str, str]:
    return {p["propertyName"]: p["propertyValue"] for p in message.payload["properties"]}


def test_totals_over_versions_communities_and_partners_are_written_once(programme):
    _, assets, publications, tg = programme
    in_emea, in_apac = publications[0], publications[1]
    tg.act(in_emea.tg_id, "par_a", "download")
    tg.act(in_emea.tg_id, "par_a", "acknowledge")
    tg.act(in_apac.tg_id, "par_b", "download")
    tg.act(in_apac.tg_id, "par_c", "download")
    for pub in (in_emea, in_apac):
        ingest(pub.tg_id, tg)

    assert writeback.run() == {"looked_at": 1, "queued": 1}
    (message,) = _edits(assets[0])
    assert message.payload["contents"] == [{"scheme": "document", "id": assets[0].canto_id}]
    assert _values(message) == {
        "Partner downloads": "3",
        "Partner acknowledgements": "1",
        "Shared in communities": "APAC resellers, EMEA distributors",
    }
    assert all(p["customField"] and p["action"] == "" for p in message.payload["properties"])
    usage = AssetUsage.objects.get(asset=assets[0])
    assert (usage.downloads, usage.acknowledgements, usage.pending) == (3, 1, False)
    assert usage.written_values == _values(message)
    written = AuditEvent.objects.get(action="usage.written_to_canto")
    assert (written.object_id, written.after) == (str(assets[0].pk), _values(message))

    # Nothing new: nothing owed, even when every shared asset is looked at.
    assert writeback.run()["queued"] == 0
    writeback.run(everything=True)
    assert len(_edits(assets[0])) == 1

    tg.act(in_apac.tg_id, "par_c", "download")
    ingest(in_apac.tg_id, tg)
    writeback.run()
    assert _values(_edits(assets[0])[-1])["Partner downloads"] == "4"
    assert len(_edits(assets[0])) == 2


def test_beat_writes_where_an_asset_is_live_even_without_usage(programme):
    _, assets, publications, _ = programme
    writeback.run(everything=True)
    first = _edits(assets[1])
    assert [_values(m)["Shared in communities"] for m in first] == [
        "APAC resellers, EMEA distributors"
    ]
    Publication.objects.filter(pk=publications[3].pk).update(state=Publication.State.WITHDRAWN)
    writeback.run(everything=True)
    assert _values(_edits(assets[1])[-1]) == {
        "Partner downloads": "0",
        "Partner acknowledgements": "0",
        "Shared in communities": "EMEA distributors",
    }


def test_nothing_is_written_without_configured_fields(programme):
    _, _, publications, tg = programme
    UsageFields.objects.update(downloads_field="", acknowledgements_field="", communities_field="")
    tg.act(publications[0].tg_id, "par_a", "download")
    ingest(publications[0].tg_id, tg)
    writeback.run(everything=True)
    assert not OutboxMessage.objects.exists()
    assert not AssetUsage.objects.filter(pending=True).exists()


def test_a_deleted_asset_is_not_written(programme):
    _, assets, publications, tg = programme
    tg.act(publications[0].tg_id, "par_a", "download")
    ingest(publications[0].tg_id, tg)
    assets[0].__class__.objects.filter(pk=assets[0].pk).update(deleted_in_canto=True)
    writeback.run()
    assert not _edits(assets[0])


class FieldsOfCanto:
    def __init__(self):
        self.asked = 0

    def custom_fields(self):
        self.asked += 1
        return [
            {"id": "meta_text_3", "name": "Partner downloads", "values": []},
            {"id": "meta_multichoice_1", "name": "Shared in communities", "values": []},
        ]


def test_custom_fields_are_found_by_name_or_id():
    canto = FieldsOfCanto()
    plain = [{"propertyId": "keyword", "propertyValue": "a", "action": "", "customField": False}]
    assert resolve_properties(canto, plain) == plain and canto.asked == 0
    named = [
        {"propertyName": "partner DOWNLOADS ", "propertyValue": "3", "customField": True},
        {"propertyName": "meta_multichoice_1", "propertyValue": "EMEA", "customField": True},
    ]
    assert [p["propertyId"] for p in resolve_properties(canto, named)] == [
        "meta_text_3",
        "meta_multichoice_1",
    ]
    assert all("propertyName" not in p for p in resolve_properties(canto, named))
    with pytest.raises(LookupError, match="Partner views"):
        resolve_properties(canto, [{"propertyName": "Partner views", "propertyValue": "1"}])


def test_the_write_back_after_new_usage_is_queued_once_per_delay(monkeypatch, settings):
    settings.USAGE_WRITEBACK_DELAY_SECONDS = 7
    queued = []
    monkeypatch.setattr(
        tasks.write_back_usage, "apply_async", lambda **kwargs: queued.append(kwargs)
    )
    cache.delete(writeback.QUEUED_KEY)
    writeback.schedule()
    writeback.schedule()
    assert queued == [{"countdown": 7}]
    monkeypatch.setattr(writeback, "run", lambda everything: {"looked_at": 0, "queued": 0})
    tasks.write_back_usage()
    writeback.schedule()
    assert len(queued) == 2
