"""What the calendar's tests share: agents in queues, events made through the services."""

from datetime import datetime, timedelta

from django.utils import timezone

from schedule.services import event_create
from tests.factories import AgentFactory, MembershipFactory


def agent_in(*queues, **fields):
    agent = AgentFactory(**fields)
    for queue in queues:
        MembershipFactory(agent=agent, queue=queue)
    return agent


def event_of(agent, title: str = "Team meeting", *, at: datetime | None = None,
             minutes: int = 30, **fields):  # fmt: skip
    """An event of `agent` (None: a queue's, `queue=` given), made as the admin makes it."""
    starts_at = at or timezone.now() + timedelta(hours=1)
    return event_create(by=None, agent=agent, title=title, starts_at=starts_at,
                        ends_at=starts_at + timedelta(minutes=minutes), **fields)  # fmt: skip
