"""Read queries of the outgoing webhooks, scoped to the acting user: supervisors and integration
accounts see every endpoint and its log (`sees_organisation`), anyone else none. Each queryset
loads what its API output reads."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from contactcenter.permissions import sees_organisation
from integrations.models import WebhookDelivery, WebhookEndpoint


def endpoints_visible_to(user: AbstractBaseUser) -> QuerySet[WebhookEndpoint]:
    endpoints = WebhookEndpoint.objects.order_by("pk")
    return endpoints if sees_organisation(user) else endpoints.none()


def deliveries_visible_to(user: AbstractBaseUser) -> QuerySet[WebhookDelivery]:
    """Newest first, with their events and every attempt."""
    return (
        WebhookDelivery.objects.filter(endpoint__in=endpoints_visible_to(user))
        .select_related("event")
        .prefetch_related("attempt_log")
        .order_by("-pk")
    )
