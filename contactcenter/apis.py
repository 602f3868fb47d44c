"""REST endpoints of the core: the current agent, the queues, an activity's history."""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, viewsets
from rest_framework.permissions import DjangoModelPermissions, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contactcenter.models import ActivityEvent, Agent, Queue, QueueMembership, Status
from contactcenter.permissions import is_supervisor
from contactcenter.rest import IdFilter
from contactcenter.selectors import (
    activities_visible_to,
    agent_for_user,
    events_of,
    queues_visible_to,
)
from contactcenter.serializers import ActivityEventSerializer
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


class ActivityEventFilter(django_filters.FilterSet):
    after = IdFilter(field_name="pk", lookup_expr="gt", help_text="Only lines newer than this id.")

    class Meta:
        model = ActivityEvent
        fields = ["after"]


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
