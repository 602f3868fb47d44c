"""Read queries used by more than one caller, scoped to what the acting user may see."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet

from contactcenter.models import Activity, Agent, Participant, Queue, QueueMembership
from contactcenter.permissions import is_supervisor


def agent_for_user(user: AbstractBaseUser) -> Agent | None:
    """The user's Agent with its memberships and their queues (one query for both), or None
    for users who are not agents (supervisors, integrators)."""
    memberships = QueueMembership.objects.select_related("queue")
    return (
        Agent.objects.filter(user=user)
        .prefetch_related(Prefetch("memberships", queryset=memberships))
        .first()
    )


def queues_visible_to(user: AbstractBaseUser) -> QuerySet[Queue]:
    """Supervisors see every queue; agents the queues they are members of; anonymous users none."""
    queues = Queue.objects.all()
    if not user.is_authenticated:
        return queues.none()
    if is_supervisor(user):
        return queues
    return queues.filter(memberships__agent__user=user)


def agent_takes_part(*, agent: Agent, activity: Activity) -> bool:
    """Whether the agent may write in the activity: its owner, or a participant still in it."""
    if activity.owner_id == agent.pk:
        return True
    return Participant.objects.filter(activity=activity, agent=agent, left_at__isnull=True).exists()
