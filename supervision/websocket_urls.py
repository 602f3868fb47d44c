from django.urls import path

from supervision.consumers import MonitorConsumer

websocket_urlpatterns = [path("ws/monitor/", MonitorConsumer.as_asgi())]
