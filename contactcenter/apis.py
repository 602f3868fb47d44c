"""REST endpoints of the core: the current user, the queues, the activities and their history,
the agents. Agents list only what their workspace shows them; supervisors and integration
accounts read the whole organisation."""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, pagination, serializers, status, viewsets
from rest_framework.permissions import DjangoModelPermissions, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contactcenter.exceptions import ApplicationError
from contactcenter.feeds import FeedApi, since_filter
from contactcenter.models import (
    Activity,
    ActivityEvent,
    ActivityState,
    Agent,
    EventKind,
    Queue,
    QueueMembership,
    Status,
)
from contactcenter.permissions import ReadsOrganisation, is_integration, is_supervisor
from contactcenter.rest import IdFilter, TimeFilter
from contactcenter.selectors import (
    activities_in_detail,
    activities_of_agent,
    activities_visible_to,
    agent_for_user,
    agents_with_state,
    event_feed,
    events_of,
    queues_visible_to,
)
from contactcenter.serializers import (
    ActivityDetailSerializer,
    ActivityEventFeedSerializer,
    ActivityEventSerializer,
    PauseSerializer,
)
from contactcenter.services.configuration import queue_create, queue_delete, queue_update


class QueueMembershipSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="queue.id")
    number = serializers.IntegerField(source="queue.number")
    name = serializers.CharField(source="queue.name")

    class Meta:
        model = QueueMembership
        fields = ["id", "number", "name", "logged_in"]


class AgentSerializer(serializers.ModelSerializer):
    queues = QueueMembershipSerializer(source="memberships", many=True)

    class Meta:
        model = Agent
        fields = ["id", "display_name", "max_open_chats", "is_online", "queues"]


class MeApi(APIView):
    """The signed-in user, and their agent profile with queue log-ins (null for non-agents)."""

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        name = serializers.CharField(source="get_full_name")
        is_supervisor = serializers.SerializerMethodField()
        agent = serializers.SerializerMethodField()

        def get_is_supervisor(self, user) -> bool:
            return is_supervisor(user)

        @extend_schema_field(AgentSerializer(allow_null=True))
        def get_agent(self, user) -> dict | None:
            agent = self.context["agent"]
            return AgentSerializer(agent).data if agent else None

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        agent = agent_for_user(request.user)
        return Response(self.OutputSerializer(request.user, context={"agent": agent}).data)


class AgentFilter(django_filters.FilterSet):
    queue = IdFilter(field_name="memberships__queue", help_text="Only members of this queue.")
    is_online = django_filters.BooleanFilter()

    class Meta:
        model = Agent
        fields = ["queue", "is_online"]


class AgentStateSerializer(AgentSerializer):
    """An agent as they are now (`selectors.agents_with_state`)."""

    username = serializers.CharField(source="user.username")
    state = serializers.SerializerMethodField(
        help_text='"available" (online, not paused), "paused" or "offline".'
    )
    pause = serializers.SerializerMethodField(help_text="The pause going on, or null.")
    open_chats = serializers.IntegerField(help_text="Open activities the agent owns.")
    load = serializers.IntegerField(
        help_text="Open chats and notifications ringing: what counts against max_open_chats."
    )

    class Meta(AgentSerializer.Meta):
        fields = [
            "id",
            "username",
            "display_name",
            "state",
            "is_online",
            "pause",
            "open_chats",
            "load",
            "max_open_chats",
            "queues",
        ]

    def get_state(self, agent: Agent) -> str:
        if not agent.is_online:
            return "offline"
        return "paused" if agent.open_pauses else "available"

    @extend_schema_field(PauseSerializer(allow_null=True))
    def get_pause(self, agent: Agent) -> dict | None:
        return PauseSerializer(agent.open_pauses[0]).data if agent.open_pauses else None


class AgentListApi(generics.ListAPIView):
    """Every agent with their live state: online or not, paused and why, their load and the
    queues they are logged into. Supervisors and integration accounts."""

    queryset = Agent.objects.none()  # names the model for the schema; rows: get_queryset
    serializer_class = AgentStateSerializer
    permission_classes = [IsAuthenticated, ReadsOrganisation]
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = AgentFilter

    def get_queryset(self):
        return agents_with_state()


class QueueSerializer(serializers.ModelSerializer):
    statuses = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Status.objects.all()
    )

    class Meta:
        model = Queue
        fields = [
            "id",
            "number",
            "name",
            "routing_strategy",
            "accept_timeout",
            "unpaid_pause_on_timeout",
            "reminder_mode",
            "reminder_delay",
            "admin_url_template",
            "statuses",
        ]


class QueueViewSet(viewsets.ModelViewSet):
    """Queues: agents read the queues they belong to; supervisors read all and write."""

    serializer_class = QueueSerializer
    permission_classes = [IsAuthenticated, DjangoModelPermissions]
    filterset_fields = ["number", "routing_strategy", "reminder_mode"]
    search_fields = ["name"]
    ordering_fields = ["number", "name"]
    ordering = ["number"]

    def get_queryset(self):
        return queues_visible_to(self.request.user).prefetch_related("statuses")

    def perform_create(self, serializer: QueueSerializer) -> None:
        serializer.instance = queue_create(**serializer.validated_data)

    def perform_update(self, serializer: QueueSerializer) -> None:
        serializer.instance = queue_update(queue=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance: Queue) -> None:
        queue_delete(queue=instance)


class ActivityFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(
        choices=ActivityState.choices, help_text="One or more states (repeat the parameter)."
    )
    queue = IdFilter()
    owner = IdFilter(help_text="The agent who owns it.")
    channel = django_filters.CharFilter(
        field_name="channel_account__provider",
        help_text='The channel\'s provider: "facebook", "instagram", "whatsapp" or "viber".',
    )
    channel_account = IdFilter()
    identity = IdFilter(help_text="The customer on their channel (see /identities/).")
    contact = IdFilter(help_text="The paired CRM contact.")
    ticket = IdFilter()
    important = django_filters.BooleanFilter()
    status = IdFilter(help_text="The closing status.")
    created_after = TimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = TimeFilter(field_name="created_at", lookup_expr="lt")
    closed_after = TimeFilter(field_name="closed_at", lookup_expr="gte")
    closed_before = TimeFilter(field_name="closed_at", lookup_expr="lt")

    class Meta:
        model = Activity
        fields = [
            "state",
            "queue",
            "owner",
            "channel",
            "channel_account",
            "identity",
            "contact",
            "ticket",
            "important",
            "status",
            "created_after",
            "created_before",
            "closed_after",
            "closed_before",
        ]


class NewestFirst(pagination.CursorPagination):
    """Pages of a list that grows at its head: a cursor stays put while rows are added."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"


class ActivityListApi(generics.ListAPIView):
    """Activities, newest first, with filters: for an agent the open and postponed activities
    they take part in (owned or joined), for supervisors and integration accounts every one.
    Other users get 403 `not_an_agent`."""

    queryset = Activity.objects.none()  # names the model for the schema; rows: get_queryset
    serializer_class = ActivityDetailSerializer
    pagination_class = NewestFirst
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = ActivityFilter

    def get_queryset(self):
        user = self.request.user
        if is_supervisor(user):
            return activities_in_detail()
        agent = agent_for_user(user)
        if agent is not None:
            return activities_of_agent(agent)
        if is_integration(user):
            return activities_in_detail()
        raise ApplicationError(
            "Only agents, supervisors and integration accounts can list activities.",
            code="not_an_agent",
            status=status.HTTP_403_FORBIDDEN,
        )


class ActivityEventFilter(django_filters.FilterSet):
    after = IdFilter(field_name="pk", lookup_expr="gt", help_text="Only lines newer than this id.")

    class Meta:
        model = ActivityEvent
        fields = ["after"]


class ActivityEventFeedFilter(django_filters.FilterSet):
    activity = IdFilter(help_text="Only this activity's history.")
    kind = django_filters.MultipleChoiceFilter(
        choices=EventKind.choices, help_text="One or more kinds (repeat the parameter)."
    )
    since = since_filter("lines")

    class Meta:
        model = ActivityEvent
        fields = ["activity", "kind", "since"]


class ActivityEventFeedApi(FeedApi):
    """Every activity's history (queued, offered, accepted, transferred, closed...), each line
    once, in the order it was stored: a feed, read as `/messages/` is (keep `resume`, call
    again with it as `cursor`). Supervisors and integration accounts; only supervisors see
    who watched a chat silently."""

    queryset = ActivityEvent.objects.none()
    serializer_class = ActivityEventFeedSerializer
    filterset_class = ActivityEventFeedFilter

    def get_queryset(self):
        return event_feed(audit=is_supervisor(self.request.user))


class ActivityEventListApi(generics.ListAPIView):
    """The activity's history, oldest first: queued, offered, accepted, transferred, joined,
    status, closed... shown between the messages in the chat. For anyone who may see the
    activity (404 otherwise); `after` gives only the lines a page does not have yet."""

    queryset = ActivityEvent.objects.none()  # names the model for the schema; rows: get_queryset
    serializer_class = ActivityEventSerializer
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = ActivityEventFilter

    def get_queryset(self):
        return events_of(
            get_object_or_404(activities_visible_to(self.request.user), pk=self.kwargs["pk"]),
            audit=is_supervisor(self.request.user),
        )
