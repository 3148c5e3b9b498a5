"""Trigram indexes on PostgreSQL for the catalog search (name, tag and album contains), so a
search over a large catalog reads the index instead of every row. SQLite has no such index."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "asset_name_trgm_idx": 'UPPER("name") gin_trgm_ops',
    "asset_tags_trgm_idx": '"tag_index" gin_trgm_ops',
    "asset_albums_trgm_idx": '"album_index" gin_trgm_ops',
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "portal_asset" USING gin ({expression})'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("portal", "0009_kits_onboarding")]

    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
