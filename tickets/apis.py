"""REST endpoints of tickets: the tickets with the widget's combinable filters, favourites, and
assigning an activity to a ticket."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from contactcenter.action_apis import AgentApi
from contactcenter.rest import IdFilter
from contactcenter.serializers import ActivityDetailSerializer
from tickets.models import Stage, Ticket
from tickets.selectors import SORTS, tickets_for
from tickets.services import (
    activity_assign_ticket,
    ticket_create,
    ticket_favourite,
    ticket_update,
)


class TicketSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    contact_name = serializers.CharField(source="contact.name", read_only=True, allow_null=True)
    account_name = serializers.CharField(source="account.name", read_only=True, allow_null=True)
    is_favourite = serializers.BooleanField(read_only=True, help_text="One of your favourites.")

    class Meta:
        model = Ticket
        fields = ["id", "number", "title", "description", "stage", "priority", "category",
                  "contact", "contact_name", "account", "account_name", "owner",
                  "first_response_due", "resolution_due", "closed_at", "is_favourite",
                  "created_at"]  # fmt: skip
        read_only_fields = ["first_response_due", "resolution_due", "closed_at", "created_at"]


class TicketFilter(django_filters.FilterSet):
    """Combinable: every filter given narrows the list."""

    search = django_filters.CharFilter(label="Words of the title or description, or #number")
    favourites = django_filters.BooleanFilter(label="Only your favourites")
    mine = django_filters.BooleanFilter(label="Only tickets you own")
    contact = IdFilter()
    account = IdFilter()
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    sort = django_filters.ChoiceFilter(choices=[(name, name) for name in SORTS])

    class Meta:
        model = Ticket
        fields = []

    def filter_queryset(self, queryset):
        """One selector applies them all (the widget and the module share it)."""
        data = self.form.cleaned_data
        return tickets_for(
            self.request.user,
            search=data.get("search") or "",
            favourites=bool(data.get("favourites")),
            mine=bool(data.get("mine")),
            contact_id=data.get("contact"),
            account_id=data.get("account"),
            stage=data.get("stage") or "",
            sort=data.get("sort") or "newest",
        )


class TicketViewSet(viewsets.ModelViewSet):
    """Customers' cases, with SLA deadlines from their account."""

    queryset = Ticket.objects.none()  # names the model for the schema; rows: get_queryset
    serializer_class = TicketSerializer
    filterset_class = TicketFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return tickets_for(self.request.user)

    def perform_create(self, serializer: TicketSerializer) -> None:
        ticket = ticket_create(actor=self.request.user, **serializer.validated_data)
        serializer.instance = tickets_for(self.request.user).get(pk=ticket.pk)

    def perform_update(self, serializer: TicketSerializer) -> None:
        ticket = ticket_update(ticket=serializer.instance, **serializer.validated_data)
        serializer.instance = tickets_for(self.request.user).get(pk=ticket.pk)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post", "delete"])
    def favourite(self, request: Request, pk: int) -> Response:
        """POST marks the ticket as one of your favourites, DELETE unmarks it."""
        ticket_favourite(ticket=self.get_object(), user=request.user,
                         favourite=request.method == "POST")  # fmt: skip
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActivityTicketApi(AgentApi):
    """Assign the activity to a ticket (`null`: to none). For the agents taking part in it,
    and for integration accounts in any activity (a closed one too), recorded in its history
    as by them."""

    integrations_act = True

    @extend_schema_serializer(component_name="ActivityTicket")
    class InputSerializer(serializers.Serializer):
        ticket = serializers.IntegerField(allow_null=True)

    @extend_schema(request=InputSerializer, responses=ActivityDetailSerializer)
    def post(self, request: Request, activity_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity_assign_ticket(activity_id=activity_id, **self.acting,
                               ticket_id=serializer.validated_data["ticket"])  # fmt: skip
        return Response(self.activity_data(activity_id))
