"""Trigram indexes on PostgreSQL for the catalog search (name, tag and album contains), so a
search over a large catalog reads the index instead of every row. SQLite has no such index, and a
database role that may not install the pg_trgm extension gets a warning and a slower search."""

import logging

from django.db import DatabaseError, migrations, transaction

log = logging.getLogger(__name__)

INDEXES = {
    "asset_name_trgm_idx": 'UPPER("name") gin_trgm_ops',
    "asset_tags_trgm_idx": '"tag_index" gin_trgm_ops',
    "asset_albums_trgm_idx": '"album_index" gin_trgm_ops',
}


def _trigrams(schema_editor) -> bool:
    """Whether pg_trgm is there, installing it when the database role may."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone():
            return True
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        log.warning("Catalog search indexes skipped: cannot install pg_trgm (%s)", exc)
        return False
    return True


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql" or not _trigrams(schema_editor):
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

    operations = [migrations.RunPython(create, drop)]
