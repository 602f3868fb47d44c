"""Every row lock of the core, in one place, so they are always taken in one order:
activity, then its offers, then agents (routing's claims skip locked agents), then pauses.

`no_key=True` everywhere: these rows are updated, never deleted or re-keyed under the lock, so
inserts that reference them (offers, messages, events) are not blocked.
"""

from django.db.models import QuerySet

from contactcenter.models import Activity, Agent, Offer, Pause


def activity_for_update(activity_id: int) -> Activity | None:
    return (
        Activity.objects.filter(pk=activity_id)
        .select_related(
            "queue", "owner", "status", "channel_account", "identity", "contact__account"
        )
        .select_for_update(of=("self",), no_key=True)
        .first()
    )


def activities_of_identity_for_update(identity_id: int) -> list[Activity]:
    """Every activity of one customer on a channel, in pk order."""
    return list(
        Activity.objects.filter(identity_id=identity_id)
        .order_by("pk")
        .select_for_update(of=("self",), no_key=True)
    )


def pending_offer_for_update(activity: Activity) -> Offer | None:
    """Caller holds `activity_for_update(activity.pk)`."""
    return (
        Offer.objects.filter(activity=activity, outcome="pending")
        .select_related("agent")
        .select_for_update(of=("self",), no_key=True)
        .first()
    )


def offer_for_update(offer_id: int) -> Offer | None:
    """Caller holds the lock of the offer's activity."""
    return (
        Offer.objects.filter(pk=offer_id)
        .select_related("agent", "invited_queue")
        .select_for_update(of=("self",), no_key=True)
        .first()
    )


def agent_for_update(agent_id: int) -> Agent | None:
    return Agent.objects.filter(pk=agent_id).select_for_update(of=("self",), no_key=True).first()


def agent_claim(candidates: QuerySet[Agent]) -> Agent | None:
    """Routing's claim: the first of `candidates` (in their order) that no other transaction
    holds, locked; None when there is none (those held are being changed: the next routing
    pass or sweep tries them again)."""
    return candidates.select_for_update(of=("self",), no_key=True, skip_locked=True).first()


def open_pause_for_update(agent: Agent) -> Pause | None:
    """Caller holds `agent_for_update(agent.pk)`."""
    return (
        Pause.objects.filter(agent=agent, ended_at__isnull=True)
        .select_related("reason")
        .select_for_update(of=("self",), no_key=True)
        .first()
    )
