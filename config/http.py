"""Django's ASGI handler, with the middleware chain run as one call in the request's thread.

Under ASGI, Django builds its middleware chain for the event loop, and every middleware of
Django's own (`MiddlewareMixin`) then hands each `process_request`, `process_view` and
`process_response` to the request's thread and back: about fifteen hand-overs for one request,
half of what a bare request cost daphne. Every view of ours is sync, so the chain is built
sync, as under WSGI, and entered once: the request runs in its thread from the first
middleware to the response (tests/test_http_handler.py). No call waits in a thread for the
event loop, so a SIGTERM still stops daphne at once (tests/test_shutdown.py).
"""

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncChainHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)


def http_application() -> SyncChainHandler:
    """What `django.core.asgi.get_asgi_application` returns, with the sync chain."""
    django.setup(set_prefix=False)
    return SyncChainHandler()
