"""The supervisors' routes under /api/v1/: the reports, and the live monitor's actions."""

from django.urls import path

from supervision import apis

urlpatterns = [
    path("reports/", apis.ReportApi.as_view(), name="api-reports"),
    path(
        "monitor/agents/<int:agent_id>/end-pause/",
        apis.PauseEndApi.as_view(),
        name="api-monitor-end-pause",
    ),
    path(
        "monitor/agents/<int:agent_id>/queues/<int:queue_id>/log-out/",
        apis.QueueLogoutApi.as_view(),
        name="api-monitor-log-out",
    ),
    path(
        "monitor/activities/<int:activity_id>/offer/",
        apis.OfferToApi.as_view(),
        name="api-monitor-offer",
    ),
]
