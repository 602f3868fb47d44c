"""Reads of rooms: the widget's room, who is in a room, where a number leads."""

from django.db.models import QuerySet

from cobrowse.models import Participant, Room
from contactcenter.models import Activity, Agent
from contactcenter.selectors import agent_takes_part


def open_room_of(activity: Activity) -> Room | None:
    """The activity's room nobody has ended (there is at most one)."""
    return Room.objects.filter(activity=activity, ended_at__isnull=True).first()


def room_by_number(number: str) -> Room | None:
    return Room.objects.filter(number=number).select_related("activity").first()


def present_in(room_id: int) -> QuerySet[Participant]:
    """Who is connected to the room now, in the order they came."""
    return Participant.objects.filter(room_id=room_id, left_at__isnull=True).order_by(
        "joined_at", "pk"
    )


def agent_may_join(*, agent: Agent, room: Room) -> bool:
    """The room's own agent, or a colleague taking part in its activity (invited to it)."""
    return room.created_by_id == agent.pk or agent_takes_part(agent=agent, activity=room.activity)
