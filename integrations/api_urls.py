"""The outgoing webhooks' routes under /api/v1/: endpoints, their delivery logs, redelivery and
the event types."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from integrations.apis import (
    DeliveryRedeliverApi,
    EndpointDeliveriesApi,
    EventTypesApi,
    WebhookEndpointViewSet,
)

router = SimpleRouter()
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")

urlpatterns = [
    path(
        "webhook-endpoints/<int:endpoint_id>/deliveries/",
        EndpointDeliveriesApi.as_view(),
        name="api-webhook-endpoint-deliveries",
    ),
    path(
        "webhook-deliveries/<int:delivery_id>/redeliver/",
        DeliveryRedeliverApi.as_view(),
        name="api-webhook-delivery-redeliver",
    ),
    path("webhook-event-types/", EventTypesApi.as_view(), name="api-webhook-event-types"),
    *router.urls,
]
