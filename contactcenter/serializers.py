"""How activities, offers, pauses and queues look to agents: one shape for the websocket events
and the REST API, so a page that resyncs over either sees the same thing.

Each serializer reads only what `selectors.activities_for_payload()` (and its relatives) load,
so a page of them costs a fixed number of queries.
"""

from django.contrib.auth.models import AbstractBaseUser
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from contactcenter.models import (
    Activity,
    ActivityEvent,
    Agent,
    Offer,
    Pause,
    PauseReason,
    QueueMembership,
)
from contactcenter.permissions import INTEGRATION_GROUP
from contactcenter.placeholders import activity_admin_url


class QueueBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    name = serializers.CharField()


class AgentBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class StatusBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ContactBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    account = serializers.SerializerMethodField()

    @extend_schema_field({"type": "object", "nullable": True, "properties": {"id": {}, "name": {}}})
    def get_account(self, contact) -> dict | None:
        account = contact.account
        return {"id": account.pk, "name": account.name} if account else None


class TicketBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    stage = serializers.CharField()


class ActivitySerializer(serializers.ModelSerializer):
    queue = QueueBriefSerializer()
    owner = AgentBriefSerializer(allow_null=True)
    status = StatusBriefSerializer(allow_null=True)
    contact = ContactBriefSerializer(allow_null=True, help_text="The paired CRM contact.")
    ticket = TicketBriefSerializer(allow_null=True)
    provider = serializers.SerializerMethodField()
    customer = serializers.SerializerMethodField()
    offered_to = serializers.SerializerMethodField()
    admin_url = serializers.SerializerMethodField(
        help_text="The queue's admin URL with this activity's values filled in (\"\" if none)."
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "title",
            "state",
            "important",
            "queue",
            "owner",
            "status",
            "provider",
            "customer",
            "contact",
            "ticket",
            "offered_to",
            "admin_url",
            "queued_at",
            "accepted_at",
            "first_customer_message_at",
            "last_customer_message_at",
            "awaiting_reply_since",
            "postponed_until",
            "closed_at",
        ]

    def get_provider(self, activity: Activity) -> str | None:
        account = activity.channel_account
        return account.provider if account else None

    def get_customer(self, activity: Activity) -> str:
        identity = activity.identity
        if identity is None:
            return activity.title
        return identity.display_name or identity.provider_user_id

    def get_offered_to(self, activity: Activity) -> str | None:
        """The colleague a waiting activity rings now (annotated by the waiting selector)."""
        return getattr(activity, "offered_to", None)

    def get_admin_url(self, activity: Activity) -> str:
        return activity_admin_url(activity)


class ActivityDetailSerializer(ActivitySerializer):
    """An activity the agent takes part in: also who else is in it (a shared chat's Close is a
    Leave). Read from `selectors.activities_in_detail()`."""

    participants = serializers.SerializerMethodField()

    class Meta(ActivitySerializer.Meta):
        fields = [*ActivitySerializer.Meta.fields, "participants"]

    @extend_schema_field(AgentBriefSerializer(many=True))
    def get_participants(self, activity: Activity) -> list[dict]:
        """The agents taking part now, in the order they joined."""
        return [AgentBriefSerializer(p.agent).data for p in activity.present_participants]


class OfferSerializer(serializers.ModelSerializer):
    activity = ActivitySerializer()
    sent_by = AgentBriefSerializer(allow_null=True)
    timeout_seconds = serializers.IntegerField(source="activity.queue.accept_timeout")
    queue = serializers.SerializerMethodField(
        help_text="The queue it rings for: the invited queue, else the activity's."
    )

    class Meta:
        model = Offer
        fields = [
            "id",
            "kind",
            "deadline",
            "created_at",
            "timeout_seconds",
            "sent_by",
            "queue",
            "activity",
        ]

    @extend_schema_field(QueueBriefSerializer)
    def get_queue(self, offer: Offer) -> dict:
        return QueueBriefSerializer(offer.invited_queue or offer.activity.queue).data


class PauseSerializer(serializers.ModelSerializer):
    reason = serializers.CharField(source="reason.name")
    paid = serializers.BooleanField(source="reason.paid")

    class Meta:
        model = Pause
        fields = ["id", "reason", "paid", "cause", "started_at"]


class PauseReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = PauseReason
        fields = ["id", "name", "paid"]


class MembershipSerializer(serializers.ModelSerializer):
    queue = QueueBriefSerializer()

    class Meta:
        model = QueueMembership
        fields = ["queue", "logged_in"]


class ColleagueSerializer(serializers.ModelSerializer):
    """Another agent as the transfer and invite dialog shows them (`selectors.colleagues_of`)."""

    state = serializers.SerializerMethodField(
        help_text='"available", "paused" or "offline": only an available agent can be chosen.'
    )
    paused_for = serializers.CharField(allow_null=True, help_text="The pause's reason.")
    load = serializers.IntegerField(help_text="Open chats and notifications ringing now.")
    queues = serializers.SerializerMethodField()

    class Meta:
        model = Agent
        fields = ["id", "display_name", "state", "paused_for", "load", "max_open_chats", "queues"]

    def get_state(self, agent: Agent) -> str:
        if not agent.is_online:
            return "offline"
        return "paused" if agent.paused_for else "available"

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_queues(self, agent: Agent) -> list[int]:
        """The numbers of the agent's queues."""
        return [membership.queue.number for membership in agent.memberships.all()]


class ActivityEventSerializer(serializers.ModelSerializer):
    """One line of the chat's history ("Transferred by Alice to 200 Support")."""

    label = serializers.CharField(source="get_kind_display")
    actor = serializers.SerializerMethodField(
        help_text="Who did it: an agent's display name, an integration account's name marked "
        'as one ("CRM sync (integration)"), or a user\'s name; null for the system.'
    )
    agent = AgentBriefSerializer(allow_null=True, help_text="The agent it concerns.")

    class Meta:
        model = ActivityEvent
        fields = ["id", "kind", "label", "actor", "agent", "data", "created_at"]

    def get_actor(self, event: ActivityEvent) -> str | None:
        return None if event.actor is None else actor_name(event.actor)


@extend_schema_serializer(component_name="ActivityEventInFeed")
class ActivityEventFeedSerializer(ActivityEventSerializer):
    """A line of the organisation-wide history feed, which says whose activity it belongs to."""

    activity = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(ActivityEventSerializer.Meta):
        fields = ["activity", *ActivityEventSerializer.Meta.fields]


def actor_role(user: AbstractBaseUser) -> str:
    """What a user who acted is to agents: "agent", "integration", or "" (a supervisor, or an
    agent no more). Reads `user.agent` and `user.groups`: select and prefetch them for a list
    (only users who are not agents read their groups)."""
    if getattr(user, "agent", None) is not None:
        return "agent"
    if any(group.name == INTEGRATION_GROUP for group in user.groups.all()):
        return "integration"
    return ""


def actor_name(user: AbstractBaseUser) -> str:
    """A user who acted, as agents see them: an agent by their display name, an integration
    account by name marked as one ("CRM sync (integration)"), so that nobody takes what an
    integration did for an agent's doing; anyone else by name."""
    role = actor_role(user)
    if role == "agent":
        return user.agent.display_name
    name = user.get_full_name() or user.get_username()
    return f"{name} ({role})" if role else name
