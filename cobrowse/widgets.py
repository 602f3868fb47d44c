"""The Co-browsing widget of the activity screen: Create video room, or the activity's open room
with the videos and controls (cobrowse/static/cobrowse/widget.js runs the call).

The widget carries no `data-widget-url`: the screen redraws such widgets whenever the activity
changes (a history line is such a change), which would cut a call; the script redraws it
itself, from `data-cobrowse-url`, when the room opens or ends."""

import json

from django.http import HttpRequest
from django.urls import reverse

from cobrowse.ice import ice_servers_for
from cobrowse.selectors import agent_may_join, open_room_of
from cobrowse.services import room_url
from contactcenter.models import Activity, QueueWidget, WidgetKind
from contactcenter.widgets import Widget


def cobrowse_widget_context(request: HttpRequest, activity: Activity, _: QueueWidget) -> dict:
    room = open_room_of(activity)
    agent = request.agent
    if room is None or not agent_may_join(agent=agent, room=room):
        return {"room": None, "create_url": reverse("cobrowse:room-create", args=[activity.pk])}
    return {
        "room": room,
        "room_url": room_url(room),
        "mine": room.created_by_id == agent.pk,
        "ice_servers": json.dumps(ice_servers_for(f"agent{agent.pk}")),
        "socket_path": f"/ws/conference/{room.number}/",
    }


WIDGETS = {WidgetKind.COBROWSE: Widget("cobrowse/widgets/cobrowse.html", cobrowse_widget_context)}
