"""The customer's conference page and its join endpoint (no sign-in), and the widget's actions
(an agent's). Answers are JSON for the scripts; refusals `{"detail", "code"}` with the
service's status. Every change goes through `cobrowse.services`."""

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from cobrowse import services
from config.security import client_ip
from contactcenter.exceptions import ApplicationError
from contactcenter.models import WidgetKind
from contactcenter.pages import agent_page
from contactcenter.selectors import activities_of_agent
from contactcenter.widgets import widget_render


@require_GET
@ensure_csrf_cookie
def conference_page(request: HttpRequest) -> HttpResponse:
    """The customer's room page: the number from the address's fragment, or typed in."""
    return render(request, "cobrowse/conference.html")


@require_POST
def conference_join(request: HttpRequest) -> JsonResponse:
    """A room number in (`{"number": ...}`), the room's join token and ICE servers out."""
    number = str(_body(request).get("number", ""))
    try:
        admission = services.room_admit(number=number, address=client_ip(request))
    except ApplicationError as refusal:
        return _refused(refusal)
    room = admission.room
    return JsonResponse(
        {
            "number": room.number,
            "socket_path": f"/ws/conference/{room.number}/",
            "token": admission.token,
            "ice_servers": admission.ice_servers,
        }
    )


@agent_page
@require_POST
def room_create(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The widget's Create video room: the widget again, with the room (or why not)."""
    activity = get_object_or_404(activities_of_agent(request.agent), pk=activity_id)
    error = ""
    try:
        services.room_create(activity_id=activity_id, agent=request.agent)
    except ApplicationError as refusal:
        error = refusal.message
    return HttpResponse(widget_render(request, activity, WidgetKind.COBROWSE, error=error))


@agent_page
@require_POST
def room_end(request: HttpRequest, room_id: int) -> HttpResponse:
    try:
        services.room_end(room_id=room_id, agent=request.agent)
    except ApplicationError as refusal:
        return _refused(refusal)
    return HttpResponse(status=204)


@agent_page
@require_POST
def room_send_link(request: HttpRequest, room_id: int) -> HttpResponse:
    try:
        services.room_send_link(room_id=room_id, agent=request.agent)
    except ApplicationError as refusal:
        return _refused(refusal)
    return HttpResponse(status=204)


@agent_page
@require_POST
def room_allow_more(request: HttpRequest, room_id: int) -> HttpResponse:
    allow = _body(request).get("allow") is True
    try:
        services.room_allow_more(room_id=room_id, agent=request.agent, allow=allow)
    except ApplicationError as refusal:
        return _refused(refusal)
    return HttpResponse(status=204)


def _body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _refused(refusal: ApplicationError) -> JsonResponse:
    return JsonResponse({"detail": refusal.message, "code": refusal.code}, status=refusal.status)
