from django.db import models


class BaseModel(models.Model):
    """Creation and update times on every domain row."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class WritingTransaction(models.Func):
    """The id of the transaction inserting the row (PostgreSQL; 0 elsewhere), as a column's
    database default: a feed's order (`contactcenter.feeds`)."""

    output_field = models.BigIntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        return "0", []

    def as_postgresql(self, compiler, connection, **extra_context):
        return "(pg_current_xact_id()::text::bigint)", []


def feed_position_field() -> models.BigIntegerField:
    """The column a feed is ordered by, with the row's id (`contactcenter.feeds`)."""
    return models.BigIntegerField(
        db_default=WritingTransaction(),
        editable=False,
        help_text="The transaction that wrote the row: its place in the feeds.",
    )
