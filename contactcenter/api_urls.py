"""The core's routes under /api/v1/ (each app has its own module; config/urls.py includes them)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from contactcenter import action_apis
from contactcenter.apis import (
    ActivityEventFeedApi,
    ActivityEventListApi,
    ActivityListApi,
    AgentListApi,
    MeApi,
    QueueViewSet,
)

router = DefaultRouter()
router.register("queues", QueueViewSet, basename="queue")

# The agent's actions, one view per action (contactcenter/action_apis.py).
agent_actions = [
    path(
        "offers/<int:offer_id>/accept/",
        action_apis.OfferAcceptApi.as_view(),
        name="api-offer-accept",
    ),
    path(
        "offers/<int:offer_id>/reject/",
        action_apis.OfferRejectApi.as_view(),
        name="api-offer-reject",
    ),
    path(
        "activities/<int:pk>/events/",
        ActivityEventListApi.as_view(),
        name="api-activity-events",
    ),
    path(
        "activities/waiting/",
        action_apis.ActivityWaitingListApi.as_view(),
        name="api-activities-waiting",
    ),
    path(
        "activities/<int:activity_id>/accept/",
        action_apis.ActivityTakeApi.as_view(),
        name="api-activity-accept",
    ),
    path(
        "activities/<int:activity_id>/transfer/",
        action_apis.ActivityTransferApi.as_view(),
        name="api-activity-transfer",
    ),
    path(
        "activities/<int:activity_id>/invite/",
        action_apis.ActivityInviteApi.as_view(),
        name="api-activity-invite",
    ),
    path(
        "activities/<int:activity_id>/leave/",
        action_apis.ActivityLeaveApi.as_view(),
        name="api-activity-leave",
    ),
    path(
        "activities/<int:activity_id>/postpone/",
        action_apis.ActivityPostponeApi.as_view(),
        name="api-activity-postpone",
    ),
    path(
        "activities/<int:activity_id>/resume/",
        action_apis.ActivityResumeApi.as_view(),
        name="api-activity-resume",
    ),
    path(
        "activities/<int:activity_id>/status/",
        action_apis.ActivityStatusApi.as_view(),
        name="api-activity-status",
    ),
    path(
        "activities/<int:activity_id>/important/",
        action_apis.ActivityImportantApi.as_view(),
        name="api-activity-important",
    ),
    path(
        "activities/<int:activity_id>/close/",
        action_apis.ActivityCloseApi.as_view(),
        name="api-activity-close",
    ),
    path("workspace/", action_apis.WorkspaceApi.as_view(), name="api-workspace"),
    path("colleagues/", action_apis.ColleagueListApi.as_view(), name="api-colleagues"),
    path("pause-reasons/", action_apis.PauseReasonListApi.as_view(), name="api-pause-reasons"),
    path("pause/", action_apis.PauseApi.as_view(), name="api-pause"),
    # Before the router's queues/: these are actions of the agent, not of the queue resource.
    path(
        "queues/<int:queue_id>/login/",
        action_apis.QueueLoginApi.as_view(),
        name="api-queue-login",
    ),
    path(
        "queues/<int:queue_id>/logout/",
        action_apis.QueueLogoutApi.as_view(),
        name="api-queue-logout",
    ),
]

# What supervisors and integration accounts read of the whole organisation (agents: their own).
reading = [
    path("activities/", ActivityListApi.as_view(), name="api-activities"),
    path("activity-events/", ActivityEventFeedApi.as_view(), name="api-activity-events-feed"),
    path("agents/", AgentListApi.as_view(), name="api-agents"),
]

urlpatterns = [
    path("me/", MeApi.as_view(), name="api-me"),
    *reading,
    *agent_actions,
    *router.urls,
]
