"""The one ASGI application daphne serves: pages and API over HTTP, and every app's websockets
(each app lists its routes in its `websocket_urls`; this is where they are composed)."""

import os

from config.http import http_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = http_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from cobrowse import websocket_urls as cobrowse  # noqa: E402
from contactcenter import websocket_urls as workspace  # noqa: E402
from supervision import websocket_urls as supervision  # noqa: E402

WEBSOCKET_URLS = [
    *workspace.websocket_urlpatterns,
    *supervision.websocket_urlpatterns,
    *cobrowse.websocket_urlpatterns,
]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(WEBSOCKET_URLS))),
    }
)
