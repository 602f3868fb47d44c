"""The calendar's REST endpoints, for agents (others get 403): their own events and those of
their queues, `?start=&end=` for a span; whoever sees an event may change it, as in the
Calendar module. Every write goes through `schedule.services`."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated

from contactcenter.models import Queue
from contactcenter.selectors import agent_for_user
from schedule.models import CalendarEvent
from schedule.selectors import events_visible_to
from schedule.services import event_create, event_delete, event_update

TAGS = ["calendar"]


class IsAgent(BasePermission):
    message = "Only agents have a calendar."

    def has_permission(self, request, view) -> bool:
        view.agent = agent_for_user(request.user)
        return view.agent is not None


class CalendarEventSerializer(serializers.ModelSerializer):
    queue = serializers.PrimaryKeyRelatedField(
        queryset=Queue.objects.all(),
        allow_null=True,
        required=False,
        help_text="Shared with this queue's members (one of yours); null: private.",
    )

    class Meta:
        model = CalendarEvent
        fields = [
            "id",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "queue",
            "agent",
            "activity",
            "contact",
            "remind",
            "reminded_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "agent",
            "activity",
            "contact",
            "reminded_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "agent": {"help_text": "Whose event it is; null: the queue's (made by a supervisor)."},
            "activity": {"help_text": "The chat a follow-up comes back to."},
            "contact": {"help_text": "The CRM contact a follow-up is about."},
            "remind": {"help_text": "Remind the agent in the workspace when it starts."},
            "reminded_at": {"help_text": "When the reminder was sent."},
        }


class EventFilter(django_filters.FilterSet):
    start = django_filters.IsoDateTimeFilter(
        method="_from", help_text="Only events that end after this time (ISO 8601)."
    )
    end = django_filters.IsoDateTimeFilter(
        method="_until", help_text="Only events that start before this time (ISO 8601)."
    )

    class Meta:
        model = CalendarEvent
        fields = ["start", "end", "queue"]

    def _from(self, queryset, _, value):
        return queryset.filter(ends_at__gt=value) | queryset.filter(starts_at__gte=value)

    def _until(self, queryset, _, value):
        return queryset.filter(starts_at__lt=value)


@extend_schema_view(
    list=extend_schema(description="Your events and your queues', in time order."),
    create=extend_schema(description="A new event of yours; `queue` shares it with a queue."),
)
@extend_schema(tags=TAGS)
class CalendarEventViewSet(viewsets.ModelViewSet):
    """Calendar events: the agent's own and those shared with their queues. Times are stored in
    UTC; give them with an offset."""

    serializer_class = CalendarEventSerializer
    permission_classes = [IsAuthenticated, IsAgent]
    filterset_class = EventFilter
    search_fields = ["title", "description"]
    ordering_fields = ["starts_at", "ends_at", "updated_at"]
    ordering = ["starts_at", "id"]

    def get_queryset(self):
        agent = getattr(self, "agent", None)
        if agent is None:  # the schema's generation
            return CalendarEvent.objects.none()
        return events_visible_to(agent)

    def perform_create(self, serializer: CalendarEventSerializer) -> None:
        serializer.instance = event_create(
            by=self.agent, agent=self.agent, **serializer.validated_data
        )

    def perform_update(self, serializer: CalendarEventSerializer) -> None:
        serializer.instance = event_update(
            event_id=serializer.instance.pk, by=self.agent, **serializer.validated_data
        )

    def perform_destroy(self, instance: CalendarEvent) -> None:
        event_delete(event_id=instance.pk, by=self.agent)
