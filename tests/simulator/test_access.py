"""The simulator's customer page and control API act on real channel accounts: staff only, each
write with its CSRF token. Its fake provider APIs stay as the providers' are: a call is
authenticated by the provider's token, not by a session."""

import json

import pytest
from django.test import Client

from simulator.models import SimulatorFailure, SimulatorWebhook
from simulator.services import failure_add
from tests.factories import AgentFactory, ChannelAccountFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

CUSTOMER_PAGES = [
    ("get", "/simulator/"),
    ("get", "/simulator/customer/conversation?account=1&customer_id=1"),
    ("post", "/simulator/customer/messages"),
    ("post", "/simulator/customer/read"),
    ("get", "/simulator/control/failures"),
    ("post", "/simulator/control/failures"),
    ("delete", "/simulator/control/failures"),
    ("post", "/simulator/control/reset"),
    ("get", "/simulator/control/calls"),
    ("get", "/simulator/control/webhooks"),
]


@pytest.mark.parametrize(("method", "url"), CUSTOMER_PAGES)
def test_a_visitor_is_sent_to_sign_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url.startswith("/login/?next=/simulator/")


@pytest.mark.parametrize(("method", "url"), CUSTOMER_PAGES)
def test_an_agent_who_is_not_staff_is_refused(client, method, url):
    client.force_login(AgentFactory().user)
    response = getattr(client, method)(url)
    assert response.status_code == 403


def test_a_visitor_cannot_write_as_a_customer(client):
    account = ChannelAccountFactory(messenger=True)
    form = {"account": account.pk, "customer_id": "6483920175562104", "text": "hi"}
    client.post("/simulator/customer/messages", form)
    assert not SimulatorWebhook.objects.exists()


def test_a_visitor_cannot_reset_the_simulator(client):
    failure_add(provider="viber", code=6)
    client.post("/simulator/control/reset")
    assert SimulatorFailure.objects.count() == 1


def test_staff_writes_need_their_csrf_token():
    # given: a signed-in supervisor whose request carries no CSRF token (another site's form)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(SupervisorFactory())
    failure_add(provider="viber", code=6)
    # when
    reset = browser.post("/simulator/control/reset")
    added = browser.post(
        "/simulator/control/failures",
        json.dumps({"provider": "viber", "code": 6}),
        content_type="application/json",
    )
    # then
    assert (reset.status_code, added.status_code) == (403, 403)
    assert SimulatorFailure.objects.count() == 1


def test_staff_with_the_pages_csrf_token_resets():
    # given: the page was loaded, so the browser holds the CSRF cookie it sends back
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(SupervisorFactory())
    browser.get("/simulator/")
    failure_add(provider="viber", code=6)
    # when
    response = browser.post(
        "/simulator/control/reset", headers={"X-CSRFToken": browser.cookies["csrftoken"].value}
    )
    # then
    assert response.json() == {"reset": True}
    assert not SimulatorFailure.objects.exists()


def test_the_fake_provider_api_needs_no_session_only_the_providers_token(client):
    # given
    account = ChannelAccountFactory(viber=True)
    body = {"receiver": "01234567890A=", "type": "text", "text": "hi", "sender": {"name": "Us"}}
    # when
    refused = client.post("/simulator/viber/pa/send_message", body, content_type="application/json")
    accepted = client.post(
        "/simulator/viber/pa/send_message",
        body,
        content_type="application/json",
        headers={"X-Viber-Auth-Token": account.viber_auth_token},
    )
    # then
    assert (refused.status_code, refused.json()["status"]) == (200, 2)
    assert (accepted.status_code, accepted.json()["status"]) == (200, 0)
