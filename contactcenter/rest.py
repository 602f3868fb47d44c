"""The REST API's frame: one error shape, one pagination, one JSON parser, one throttling, and
one filter by id and one by time for every endpoint (`contactcenter.openapi` describes the
errors in the schema)."""

import datetime
import logging

import django_filters
import redis
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404, JsonResponse
from django_filters.fields import IsoDateTimeField
from rest_framework import exceptions, pagination, parsers, throttling
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from contactcenter.exceptions import ApplicationError

logger = logging.getLogger(__name__)


# The largest id a row can have (a 64-bit primary key).
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A filter by id: a whole number from 0 to MAX_ID, or a 400 saying so. django-filter's
    NumberFilter takes any decimal, and one beyond the database's integers fails the query."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, min_value=0, max_value=MAX_ID, **kwargs)


class _UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, turned to UTC here: PostgreSQL refuses offsets beyond +-15:59, which
    ISO 8601 allows, and a time that UTC would put outside the years 1 to 9999 is invalid."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError("Enter a time between the years 1 and 9999.") from None


class TimeFilter(django_filters.IsoDateTimeFilter):
    """A filter by time (ISO 8601, with its offset), or a 400 saying what is wrong."""

    field_class = _UtcDateTimeField


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class _FailOpen:
    """A throttle keeps its counts in the Redis cache. With Redis down the call goes through
    (logged): an agent's action is answered as done without Redis, and must stay so."""

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except redis.RedisError:
            logger.warning("API throttling skipped: Redis is unreachable", exc_info=True)
            return True


class UserRateThrottle(_FailOpen, throttling.UserRateThrottle):
    """Per user, however authenticated (an agent's session, an integrator's token)."""


class AnonRateThrottle(_FailOpen, throttling.AnonRateThrottle):
    """Per address, for calls without credentials."""


class DatabaseUnavailable(exceptions.APIException):
    """The database did not answer in time (down, or every pooled connection busy for
    DATABASE_CONNECT_TIMEOUT): nothing was changed, and the same call may succeed shortly."""

    status_code = 503
    default_detail = "The database is unavailable; nothing was changed. Try again shortly."
    default_code = "database_unavailable"
    wait = 5  # seconds, sent as Retry-After


def _as_api_exception(exc: Exception) -> Exception:
    """The DRF exception that stands for `exc`, so that every error carries a code."""
    if isinstance(exc, ApplicationError):
        api_exc = exceptions.APIException(detail=exc.message, code=exc.code)
        api_exc.status_code = exc.status
        return api_exc
    if isinstance(exc, DjangoValidationError):
        detail = as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        return exceptions.ValidationError(detail=detail)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, OperationalError):
        logger.warning("API call refused: the database is unavailable", exc_info=True)
        return DatabaseUnavailable()
    return exc


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every error as {"detail": ..., "code": ...}.

    `detail` is a sentence, or for invalid input a mapping of field to messages; `code` is the
    machine-readable reason ("not_authenticated", "not_found", "invalid", a domain code, ...).
    """
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": response.data, "code": "invalid"}
    else:
        response.data = {"detail": str(exc.detail), "code": exc.get_codes()}
    return response


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing JSON nested too deep to decode as it refuses any other bad
    JSON (400 `parse_error`). Python's decoder gives up on deep nesting with a RecursionError,
    which DRF lets through as a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from exc


def not_found_response() -> JsonResponse:
    """404 in the error frame, for an API URL that no route matches (`config.urls` answers
    those with it rather than with Django's HTML page)."""
    exc = exceptions.NotFound()
    return JsonResponse({"detail": str(exc.detail), "code": exc.get_codes()}, status=404)
