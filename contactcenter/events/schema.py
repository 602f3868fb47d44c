"""What an event is: a `TypedDict` per type, registered by its `type`, and the check that holds
an event to its definition (the suite checks every event a test publishes; see
tests/conftest.py).

A definition lists the keys a page receives besides `stream` and `event_id`, which the
transport adds to every event it publishes. Nested documents (an activity, an offer, a
message) are typed `dict`: their shape is their serializer's.
"""

import types
import typing
from typing import Literal, get_args, get_origin, get_type_hints

DEFINITIONS: dict[str, type] = {}


def define(*names: str):
    """Register a `TypedDict` as the definition of the event types `names` (the values its
    `type` key may take)."""

    def register(definition: type) -> type:
        for name in names:
            DEFINITIONS[name] = definition
        return definition

    return register


def event_problems(event: dict, *, published: bool = True) -> list[str]:
    """Why `event`, as a page receives it, does not match its definition (empty: it does).
    `published`: it came through the transport (a snapshot does not), which numbers it."""
    definition = DEFINITIONS.get(event.get("type"))
    if definition is None:
        return [f"no definition for the event type {event.get('type')!r}"]
    hints = get_type_hints(definition)
    problems = []
    numbering = {"stream", "event_id"} if published else set()
    if published:
        problems += _numbering_problems(event)
    for key in sorted(set(hints) - set(event)):
        problems.append(f"{key!r} is missing")
    for key in sorted(set(event) - set(hints) - numbering):
        problems.append(f"{key!r} is not in the definition")
    for key, hint in hints.items():
        if key in event and not _conforms(event[key], hint):
            problems.append(f"{key!r} is {event[key]!r}, not {hint}")
    return problems


def _numbering_problems(event: dict) -> list[str]:
    problems = []
    if not isinstance(event.get("stream"), str):
        problems.append(f"stream {event.get('stream')!r} is not a stream's name")
    event_id = event.get("event_id")
    if type(event_id) is not int or event_id < 1:
        problems.append(f"event_id {event_id!r} is not a positive whole number")
    return problems


def _conforms(value, hint) -> bool:
    origin = get_origin(hint)
    if origin is Literal:
        return value in get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, option) for option in get_args(hint))
    if origin is list:
        (item,) = get_args(hint)
        return isinstance(value, list) and all(_conforms(each, item) for each in value)
    if hint is type(None):
        return value is None
    if hint is int:
        return type(value) is int  # a bool is not a number here
    return isinstance(value, origin or hint)
