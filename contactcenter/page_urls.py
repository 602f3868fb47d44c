"""The URLs the workspace's scripts call, from one source: Django's URL names.

The workspace page carries them once, as JSON (`page_urls`), each reversed with a `{argument}`
place for every argument, and `cc/urls.js` builds a URL from a name and its arguments; so no
script writes a path, and a route that moves in a `urls.py` moves for the scripts too.

The core lists its own routes here. An app lists those of its routes that the page's scripts
call from its `AppConfig.ready` (`page_urls_register`), as it delivers its widgets: the core
names no other app's routes.
"""

from django.urls import reverse

# URL name -> the names of its arguments.
_URLS: dict[str, tuple[str, ...]] = {
    "login": (),
    "activity-screen": ("activity_id",),
    "transfer-targets": (),
    "emoji": (),
    "api-offer-accept": ("offer_id",),
    "api-offer-reject": ("offer_id",),
    "api-activity-accept": ("activity_id",),
    "api-activity-resume": ("activity_id",),
    "api-activity-events": ("pk",),
    "api-activity-status": ("activity_id",),
    "api-activity-important": ("activity_id",),
    "api-activity-invite": ("activity_id",),
    "api-activity-transfer": ("activity_id",),
    "api-activity-postpone": ("activity_id",),
    "api-activity-leave": ("activity_id",),
    "api-activity-close": ("activity_id",),
    "api-pause": (),
    "api-queue-login": ("queue_id",),
    "api-queue-logout": ("queue_id",),
}

# reverse() checks each argument against its route's converter, so an argument is reversed as
# this number (an id no route spells out), then replaced by its `{argument}` place.
_MARK = 9_000_000_000


def page_urls_register(urls: dict[str, tuple[str, ...]]) -> None:
    """An app names the routes of its own that the page's scripts call, each with the names of
    its arguments, from its `AppConfig.ready`."""
    _URLS.update(urls)


def page_urls() -> dict[str, str]:
    """Every listed URL by name, with its arguments' places: `"api-activity-close":
    "/api/v1/activities/{activity_id}/close/"`."""
    return {name: _with_places(name, arguments) for name, arguments in _URLS.items()}


def _with_places(name: str, arguments: tuple[str, ...]) -> str:
    marks = {argument: str(_MARK + index) for index, argument in enumerate(arguments)}
    url = reverse(name, kwargs=marks)
    for argument, mark in marks.items():
        url = url.replace(mark, f"{{{argument}}}")
    return url
