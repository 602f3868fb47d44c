"""Writes to the configuration: queues, agents and who works in which queue. The API, the admin
and the demo data go through these."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import ProtectedError

from contactcenter import events
from contactcenter.exceptions import ApplicationError
from contactcenter.lock_objects import agent_for_update
from contactcenter.models import Agent, Queue, QueueMembership, Status
from contactcenter.outbox import QUEUE_LOGIN, QUEUE_LOGOUT
from contactcenter.services.availability import agent_state_record
from contactcenter.tasks import agent_route as agent_route_task


@transaction.atomic
def queue_create(*, statuses: Iterable[Status] = (), **fields) -> Queue:
    """Create a queue after the model's own validation (constraints included)."""
    queue = Queue(**fields)
    queue.full_clean()
    queue.save()
    queue.statuses.set(statuses)
    return queue


@transaction.atomic
def queue_update(*, queue: Queue, statuses: Iterable[Status] | None = None, **fields) -> Queue:
    """Change the given fields of a queue (and its allowed statuses when given), validated."""
    for name, value in fields.items():
        setattr(queue, name, value)
    queue.full_clean()
    queue.save(update_fields=[*fields, "updated_at"])
    if statuses is not None:
        queue.statuses.set(statuses)
    return queue


def queue_delete(*, queue: Queue) -> None:
    """Delete a queue that never held an activity; one with history is refused (409)."""
    try:
        queue.delete()
    except ProtectedError as exc:
        raise ApplicationError(
            "The queue has activities; it cannot be deleted.",
            code="queue_in_use",
            status=409,
        ) from exc


@transaction.atomic
def agent_create(
    *, username: str, password: str, display_name: str, queues: Iterable[Queue] = ()
) -> Agent:
    """Create a user who is an agent, a member of (and logged into) the given queues."""
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=display_name
    )
    agent = agent_profile_create(user=user, display_name=display_name)
    # A new agent is offline with no page open: nothing to route, nobody to tell (so the demo
    # data loads before Redis and the workers are up).
    QueueMembership.objects.bulk_create(QueueMembership(agent=agent, queue=q) for q in queues)
    return agent


@transaction.atomic
def agent_profile_create(*, user: AbstractBaseUser, **fields) -> Agent:
    """Make an existing user an agent (display name, capacity), validated."""
    agent = Agent(user=user, **fields)
    agent.full_clean()
    agent.save()
    return agent


@transaction.atomic
def agent_update(*, agent_id: int, **fields) -> Agent:
    """Change an agent's profile (display name, capacity), validated. More capacity may make
    them eligible for what waits: they are routed after the commit."""
    agent = agent_for_update(agent_id)
    for name, value in fields.items():
        setattr(agent, name, value)
    agent.full_clean()
    agent.save(update_fields=[*fields, "updated_at"])
    agent_route_task.delay_on_commit(agent.pk)
    return agent


@transaction.atomic
def membership_add(*, agent: Agent, queue: Queue) -> QueueMembership:
    """Make the agent a member of the queue, logged in: their workspace shows it at once, and
    they are routed after the commit (a customer may be waiting there). Refused (400) when the
    agent is a member already."""
    locked = agent_for_update(agent.pk)
    if QueueMembership.objects.filter(agent=agent, queue=queue).exists():
        raise ApplicationError(f"{agent} is already a member of {queue}.", code="already_member")
    membership = QueueMembership.objects.create(agent=agent, queue=queue)
    agent_state_record(locked, change=QUEUE_LOGIN, queue_id=queue.pk)
    events.queues_changed(agent.pk)
    agent_route_task.delay_on_commit(agent.pk)
    return membership


@transaction.atomic
def membership_remove(*, membership_id: int) -> None:
    """The agent no longer works in the queue: it leaves their workspace (a notification
    already ringing from it rings on until answered or expired); integrators hear of a logout
    when they were logged into it. Idempotent."""
    membership = QueueMembership.objects.filter(pk=membership_id).first()
    if membership is None:
        return
    agent = agent_for_update(membership.agent_id)
    QueueMembership.objects.filter(pk=membership_id).delete()
    if membership.logged_in:
        agent_state_record(agent, change=QUEUE_LOGOUT, queue_id=membership.queue_id)
    events.queues_changed(membership.agent_id)
