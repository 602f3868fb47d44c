"""Feeds: lists an integration reads from where it stopped, to copy every row once and miss none
(the messages and the activities' history, for a CRM).

Ordering by id alone would miss rows: ids are handed out when a row is written, not when its
transaction commits, so a reader can page past id 41 while 40 is still uncommitted and never
see 40. Each feed row therefore keeps the id of the transaction that wrote it (`txid`, filled
by PostgreSQL itself), a feed is ordered by (txid, id), and it shows only rows whose
transaction is older than every transaction still running (the snapshot's xmin): no row can
later appear before a position a reader has passed. A long transaction delays the feed; it
cannot make it skip. SQLite lets one transaction write at a time, so there ids follow commits,
and txid is 0 for every row.
"""

import base64
import binascii
from dataclasses import dataclass

import django_filters
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from rest_framework import exceptions, generics, pagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from contactcenter.permissions import ReadsOrganisation
from contactcenter.rest import MAX_ID, TimeFilter


def settled(rows: QuerySet) -> QuerySet:
    """The rows no transaction still running can come before (module docstring), and those the
    reader's own transaction wrote, if it wrote any."""
    if connection.vendor != "postgresql":
        return rows
    horizon = RawSQL("pg_snapshot_xmin(pg_current_snapshot())::text::bigint", [])
    own = RawSQL("pg_current_xact_id_if_assigned()::text::bigint", [])
    return rows.filter(Q(txid__lt=horizon) | Q(txid=own))


@dataclass(frozen=True)
class Position:
    """A place in a feed: after the row (txid, id)."""

    txid: int = 0
    id: int = 0

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"{self.txid}.{self.id}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> "Position":
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            txid, id_ = (int(part) for part in raw.split("."))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise exceptions.NotFound("Invalid cursor.", code="invalid_cursor") from None
        if not (0 <= txid <= MAX_ID and 0 <= id_ <= MAX_ID):
            raise exceptions.NotFound("Invalid cursor.", code="invalid_cursor")
        return cls(txid, id_)

    def rows_after(self, rows: QuerySet) -> QuerySet:
        return rows.filter(Q(txid__gt=self.txid) | Q(txid=self.txid, id__gt=self.id))


class FeedPagination(pagination.BasePagination):
    """Pages of a feed in (txid, id) order from `cursor` (the start without one).

    Every page answers `resume`, the cursor to call with next time, even when it is empty
    (then it is the one given): keep it and poll with it. `next` is the URL of the following
    page while the page was full, null once the reader has caught up."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None) -> list:
        self.request = request
        cursor = request.query_params.get(self.cursor_query_param)
        self.position = Position.decode(cursor) if cursor else Position()
        size = self.get_page_size(request)
        rows = self.position.rows_after(settled(queryset)).order_by("txid", "id")
        page = list(rows[:size])
        self.full = len(page) == size
        if page:
            self.position = Position(page[-1].txid, page[-1].id)
        return page

    def get_page_size(self, request: Request) -> int:
        """`page_size` if it is a whole number from 1 up (at most `max_page_size`); the
        default otherwise, as DRF's page-number pagination does."""
        try:
            return pagination._positive_int(
                request.query_params[self.page_size_query_param],
                strict=True,
                cutoff=self.max_page_size,
            )
        except (KeyError, ValueError):
            return self.page_size

    def get_paginated_response(self, data: list) -> Response:
        resume = self.position.encode()
        url = self.request.build_absolute_uri()
        next_url = replace_query_param(url, self.cursor_query_param, resume) if self.full else None
        return Response({"next": next_url, "resume": resume, "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "resume", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The following page; null once caught up.",
                },
                "resume": {
                    "type": "string",
                    "description": "The cursor to poll with next time (also when there "
                    "were no rows).",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the last call stopped: its `resume`.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, up to {self.max_page_size}.",
                "schema": {"type": "integer"},
            },
        ]


def since_filter(rows: str) -> TimeFilter:
    """`since`: where a first sync starts, by time (then it goes on by cursor)."""
    return TimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        help_text=f"Only {rows} written from this time on: where a first sync starts.",
    )


class FeedApi(generics.ListAPIView):
    """A feed's endpoint: supervisors and integration accounts, paged by `FeedPagination`,
    filtered by the view's `filterset_class`."""

    permission_classes = [IsAuthenticated, ReadsOrganisation]
    pagination_class = FeedPagination
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
