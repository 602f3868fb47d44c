from django.urls import path

from cobrowse import views

app_name = "cobrowse"
urlpatterns = [
    path("external/conference/", views.conference_page, name="conference"),
    path("external/conference/join/", views.conference_join, name="join"),
    path("cobrowse/activities/<int:activity_id>/room/", views.room_create, name="room-create"),
    path("cobrowse/rooms/<int:room_id>/end/", views.room_end, name="room-end"),
    path("cobrowse/rooms/<int:room_id>/send/", views.room_send_link, name="room-send"),
    path("cobrowse/rooms/<int:room_id>/allow-more/", views.room_allow_more, name="room-allow-more"),
]
