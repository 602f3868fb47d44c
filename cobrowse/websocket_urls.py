from django.urls import path

from cobrowse.consumers import ConferenceConsumer

websocket_urlpatterns = [
    path("ws/conference/<str:number>/", ConferenceConsumer.as_asgi()),
]
