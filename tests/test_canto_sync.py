"""Catalog sync against the Canto sandbox: what lands in the catalog and on the audit trail."""

import json

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from audit.services import verify
from integrations.canto.runs import run_catalog_sync, start_run
from integrations.canto.sync import apply_assets
from integrations.models import CantoFieldMapping, SyncRun
from integrations.syncruns import SyncAlreadyRunning
from portal.models import Album, Asset, AssetVersion

pytestmark = pytest.mark.django_db


def _full():
    return run_catalog_sync(full=True)


def test_full_sync_mirrors_the_catalog(canto):
    run = _full()
    assert (run.state, run.kind, run.seen, run.created, run.failed) == (
        "succeeded",
        "canto_full",
        40,
        40,
        0,
    )
    assert Asset.objects.count() == 40
    asset = Asset.objects.exclude(versions=None).first()
    remote = canto.control("GET", f"assets/{asset.canto_id}")
    assert asset.name == remote["name"] and asset.md5 == remote["md5"]
    assert asset.approval_status == remote["approvalStatus"]
    assert asset.versions.count() == len(remote["versionHistory"])
    assert Album.objects.filter(name="Partner requests", scheme="folder").exists()
    # Regulated by the field mapping: the Regulated field, or a regulated category.
    regulated = set(Asset.objects.filter(regulated=True).values_list("category", flat=True))
    assert regulated and regulated <= {
        "Safety data sheet",
        "Warranty",
        "Product claim",
        "Regional disclosure",
    }
    assert not Asset.objects.filter(regulated=False, category="Safety data sheet").exists()
    completed = AuditEvent.objects.get(action="catalog.sync_completed")
    assert completed.after["created"] == 40


def test_a_second_sync_changes_nothing(canto):
    _full()
    events = AuditEvent.objects.count()
    versions = AssetVersion.objects.count()
    second = _full()
    assert (second.seen, second.created, second.updated, second.unchanged) == (40, 0, 0, 40)
    assert AssetVersion.objects.count() == versions
    assert AuditEvent.objects.count() == events + 1  # only the run's own summary


def test_incremental_sync_fetches_only_what_changed(canto):
    _full()
    touched = canto.control("POST", "touch", {"count": 3})
    touched_ids = touched["ids"] if isinstance(touched, dict) else touched
    run = run_catalog_sync(full=False)
    assert run.kind == "canto_incremental" and run.since is not None
    assert (run.seen, run.updated) == (3, 3)
    assert set(
        Asset.objects.filter(canto_id__in=touched_ids).values_list("canto_id", flat=True)
    ) == set(touched_ids)


def test_new_version_status_change_metadata_and_deletion_land(canto):
    _full()
    versioned, restricted, renamed, deleted = Asset.objects.order_by("pk")[:4]
    canto.control("POST", f"assets/{versioned.canto_id}/version", {"comment": "new torque"})
    canto.control("POST", f"assets/{restricted.canto_id}/status", {"status": "Restricted"})
    canto.control("POST", f"assets/{renamed.canto_id}/metadata", {"name": "Renamed.pdf"})
    canto.control("DELETE", f"assets/{deleted.canto_id}")
    created = canto.control(
        "POST", "assets", {"scheme": "image", "name": "New logo.png", "approvalStatus": "Approved"}
    )
    run = _full()
    assert (run.created, run.updated, run.deleted) == (1, 3, 1)

    versioned.refresh_from_db()
    assert versioned.versions.filter(no=versioned.version_no, comment="new torque").exists()
    event = AuditEvent.objects.get(action="catalog.asset_new_version", object_id=str(versioned.pk))
    assert event.after["version"] == event.before["version"] + 1

    restricted.refresh_from_db()
    assert restricted.approval_status == "Restricted"
    assert restricted.eligibility_problem == "Canto status is Restricted, not Approved"
    assert AuditEvent.objects.filter(
        action="catalog.asset_status_changed", object_id=str(restricted.pk)
    ).exists()

    renamed.refresh_from_db()
    assert renamed.name == "Renamed.pdf"

    deleted.refresh_from_db()
    assert deleted.deleted_in_canto and deleted.deleted_at
    assert AuditEvent.objects.filter(
        action="catalog.asset_deleted", object_id=str(deleted.pk)
    ).exists()
    assert Asset.objects.filter(canto_id=created["id"], name="New logo.png").exists()
    assert verify().intact


def test_a_malformed_asset_fails_alone(canto):
    page = requests.get(
        f"{canto.url}/api/v1/search",
        timeout=10,
        headers={"Authorization": "Bearer " + _token(canto)},
        params={"limit": 1000, "sortBy": "time", "sortDirection": "ascending"},
    ).json()
    broken_id = page["results"][5]["id"]
    page["results"][5]["scheme"] = "hologram"
    canto.faults(
        script=[
            {
                "status": 200,
                "body": json.dumps(page),
                "content_type": "application/json",
                "path_prefix": "/api/v1/search",
            }
        ]
    )
    run = run_catalog_sync(full=True)
    assert (run.state, run.failed) == ("succeeded", 1)
    failure = run.failures.get()
    assert failure.external_id == broken_id and "unknown scheme" in failure.error
    assert Asset.objects.count() == 39
    assert not Asset.objects.filter(canto_id=broken_id).exists()
    # Once Canto sends it readably again, the next run takes it in.
    assert run_catalog_sync(full=True).created == 1
    assert Asset.objects.count() == 40


def test_runs_never_overlap(canto):
    running = start_run(SyncRun.Kind.CANTO_FULL)
    with pytest.raises(SyncAlreadyRunning):
        run_catalog_sync(full=True)
    running.state = SyncRun.State.SUCCEEDED
    running.save()
    assert run_catalog_sync(full=True).state == "succeeded"


def test_queries_per_page_do_not_grow_with_the_catalog(canto):
    """Each page costs the same queries whether the catalog holds 0 or 30 assets already."""
    mapping = CantoFieldMapping.current()
    assets = requests.get(
        f"{canto.url}/api/v1/search",
        timeout=10,
        headers={"Authorization": "Bearer " + _token(canto)},
        params={"limit": 40},
    ).json()["results"]
    counts = []
    for offset in range(0, 40, 10):
        with CaptureQueriesContext(connection) as queries:
            apply_assets(assets[offset : offset + 10], mapping=mapping, detailed=False)
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts


def _token(canto) -> str:
    from django.conf import settings

    return requests.post(
        f"{canto.url}/oauth/api/oauth2/token",
        timeout=10,
        data={
            "app_id": settings.CANTO_APP_ID,
            "app_secret": settings.CANTO_APP_SECRET,
            "grant_type": "client_credentials",
        },
    ).json()["accessToken"]


def test_an_asset_becoming_regulated_is_audited(canto):
    run_catalog_sync(full=True)
    asset = Asset.objects.filter(regulated=False).order_by("pk").first()
    canto.control("POST", f"assets/{asset.canto_id}/metadata", {"additional": {"Regulated": "Yes"}})
    run_catalog_sync(full=False)
    asset.refresh_from_db()
    assert asset.regulated is True
    event = AuditEvent.objects.get(
        action="catalog.asset_classification_changed", object_id=str(asset.pk)
    )
    assert (event.before["regulated"], event.after["regulated"]) == (False, True)
