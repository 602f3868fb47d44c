"""The search index of each back end (knowledgebase.search): on SQLite an FTS5 table that the
services keep in step, on PostgreSQL a GIN index on the weighted tsvector expression that the
searches use, built from that very expression so that they match."""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

FTS_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS knowledgebase_article_fts USING fts5("
    "title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
)
FTS_DROP = "DROP TABLE IF EXISTS knowledgebase_article_fts"
INDEX_NAME = "kb_article_search"


def _index():
    from knowledgebase.search import VECTOR

    return GinIndex(VECTOR, name=INDEX_NAME)


def create(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(FTS_CREATE)
        fill = (
            "INSERT INTO knowledgebase_article_fts (rowid, title, body) "
            "SELECT id, title, body_text FROM knowledgebase_article"
        )
        schema_editor.execute(fill)
    elif vendor == "postgresql":
        schema_editor.add_index(apps.get_model("knowledgebase", "Article"), _index())


def drop(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(FTS_DROP)
    elif vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("knowledgebase", "Article"), _index())


class Migration(migrations.Migration):
    dependencies = [("knowledgebase", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
