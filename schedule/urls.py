from django.urls import path

from schedule import views

app_name = "schedule"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("today/", views.today_card, name="today"),
    path("events/new/", views.event_form, name="event-new"),
    path("events/<int:pk>/edit/", views.event_form, name="event-edit"),
    path("events/<int:pk>/delete/", views.event_delete, name="event-delete"),
    path("settings/", views.settings_save, name="settings"),
    path("feed/reset/", views.feed_reset, name="feed-reset"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("activities/<int:activity_id>/follow-up/", views.follow_up, name="follow-up"),
]
