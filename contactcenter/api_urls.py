"""Everything under /api/v1/; each app adds its routes here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from contactcenter.apis import MeApi, QueueViewSet
from messaging.apis import (
    ActivityMessagesApi,
    AttachmentDownloadApi,
    ChannelAccountViewSet,
    IdentityViewSet,
)

router = DefaultRouter()
router.register("queues", QueueViewSet, basename="queue")
router.register("channel-accounts", ChannelAccountViewSet, basename="channel-account")
router.register("identities", IdentityViewSet, basename="identity")

urlpatterns = [
    path("me/", MeApi.as_view(), name="api-me"),
    path(
        "activities/<int:activity_id>/messages/",
        ActivityMessagesApi.as_view(),
        name="api-activity-messages",
    ),
    path(
        "attachments/<int:attachment_id>/download/",
        AttachmentDownloadApi.as_view(),
        name="api-attachment-download",
    ),
    *router.urls,
]
