"""Demo video rooms: the Co-browsing widget in the Sales and Support queues' layouts, and one
finished call in the history of a closed Support chat of Alice's (created, the customer
joined and left, ended), so the admin's rooms and the chat's history show one.

Written as a fixture, backdated, once (the room number is how a second load knows): no
service stamps the past, and loading neither publishes nor sends anything."""

from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from cobrowse.models import Participant, Role, Room
from contactcenter.demo import DemoBase
from contactcenter.models import (
    Activity,
    ActivityEvent,
    ActivityState,
    Agent,
    EventKind,
    QueueWidget,
    WidgetKind,
)

LAYOUT_QUEUES = (100, 200)
DEMO_ROOM_NUMBER = "4815162342"
DEMO_AGENT = "alice"


def demo_load(base: DemoBase) -> None:
    """Idempotent."""
    for number in LAYOUT_QUEUES:
        queue = base.queues[number]
        if not QueueWidget.objects.filter(queue=queue, kind=WidgetKind.COBROWSE).exists():
            last = QueueWidget.objects.filter(queue=queue).aggregate(last=Max("position"))["last"]
            QueueWidget.objects.create(
                queue=queue, kind=WidgetKind.COBROWSE, position=(last or 0) + 1
            )
    agent = Agent.objects.filter(user__username=DEMO_AGENT).first()
    if agent is None or Room.objects.filter(number=DEMO_ROOM_NUMBER).exists():
        return
    _finished_call(base, agent)


def _finished_call(base: DemoBase, agent: Agent) -> None:
    start = timezone.now() - timedelta(days=1, hours=3)
    at = {minutes: start + timedelta(minutes=minutes) for minutes in (0, 1, 2, 3, 14, 15, 16)}
    activity = Activity.objects.create(
        queue=base.queues[200], owner=agent, title="Router set-up (video call)",
        state=ActivityState.CLOSED, started_by_agent=True, queued_at=at[0], accepted_at=at[0],
        first_accepted_at=at[0], closed_at=at[16],
    )  # fmt: skip
    room = Room.objects.create(
        number=DEMO_ROOM_NUMBER, activity=activity, created_by=agent, opened_at=at[1],
        ended_at=at[15],
    )  # fmt: skip
    Participant.objects.create(
        room=room, role=Role.AGENT, agent=agent, peer="demo-agent", label=agent.display_name,
        joined_at=at[1], left_at=at[15],
    )  # fmt: skip
    Participant.objects.create(
        room=room, role=Role.CUSTOMER, peer="demo-customer", label="Customer", joined_at=at[3],
        left_at=at[14],
    )  # fmt: skip
    history = [
        (at[0], EventKind.STARTED, agent.user, {}),
        (at[1], EventKind.COBROWSE, agent.user, _line(f"created by {agent.display_name}")),
        (at[3], EventKind.COBROWSE, None, _line("Customer joined")),
        (at[14], EventKind.COBROWSE, None, _line("Customer left")),
        (at[15], EventKind.COBROWSE, agent.user, _line(f"ended by {agent.display_name}")),
        (at[16], EventKind.CLOSED, agent.user, {}),
    ]
    for when, kind, actor, data in history:
        event = ActivityEvent.objects.create(activity=activity, kind=kind, actor=actor, data=data)
        ActivityEvent.objects.filter(pk=event.pk).update(created_at=when)


def _line(text: str) -> dict:
    return {"room": DEMO_ROOM_NUMBER, "text": text}
