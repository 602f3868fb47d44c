"""The REST frame in the API schema: the error shape (`contactcenter.rest.exception_handler`)
on every operation, for each status it may answer.

Apart from `contactcenter.rest` because DRF reads its parser setting while `rest_framework.views`
is still loading, and drf-spectacular's schema module imports that module."""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse, extend_schema_field, extend_schema_serializer
from rest_framework import serializers


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string"},
            {"type": "object", "additionalProperties": {}},
        ],
        "description": 'A sentence; for invalid input (`code` "invalid") a mapping of each '
        "field to its messages.",
    }
)
class ErrorDetailField(serializers.JSONField):
    """A sentence, or a mapping of each invalid field to its messages."""


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    """Every refusal of the API has this shape."""

    detail = ErrorDetailField()
    code = serializers.CharField(help_text="The machine-readable reason.")


ERRORS = {
    "400": "Invalid input, or the action is refused as it stands.",
    "401": "Not signed in: no token or session, or a token unknown, revoked or expired.",
    "403": "Signed in, but not allowed to do this (a Read token may only read).",
    "404": "No such object, or one this user may not see.",
    "409": "The action conflicts with the object's current state.",
    "415": "The body is in a media type this operation does not read.",
    "503": "The database is unavailable; nothing was changed: try again after Retry-After seconds.",
}
# Plain writes of a resource: their refusals are about the input (400), never its state (409).
MODEL_WRITES = {"create", "update", "partial_update"}


# The tag (the schema's section) of an operation: the resource its path names last, as in
# /activities/{id}/messages/ (messages) or /queues/{id}/login/ (agents); paths naming none of
# these take their first segment's. Views may set their own (`extend_schema(tags=...)`).
RESOURCE_TAGS = {
    "activities": "activities",
    "offers": "activities",
    "events": "activity events",
    "activity-events": "activity events",
    "messages": "messages",
    "earlier": "messages",
    "attachments": "messages",
    "conversations": "messages",
    "agents": "agents",
    "me": "agents",
    "workspace": "agents",
    "colleagues": "agents",
    "pause": "agents",
    "pause-reasons": "agents",
    "login": "agents",
    "logout": "agents",
    "queues": "queues",
    "channel-accounts": "channels",
    "identities": "customers",
    "accounts": "contacts",
    "contacts": "contacts",
    "contact": "contacts",
    "tickets": "tickets",
    "ticket": "tickets",
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, with the error frame documented on every operation for each status it
    may answer, by the frame's rules rather than one view at a time: 401 and 403 where a user
    must sign in, 404 where the path names an object or a list has pages, 400 where there is
    input (a body, filters) or an action to refuse, 409 for actions, 415 where there is a
    body, 503 everywhere. A status an operation declares itself keeps its own description."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            for status in self._error_statuses(operation):
                response = OpenApiResponse(ErrorSerializer, description=ERRORS[status])
                operation["responses"].setdefault(
                    status, self._get_response_for_code(response, status)
                )
        return operation

    def get_tags(self) -> list[str]:
        segments = [
            segment
            for segment in self.path.removeprefix("/api/v1/").split("/")
            if segment and not segment.startswith("{")
        ]
        named = [RESOURCE_TAGS[segment] for segment in segments if segment in RESOURCE_TAGS]
        return [named[-1] if named else segments[0]]

    def _error_statuses(self, operation: dict) -> list[str]:
        parameters = operation.get("parameters", [])
        where = {parameter["in"] for parameter in parameters}
        paginator = self._get_paginator() if self._is_list_view() else None
        page_parameters = {"page", getattr(paginator, "page_size_query_param", None)}
        filtered = any(
            parameter["in"] == "query" and parameter["name"] not in page_parameters
            for parameter in parameters
        )
        action = self.method not in ("GET", "HEAD") and (
            getattr(self.view, "action", None) not in MODEL_WRITES
        )
        statuses = {
            "400": "requestBody" in operation or filtered or action,
            "401": {} not in operation.get("security", [{}]),
            "404": "path" in where or paginator is not None,
            "409": action,
            "415": "requestBody" in operation,
            "503": True,
        }
        statuses["403"] = statuses["401"]
        return sorted(status for status, applies in statuses.items() if applies)
