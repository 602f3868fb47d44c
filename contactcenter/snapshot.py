"""Everything a workspace page shows, in one document: sent on (re)connect and on resync over
the websocket, and served at /api/v1/workspace/. A fixed number of queries, whatever the load."""

from django.utils import timezone

from contactcenter import events
from contactcenter.models import Agent, PauseReason, QueueMembership
from contactcenter.selectors import (
    activities_of_agent,
    open_pause_of,
    pending_offers_for,
    waiting_for_agent,
)
from contactcenter.serializers import (
    ActivityDetailSerializer,
    ActivitySerializer,
    MembershipSerializer,
    OfferSerializer,
    PauseReasonSerializer,
    PauseSerializer,
)


def agent_snapshot(agent_id: int) -> dict:
    """The agent's state now. The last event id of each stream the workspace follows is read
    before the state: any event after it is newer than this snapshot, so a page applies the
    events with a larger id and ignores the rest."""
    memberships = list(QueueMembership.objects.filter(agent_id=agent_id).select_related("queue"))
    streams = events.workspace_streams(agent_id, [each.queue_id for each in memberships])
    event_ids = events.last_event_ids(streams)
    agent = Agent.objects.get(pk=agent_id)
    pause = open_pause_of(agent)
    reasons = PauseReason.objects.filter(is_missed_offer=False)
    return {
        "type": events.SNAPSHOT,
        "event_ids": event_ids,
        "server_time": timezone.now().isoformat(),
        "agent": {
            "id": agent.pk,
            "display_name": agent.display_name,
            "max_open_chats": agent.max_open_chats,
            "is_online": agent.is_online,
        },
        "pause": PauseSerializer(pause).data if pause else None,
        "pause_reasons": PauseReasonSerializer(reasons, many=True).data,
        "queues": MembershipSerializer(memberships, many=True).data,
        "offers": OfferSerializer(pending_offers_for(agent), many=True).data,
        "activities": ActivityDetailSerializer(activities_of_agent(agent), many=True).data,
        "waiting": ActivitySerializer(waiting_for_agent(agent), many=True).data,
    }
