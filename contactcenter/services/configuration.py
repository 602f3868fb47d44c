"""Writes to the configuration: queues and agents. The API and the demo data go through these."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError

from contactcenter.exceptions import ApplicationError
from contactcenter.models import Agent, Queue, QueueMembership, Status


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
    agent = Agent(user=user, display_name=display_name)
    agent.full_clean()
    agent.save()
    for queue in queues:
        QueueMembership.objects.create(agent=agent, queue=queue)
    return agent
