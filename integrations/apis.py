"""REST endpoints of the outgoing webhooks, for supervisors and integration accounts (agents get
403): the endpoints, their secrets (shown on creation and rotation), the delivery log, a
redelivery, and the event types there are."""

import json

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import generics, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contactcenter.outbox import EVENT_TYPES
from contactcenter.permissions import sees_organisation
from integrations import signing
from integrations.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.selectors import deliveries_visible_to, endpoints_visible_to
from integrations.services.deliveries import delivery_redeliver
from integrations.services.endpoints import (
    endpoint_create,
    endpoint_delete,
    endpoint_rotate_secret,
    endpoint_update,
)

TAGS = ["webhooks"]
DELIVERY_DESCRIPTION = """Each event is POSTed to every active endpoint subscribed to its type,
signed as Standard Webhooks specifies (standardwebhooks.com): the headers `webhook-id` (the
event's id, the same on every retry: drop repeats), `webhook-timestamp` (the attempt's, Unix
seconds) and `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of
`<webhook-id>.<webhook-timestamp>.<body>` under the endpoint's secret; during a rotation two,
space-separated), and the JSON body `{"type", "timestamp", "data"}`. A 2xx answer delivers it; a
410 disables the endpoint; anything else, a timeout or a redirect is retried after 5 s, 5 min,
30 min, 2 h, 5 h, 10 h and 10 h (with jitter; no sooner than an answer's Retry-After asks, up
to 10 h), then the delivery fails."""
EXAMPLE_DELIVERY = {
    "id": 42,
    "webhook_id": "msg_2f1c9a7e5b3d4c6a8e0f1a2b3c4d5e6f",
    "type": "activity.created",
    "state": "succeeded",
    "attempts": 2,
    "next_attempt_at": None,
    "last_status_code": 200,
    "delivered_at": "2026-05-04T09:12:12.204Z",
    "created_at": "2026-05-04T09:12:05.117Z",
    "payload": {
        "type": "activity.created",
        "timestamp": "2026-05-04T09:12:05.093Z",
        "data": {"activity_id": 1817, "queue": 100, "provider": "whatsapp"},
    },
    "attempt_log": [
        {
            "attempted_at": "2026-05-04T09:12:05.141Z",
            "status_code": 503,
            "duration_ms": 120,
            "response_excerpt": "Service Unavailable",
            "error": "",
        },
        {
            "attempted_at": "2026-05-04T09:12:10.862Z",
            "status_code": 200,
            "duration_ms": 84,
            "response_excerpt": '{"ok":true}',
            "error": "",
        },
    ],
}


class SeesOrganisation(BasePermission):
    message = "Only supervisors and integration accounts manage webhooks."

    def has_permission(self, request, view) -> bool:
        return sees_organisation(request.user)


class WebhookApi:
    permission_classes = [IsAuthenticated, SeesOrganisation]


class EndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENT_TYPES)),
        allow_empty=False,
        help_text="The event types sent to it (GET /api/v1/webhook-event-types/).",
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "is_active",
            "disabled_reason",
            "failing_since",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["disabled_reason", "failing_since", "created_at", "updated_at"]
        extra_kwargs = {
            "url": {"help_text": "Where events are posted (http or https, a public address)."},
            "is_active": {
                "help_text": "false disables it (its pending deliveries fail); true enables it "
                "again."
            },
        }


@extend_schema_serializer(component_name="WebhookEndpointWithSecret")
class EndpointWithSecretSerializer(EndpointSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="whsec_ and the base64 key the deliveries are signed with: give it to the "
        "receiver. Shown on creation and rotation only.",
    )
    previous_secret_expires_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="Until then the secret a rotation replaced signs too; null: none does.",
    )

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret", "previous_secret_expires_at"]


@extend_schema(tags=TAGS)
class WebhookEndpointViewSet(WebhookApi, viewsets.ModelViewSet):
    """Where integrators receive events. Creating one answers its secret; it receives the
    events that occur from then on."""

    serializer_class = EndpointSerializer
    filterset_fields = ["is_active"]
    search_fields = ["url", "description"]
    ordering_fields = ["url", "created_at"]
    ordering = ["id"]

    def get_queryset(self):
        return endpoints_visible_to(self.request.user)

    @extend_schema(description=DELIVERY_DESCRIPTION, responses={201: EndpointWithSecretSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = endpoint_create(actor=request.user, **serializer.validated_data)
        return Response(EndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer: EndpointSerializer) -> None:
        serializer.instance = endpoint_update(
            endpoint_id=serializer.instance.pk, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        endpoint_delete(endpoint_id=instance.pk)

    @extend_schema(request=None, responses=EndpointWithSecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: int) -> Response:
        """A new secret signs from now on; the one it replaces signs too for 24 hours, so the
        receiver can be given the new one meanwhile."""
        endpoint = endpoint_rotate_secret(endpoint_id=self.get_object().pk)
        return Response(EndpointWithSecretSerializer(endpoint).data)


@extend_schema_serializer(component_name="WebhookPayload")
class PayloadSerializer(serializers.Serializer):
    """The body of a delivery, exactly as signed and posted."""

    type = serializers.CharField(help_text="The event type.")
    timestamp = serializers.DateTimeField(help_text="When the event occurred.")
    data = serializers.JSONField(help_text="The event's own fields.")


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["attempted_at", "status_code", "duration_ms", "response_excerpt", "error"]


class DeliverySerializer(serializers.ModelSerializer):
    webhook_id = serializers.CharField(source="event.webhook_id", help_text="Sent as webhook-id.")
    type = serializers.CharField(source="event.type")
    payload = serializers.SerializerMethodField()
    attempt_log = AttemptSerializer(many=True, help_text="Every attempt, oldest first.")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook_id",
            "type",
            "state",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "delivered_at",
            "created_at",
            "payload",
            "attempt_log",
        ]
        read_only_fields = fields

    @extend_schema_field(PayloadSerializer)
    def get_payload(self, delivery: WebhookDelivery) -> dict:
        return json.loads(signing.body(delivery.event))


class DeliveryFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=DeliveryState.choices)

    class Meta:
        model = WebhookDelivery
        fields = ["state"]


@extend_schema(
    tags=TAGS,
    description=DELIVERY_DESCRIPTION,
    examples=[OpenApiExample("A delivery after one retry", value=EXAMPLE_DELIVERY)],
)
class EndpointDeliveriesApi(WebhookApi, generics.ListAPIView):
    """The endpoint's delivery log, newest first, each delivery with its attempts."""

    queryset = WebhookDelivery.objects.none()  # names the model for the schema
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def get_queryset(self):
        user = self.request.user
        endpoint = get_object_or_404(endpoints_visible_to(user), pk=self.kwargs["endpoint_id"])
        return deliveries_visible_to(user).filter(endpoint=endpoint)


class DeliveryRedeliverApi(WebhookApi, APIView):
    """Send a delivered or failed delivery again now, with the same webhook-id (its receiver
    drops it if it has it already). 409 while it is still being tried or its endpoint is
    disabled."""

    @extend_schema(tags=TAGS, request=None, responses={202: DeliverySerializer})
    def post(self, request: Request, delivery_id: int) -> Response:
        deliveries = deliveries_visible_to(request.user)
        get_object_or_404(deliveries, pk=delivery_id)
        delivery_redeliver(delivery_id=delivery_id)
        return Response(
            DeliverySerializer(deliveries.get(pk=delivery_id)).data,
            status=status.HTTP_202_ACCEPTED,
        )


class EventTypeSerializer(serializers.Serializer):
    type = serializers.CharField()
    description = serializers.CharField()


class EventTypesApi(WebhookApi, APIView):
    """The event types an endpoint may subscribe to, with what each reports."""

    @extend_schema(
        tags=TAGS, description=DELIVERY_DESCRIPTION, responses=EventTypeSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        types = [{"type": name, "description": text} for name, text in EVENT_TYPES.items()]
        return Response(EventTypeSerializer(types, many=True).data)
