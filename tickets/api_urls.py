"""The tickets' routes under /api/v1/: tickets, and an activity's ticket."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from tickets.apis import ActivityTicketApi, TicketViewSet

router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="ticket")

urlpatterns = [
    path(
        "activities/<int:activity_id>/ticket/",
        ActivityTicketApi.as_view(),
        name="api-activity-ticket",
    ),
    *router.urls,
]
