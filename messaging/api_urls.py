"""Messaging's routes under /api/v1/: channel accounts, customers' identities, an activity's
messages and files, and conversations started with a customer."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from messaging.apis import (
    ActivityEarlierApi,
    ActivityMessagesApi,
    AttachmentDownloadApi,
    ChannelAccountViewSet,
    ConversationStartApi,
    IdentityViewSet,
    MessageFeedApi,
    MessageRetryApi,
)

router = SimpleRouter()
router.register("channel-accounts", ChannelAccountViewSet, basename="channel-account")
router.register("identities", IdentityViewSet, basename="identity")

urlpatterns = [
    path(
        "activities/<int:activity_id>/messages/",
        ActivityMessagesApi.as_view(),
        name="api-activity-messages",
    ),
    path(
        "activities/<int:activity_id>/earlier/",
        ActivityEarlierApi.as_view(),
        name="api-activity-earlier",
    ),
    path("conversations/", ConversationStartApi.as_view(), name="api-conversation-start"),
    path("messages/", MessageFeedApi.as_view(), name="api-messages"),
    path(
        "messages/<int:message_id>/retry/",
        MessageRetryApi.as_view(),
        name="api-message-retry",
    ),
    path(
        "attachments/<int:attachment_id>/download/",
        AttachmentDownloadApi.as_view(),
        name="api-attachment-download",
    ),
    *router.urls,
]
