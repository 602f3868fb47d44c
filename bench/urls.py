"""The product's URLs, plus the bare view that the ingest benchmark compares against."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare(request: HttpRequest) -> HttpResponse:
    """The ceiling: what daphne, Django's middleware and a sync view cost with no work at all.

    Sync like the webhook view (so both pay the same hop to Django's sync thread), it reads the
    body as the webhook does and answers as the webhook does, without touching the database.
    """
    _ = request.body
    return HttpResponse("EVENT_RECEIVED", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("", include("config.urls")),
]
