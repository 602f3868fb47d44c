"""The agent workspace's pages and the fragments it loads."""

from django.urls import path

from contactcenter import views

urlpatterns = [
    path("", views.workspace, name="workspace"),
    path(
        "workspace/activities/<int:activity_id>/",
        views.activity_screen,
        name="activity-screen",
    ),
    path(
        "workspace/activities/<int:activity_id>/widgets/<str:kind>/",
        views.activity_widget,
        name="activity-widget",
    ),
    path("workspace/transfer-targets/", views.transfer_targets, name="transfer-targets"),
    path("workspace/emoji.json", views.emoji_list, name="emoji"),
]
