"""Webhooks in the back office: supervisors see each endpoint's health and why one was
disabled, edit endpoints through the services (the secret shown, rotated by an action), read
each delivery's attempts and redeliver."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from contactcenter.demo import supervisors_group
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.services.deliveries import gone_reason
from tests.factories import SupervisorFactory, WebhookDeliveryFactory, WebhookEndpointFactory
from tests.integrations.helpers import attempt_now, endpoint_on, event_fanned_out
from tests.messaging.scripted_server import ScriptedServer

pytestmark = pytest.mark.django_db

ENDPOINTS = reverse("admin:integrations_webhookendpoint_changelist")
DELIVERIES = reverse("admin:integrations_webhookdelivery_changelist")


@pytest.fixture
def supervisor(client):
    """A signed-in supervisor of the demo's group."""
    user = SupervisorFactory(username="sam")
    user.groups.add(supervisors_group())
    client.force_login(user)
    return user


def form(**fields) -> dict:
    return {"url": "https://crm.example.com/hooks", "description": "", **fields}


def test_the_endpoints_list_shows_each_ones_health_and_why_one_was_disabled(client, supervisor):
    # given
    since = timezone.now() - timedelta(days=2)
    WebhookEndpointFactory(url="https://a.example.com/", event_types=["contact.created"],
                           failing_since=since)  # fmt: skip
    WebhookEndpointFactory(url="https://b.example.com/", is_active=False,
                           disabled_reason=gone_reason(since))  # fmt: skip
    # when
    page = client.get(ENDPOINTS).content.decode()
    # then
    assert "https://a.example.com/" in page
    assert "contact.created" in page
    assert gone_reason(since) in page


def test_a_supervisor_adds_an_endpoint_and_reads_its_secret(client, supervisor):
    # when
    response = client.post(
        reverse("admin:integrations_webhookendpoint_add"),
        form(event_types=["ticket.created", "contact.created"]),
    )
    # then
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.event_types, endpoint.created_by) == (
        ["contact.created", "ticket.created"], supervisor,
    )  # fmt: skip
    change = reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk])
    assert endpoint.secret in client.get(change).content.decode()


def test_an_endpoint_on_this_machine_is_refused_in_the_form(client, supervisor, settings):
    # given
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    # when
    response = client.post(
        reverse("admin:integrations_webhookendpoint_add"),
        form(url="http://127.0.0.1:8000/hooks", event_types=["ticket.created"]),
    )
    # then
    assert response.status_code == 200
    assert "is not a public address.) and WEBHOOK_ALLOW_PRIVATE_TARGETS is off." in (
        response.content.decode()
    )
    assert not WebhookEndpoint.objects.exists()


def test_unticking_active_disables_the_endpoint_in_the_supervisors_name(client, supervisor):
    # given
    endpoint = WebhookEndpointFactory(event_types=["ticket.created"])
    pending = WebhookDeliveryFactory(endpoint=endpoint)
    # when
    client.post(
        reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk]),
        form(url=endpoint.url, event_types=["ticket.created"]),
    )
    # then
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_reason.startswith("Disabled by sam on ")
    assert WebhookDelivery.objects.get(pk=pending.pk).state == "failed"


def test_rotating_the_secret_shows_the_new_one(client, supervisor):
    # given
    endpoint = WebhookEndpointFactory()
    old = endpoint.secret
    # when
    response = client.post(
        ENDPOINTS, {"action": "rotate_secret", "_selected_action": [endpoint.pk]}, follow=True
    )
    # then
    endpoint.refresh_from_db()
    assert (endpoint.previous_secret, endpoint.secret != old) == (old, True)
    assert f"the new secret is {endpoint.secret}" in response.content.decode()


def test_a_delivery_shows_its_attempts_and_its_body(client, supervisor):
    # given: a delivery that failed once, then went through
    with ScriptedServer() as receiver:
        endpoint_on(receiver)
        receiver.answer(502, b"Bad gateway from the proxy", "text/plain")
        receiver.answer(200, b"stored", "text/plain")
        [delivery] = event_fanned_out()
        attempt_now(delivery)
        attempt_now(delivery)
    # when
    page = client.get(
        reverse("admin:integrations_webhookdelivery_change", args=[delivery.pk])
    ).content.decode()
    # then
    assert "Bad gateway from the proxy" in page
    assert "stored" in page
    assert delivery.event.webhook_id in page
    assert "Sheena Nelson" in page


def test_deliveries_are_filtered_by_state_and_found_by_webhook_id(client, supervisor):
    # given
    failed = WebhookDeliveryFactory(state="failed")
    delivered = WebhookDeliveryFactory(state="succeeded")
    # when
    by_state = client.get(DELIVERIES, {"state__exact": "failed"}).context["cl"].result_list
    by_id = client.get(DELIVERIES, {"q": delivered.event.webhook_id}).context["cl"].result_list
    # then
    assert (list(by_state), list(by_id)) == ([failed], [delivered])


def test_redeliver_queues_the_selected_deliveries_and_says_which_it_could_not(client, supervisor):
    # given
    failed = WebhookDeliveryFactory(state="failed")
    pending = WebhookDeliveryFactory()
    # when
    response = client.post(
        DELIVERIES,
        {"action": "redeliver", "_selected_action": [failed.pk, pending.pk]},
        follow=True,
    )
    # then
    page = response.content.decode()
    assert "1 delivery queued to be sent again." in page
    assert "The delivery is still being tried" in page
    assert WebhookDelivery.objects.get(pk=failed.pk).state == "pending"


@override_settings(DEBUG=True)
def test_the_demo_has_an_endpoint_disabled_by_a_410_with_its_log(client, supervisor):
    # given
    call_command("demo")
    call_command("demo")
    # when
    endpoints = client.get(ENDPOINTS).context["cl"].result_list
    deliveries = client.get(DELIVERIES).context["cl"].result_list
    # then
    [endpoint] = endpoints
    assert (endpoint.is_active, endpoint.disabled_reason[:34]) == (
        False, "The receiver answered 410 Gone on ",
    )  # fmt: skip
    assert [(delivery.state, delivery.attempts) for delivery in deliveries] == [
        ("failed", 1), ("succeeded", 2), ("succeeded", 1),
    ]  # fmt: skip
