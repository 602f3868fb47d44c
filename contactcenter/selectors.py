"""Read queries used by more than one caller, scoped to what the acting user may see.

Who sees an activity: agents the activities they own, those they take part in (invited and not
left) and those waiting in their queues; supervisors and integration accounts every one; anyone
else none. An agent's
tabs are the open and postponed activities they take part in, by the same test.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from contactcenter.models import (
    Activity,
    ActivityEvent,
    ActivityState,
    Agent,
    EventKind,
    Offer,
    OfferOutcome,
    Participant,
    Pause,
    Queue,
    QueueMembership,
    RoutingStrategy,
)
from contactcenter.permissions import in_integration_group, is_supervisor


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
    """Supervisors and integration accounts see every queue; agents the queues they are members
    of; anonymous users none."""
    queues = Queue.objects.all()
    if not user.is_authenticated:
        return queues.none()
    if is_supervisor(user):
        return queues
    member = QueueMembership.objects.filter(queue=OuterRef("pk"), agent__user=user)
    return queues.filter(in_integration_group(user) | Exists(member))


def _taking_part(**agent) -> Exists:
    """The activity has the agent (`agent=` or `agent__user=`) among those taking part now."""
    return Exists(
        Participant.objects.filter(activity=OuterRef("pk"), left_at__isnull=True, **agent)
    )


def activities_visible_to(user: AbstractBaseUser) -> QuerySet[Activity]:
    """Every activity for supervisors and integration accounts; for agents their own, invited
    and queue-waiting ones."""
    activities = Activity.objects.all()
    if not user.is_authenticated:
        return activities.none()
    if is_supervisor(user):
        return activities
    member = QueueMembership.objects.filter(queue=OuterRef("queue"), agent__user=user)
    return activities.filter(
        in_integration_group(user)
        | Q(owner__user=user)
        | _taking_part(agent__user=user)
        | (Q(state=ActivityState.WAITING) & Exists(member))
    )


def activities_readable_by(user: AbstractBaseUser) -> QuerySet[Activity]:
    """What the user may read, not only work in: the activities they can see, any activity
    paired with a CRM contact (the contact's history is every agent's, as the CRM is), and the
    earlier chats of the customers they are talking to now."""
    if not user.is_authenticated:
        return Activity.objects.none()
    if is_supervisor(user):
        return Activity.objects.all()
    talking_to = Participant.objects.filter(agent__user=user, left_at__isnull=True).values(
        "activity__identity"
    )
    visible = activities_visible_to(user).values("pk")
    return Activity.objects.filter(
        Q(pk__in=visible) | Q(contact__isnull=False) | Q(identity__in=talking_to)
    )


def agent_takes_part(*, agent: Agent, activity: Activity) -> bool:
    """Whether the agent may write in the activity: its owner, or a participant still in it."""
    if activity.owner_id == agent.pk:
        return True
    return Participant.objects.filter(activity=activity, agent=agent, left_at__isnull=True).exists()


def activities_for_payload() -> QuerySet[Activity]:
    """Activities with everything `ActivitySerializer` reads, in one query."""
    return Activity.objects.select_related(
        "queue", "owner", "status", "channel_account", "identity", "contact__account", "ticket"
    )


def activities_in_detail() -> QuerySet[Activity]:
    """As `activities_for_payload`, plus the agents taking part (`ActivityDetailSerializer`)."""
    present = Participant.objects.filter(left_at__isnull=True).select_related("agent")
    return activities_for_payload().prefetch_related(
        Prefetch("participants", queryset=present.order_by("joined_at", "pk"),
                 to_attr="present_participants")
    )  # fmt: skip


def activity_with_offered_to() -> QuerySet[Activity]:
    """As `activities_for_payload`, plus the name of the agent a pending offer rings."""
    ringing = Offer.objects.filter(activity=OuterRef("pk"), outcome=OfferOutcome.PENDING)
    return activities_for_payload().annotate(
        offered_to=Subquery(ringing.values("agent__display_name")[:1])
    )


def waiting_for_agent(agent: Agent) -> QuerySet[Activity]:
    """Every waiting activity of the agent's queues, logged in or not, oldest first."""
    return (
        activity_with_offered_to()
        .filter(state=ActivityState.WAITING, queue__memberships__agent=agent)
        .order_by("queued_at", "pk")
    )


def activities_of_agent(agent: Agent) -> QuerySet[Activity]:
    """The open and postponed activities the agent takes part in (owner or invited)."""
    return (
        activities_in_detail()
        .filter(_taking_part(agent=agent), state__in=[ActivityState.OPEN, ActivityState.POSTPONED])
        .order_by("accepted_at", "pk")
    )


def pending_offers_for(agent: Agent) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(agent=agent, outcome=OfferOutcome.PENDING)
        .select_related(
            "sent_by",
            "invited_queue",
            "activity__queue",
            "activity__owner",
            "activity__status",
            "activity__channel_account",
            "activity__identity",
            "activity__contact__account",
            "activity__ticket",
        )
        .order_by("deadline", "pk")
    )


def events_of(activity: Activity, *, audit: bool = False) -> QuerySet[ActivityEvent]:
    """The activity's history oldest first, with who did it and whom it concerned; with
    `audit` (supervisors only) also who watched it silently, which agents are never shown."""
    events = ActivityEvent.objects.filter(activity=activity)
    if not audit:
        events = events.exclude(kind=EventKind.MONITORED)
    return events.select_related("actor__agent", "agent").order_by("created_at", "pk")


def event_feed(*, audit: bool = False) -> QuerySet[ActivityEvent]:
    """Every activity's history, with what `ActivityEventFeedSerializer` reads (the feed's
    order is `contactcenter.feeds`'); `audit` as in `events_of`."""
    events = ActivityEvent.objects.select_related("actor__agent", "agent").prefetch_related(
        "actor__groups"
    )
    return events if audit else events.exclude(kind=EventKind.MONITORED)


def agents_with_state() -> QuerySet[Agent]:
    """Every agent as they are now: `pause` (the open one, or None), `load` and `open_chats`,
    and their memberships with the queues, in a constant number of queries."""
    open_pause = Pause.objects.filter(ended_at__isnull=True).select_related("reason")
    memberships = QueueMembership.objects.select_related("queue").order_by("queue__number")
    return (
        Agent.objects.select_related("user")
        .annotate(load=agent_load(), open_chats=open_chats())
        .prefetch_related(
            Prefetch("pauses", queryset=open_pause, to_attr="open_pauses"),
            Prefetch("memberships", queryset=memberships),
        )
        .order_by("display_name", "pk")
    )


def open_pause_of(agent: Agent) -> Pause | None:
    return Pause.objects.filter(agent=agent, ended_at__isnull=True).select_related("reason").first()


def participant_ids(activity: Activity) -> list[int]:
    """The agents taking part in the activity now: who receives its events."""
    return list(
        Participant.objects.filter(activity=activity, left_at__isnull=True).values_list(
            "agent_id", flat=True
        )
    )


def colleagues_of(agent: Agent) -> QuerySet[Agent]:
    """Every other agent, with what the transfer and invite dialog shows of them: online,
    `paused_for` (the reason of their pause, or None), `load` (open chats and notifications
    ringing) against max_open_chats, and their memberships. Available ones first."""
    pause_reason = Pause.objects.filter(agent=OuterRef("pk"), ended_at__isnull=True).values(
        "reason__name"
    )[:1]
    memberships = QueueMembership.objects.select_related("queue").order_by("queue__number")
    return (
        Agent.objects.exclude(pk=agent.pk)
        .annotate(paused_for=Subquery(pause_reason), load=agent_load())
        .prefetch_related(Prefetch("memberships", queryset=memberships))
        .order_by(F("is_online").desc(), F("paused_for").asc(nulls_first=True), "display_name")
    )


def agent_load() -> Coalesce:
    """Open activities owned plus notifications ringing: what counts against max_open_chats."""
    return open_chats() + offers_ringing()


def open_chats() -> Coalesce:
    """The open activities the agent owns. Postponed activities are parked and do not count."""
    owned = (
        Activity.objects.filter(owner=OuterRef("pk"), state=ActivityState.OPEN)
        .order_by()
        .values("owner")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(owned, output_field=IntegerField()), 0)


def offers_ringing() -> Coalesce:
    """The agent's notifications still ringing."""
    ringing = (
        Offer.objects.filter(agent=OuterRef("pk"), outcome=OfferOutcome.PENDING)
        .order_by()
        .values("agent")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ringing, output_field=IntegerField()), 0)


DECLINED = [OfferOutcome.REJECTED, OfferOutcome.EXPIRED]


def eligible_agents(
    *, queue: Queue, activity: Activity, new: bool = False, rounds: bool = False
) -> QuerySet[Agent]:
    """Agents routing may ring for the activity, best first: logged into the queue, online,
    not paused, under capacity, not already in it.

    Agents who already rejected or missed the activity are left out, unless `rounds`: a
    customer's routing must never be stranded by declines, so there they only come after
    everyone who has not declined it, the one who declined longest ago first (once everyone has
    declined, a new round starts, and whoever declined last is rung last). `new`: the caller's
    transaction has just created the activity, so nobody can have declined it or be in it, and
    those two checks are left out (1.5 ms of the worker's 17 per new customer,
    bench/e2e_latency.py)."""
    paused = Pause.objects.filter(agent=OuterRef("pk"), ended_at__isnull=True)
    logged_in = QueueMembership.objects.filter(agent=OuterRef("pk"), queue=queue, logged_in=True)
    agents = Agent.objects.filter(Exists(logged_in), is_online=True).exclude(Exists(paused))
    round_order = []
    if not new:
        taking_part = Participant.objects.filter(
            agent=OuterRef("pk"), activity=activity, left_at__isnull=True
        )
        agents = agents.exclude(Exists(taking_part))
        agents, round_order = _declines(agents, activity=activity, rounds=rounds)
    agents = agents.annotate(load=agent_load()).filter(load__lt=F("max_open_chats"))
    idle_longest = F("last_offered_at").asc(nulls_first=True)
    if queue.routing_strategy == RoutingStrategy.LEAST_BUSY:
        return agents.order_by(*round_order, "load", idle_longest, "pk")
    return agents.order_by(*round_order, idle_longest, "pk")


def _declines(
    agents: QuerySet[Agent], *, activity: Activity, rounds: bool
) -> tuple[QuerySet, list]:
    """`agents` without those who rejected or missed the activity, or, with `rounds`, all of
    them and the ordering that puts those who declined after the rest, longest ago first."""
    declined = Offer.objects.filter(agent=OuterRef("pk"), activity=activity, outcome__in=DECLINED)
    if not rounds:
        return agents.exclude(Exists(declined)), []
    last = declined.order_by("-decided_at").values("decided_at")[:1]
    return agents.alias(declined_at=Subquery(last)), [F("declined_at").asc(nulls_first=True)]
