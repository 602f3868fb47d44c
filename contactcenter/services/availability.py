"""Whether an agent can be rung: queue logins, being online, and pauses.

Every change that can make an agent eligible asks routing to look at them after the commit
(`agent_route`); the agent's row is locked first, so routing never claims them half-changed.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from contactcenter import events
from contactcenter.exceptions import ApplicationError
from contactcenter.lock_objects import agent_for_update, open_pause_for_update
from contactcenter.models import Agent, Offer, Pause, PauseCause, PauseReason, QueueMembership
from contactcenter.outbox import (
    OFFLINE,
    ONLINE,
    PAUSE_ENDED,
    PAUSE_STARTED,
    QUEUE_LOGIN,
    QUEUE_LOGOUT,
    agent_state_data,
    outbox_record,
)
from contactcenter.tasks import agent_route as agent_route_task

MISSED_OFFER_REASON = "Missed notification"


@transaction.atomic(durable=True)
def queue_login(*, agent: Agent, queue_id: int, logged_in: bool, actor: AbstractBaseUser) -> None:
    """Log the agent into (or out of) one of their queues. Logging in routes them at once.

    Idempotent (integrators hear only of a real change). Refused (404) for a queue the agent is
    not a member of. A supervisor may log an agent out from the admin (actor is the supervisor).
    """
    locked = agent_for_update(agent.pk)
    membership = QueueMembership.objects.filter(agent=agent, queue_id=queue_id)
    was_logged_in = membership.values_list("logged_in", flat=True).first()
    if was_logged_in is None:
        raise ApplicationError("You are not a member of this queue.", code="not_found", status=404)
    membership.update(logged_in=logged_in, updated_at=timezone.now())
    if was_logged_in != logged_in:
        change = QUEUE_LOGIN if logged_in else QUEUE_LOGOUT
        agent_state_record(locked, change=change, queue_id=queue_id)
    events.queues_changed(agent.pk)
    if logged_in:
        agent_route_task.delay_on_commit(agent.pk)


@transaction.atomic(durable=True)
def agent_set_online(*, agent_id: int, online: bool) -> bool:
    """Record that the agent's workspace is connected (or, after the grace period, is not).
    Going online routes them. Idempotent; returns whether anything changed."""
    agent = agent_for_update(agent_id)
    if agent is None or agent.is_online == online:
        return False
    agent.is_online = online
    agent.presence_changed_at = timezone.now()
    agent.save(update_fields=["is_online", "presence_changed_at", "updated_at"])
    agent_state_record(agent, change=ONLINE if online else OFFLINE)
    events.monitor_hint(agent_ids=[agent.pk])
    if online:
        agent_route_task.delay_on_commit(agent.pk)
    return True


@transaction.atomic(durable=True)
def pause_start(*, agent: Agent, reason_id: int) -> Pause:
    """The agent pauses with a reason: no notifications until the pause ends. A pause already
    running is ended and replaced (changing the reason). Refused (400) for an unknown reason
    or the system's missed-notification reason, which only a missed deadline starts."""
    reason = PauseReason.objects.filter(pk=reason_id, is_missed_offer=False).first()
    if reason is None:
        raise ApplicationError("Choose one of the pause reasons.", code="invalid_reason")
    locked = agent_for_update(agent.pk)
    _end_open_pause(agent, ended_by=agent.user)
    pause = Pause.objects.create(agent=agent, reason=reason, cause=PauseCause.MANUAL)
    agent_state_record(locked, change=PAUSE_STARTED)
    events.pause_changed(agent.pk, pause)
    return pause


@transaction.atomic(durable=True)
def pause_end(*, agent: Agent, actor: AbstractBaseUser) -> bool:
    """End the agent's pause (by the agent, or a supervisor from the admin) and route them.
    Idempotent: returns False when they were not paused."""
    locked = agent_for_update(agent.pk)
    if not _end_open_pause(agent, ended_by=actor):
        return False
    agent_state_record(locked, change=PAUSE_ENDED)
    events.pause_changed(agent.pk, None)
    agent_route_task.delay_on_commit(agent.pk)
    return True


def pause_for_missed_offer(*, offer: Offer) -> Pause:
    """Put the agent who let `offer` run out on the unpaid missed-notification pause (replacing
    any pause they started meanwhile). Caller holds the offer's activity and the offer."""
    agent = agent_for_update(offer.agent_id)
    reason, _ = PauseReason.objects.get_or_create(
        is_missed_offer=True, defaults={"name": MISSED_OFFER_REASON, "paid": False}
    )
    _end_open_pause(agent, ended_by=None)
    pause = Pause.objects.create(
        agent=agent, reason=reason, cause=PauseCause.MISSED_OFFER, offer=offer
    )
    agent_state_record(agent, change=PAUSE_STARTED)
    events.pause_changed(agent.pk, pause)
    return pause


def agent_state_record(agent: Agent, *, change: str, queue_id: int | None = None) -> None:
    """Report the agent's new state to integrators. Caller holds `agent_for_update(agent.pk)`
    and passes the row it returned (read under the lock, so `online` is current)."""
    outbox_record(
        type="agent.state_changed", data=agent_state_data(agent, change=change, queue_id=queue_id)
    )


def _end_open_pause(agent: Agent, *, ended_by: AbstractBaseUser | None) -> bool:
    """Caller holds `agent_for_update(agent.pk)`."""
    pause = open_pause_for_update(agent)
    if pause is None:
        return False
    pause.ended_at = timezone.now()
    pause.ended_by = ended_by
    pause.save(update_fields=["ended_at", "ended_by", "updated_at"])
    return True
