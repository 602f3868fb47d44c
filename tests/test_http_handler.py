"""A request under daphne runs its middleware and view in its thread, entered once.

Django's ASGI handler built the chain for the event loop, so each of Django's middleware
handed every `process_*` call to the thread and back; that was half of a bare request's cost.
"""

import asgiref.sync
import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator

from config.asgi import application

pytestmark = pytest.mark.django_db

# Entering the chain once, and Django's own around it: the request_started and request_finished
# signals' receivers and the response's close.
HAND_OVERS = 4


def test_a_page_request_is_handed_to_its_thread_a_few_times_not_once_per_middleware(
    monkeypatch,
):
    # given: every hand-over from the event loop to a thread counted
    hand_overs = []
    call = asgiref.sync.SyncToAsync.__call__

    async def counted(self, *args, **kwargs):
        hand_overs.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await call(self, *args, **kwargs)

    monkeypatch.setattr(asgiref.sync.SyncToAsync, "__call__", counted)
    # when: the login page, through the application daphne serves
    communicator = HttpCommunicator(
        application, "GET", "/login/", headers=[(b"host", b"localhost")]
    )
    response = async_to_sync(communicator.get_response)(timeout=10)
    # then: it is served, through the whole chain (sessions, CSRF, the CSP header)
    assert response["status"] == 200
    headers = {name.lower() for name, _ in response["headers"]}
    assert b"content-security-policy" in headers
    assert b'name="csrfmiddlewaretoken"' in response["body"]
    assert len(hand_overs) <= HAND_OVERS, hand_overs
