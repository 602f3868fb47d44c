"""Webhook endpoints over the API (/api/v1/webhook-endpoints/ ...): supervisors and integration
accounts manage them, see each one's delivery log and redeliver; agents are refused. The secret
is answered on creation and rotation only."""

import pytest
from django.contrib.auth.models import Group

from contactcenter.outbox import EVENT_TYPES
from contactcenter.permissions import INTEGRATION_GROUP
from integrations.models import WebhookDelivery, WebhookEndpoint
from tests.api import api_for
from tests.factories import (
    AgentFactory,
    SupervisorFactory,
    UserFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)
from tests.integrations.helpers import attempt_now, endpoint_on, event_fanned_out
from tests.messaging.scripted_server import ScriptedServer

pytestmark = pytest.mark.django_db

ENDPOINTS = "/api/v1/webhook-endpoints/"
NEW = {
    "url": "https://crm.example.com/hooks",
    "description": "Our CRM",
    "event_types": ["ticket.created", "activity.closed"],
}


def integration_account():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=INTEGRATION_GROUP)[0])
    return user


@pytest.fixture(params=["supervisor", "integration"])
def manager(request):
    return SupervisorFactory() if request.param == "supervisor" else integration_account()


def test_a_new_endpoint_answers_its_secret_once(manager):
    # given
    api = api_for(manager)
    # when
    created = api.post(ENDPOINTS, NEW, format="json")
    listed = api.get(ENDPOINTS)
    # then
    assert created.status_code == 201
    endpoint = WebhookEndpoint.objects.get()
    assert created.json() == {
        "id": endpoint.pk,
        "url": "https://crm.example.com/hooks",
        "description": "Our CRM",
        "event_types": ["activity.closed", "ticket.created"],
        "is_active": True,
        "disabled_reason": "",
        "failing_since": None,
        "created_at": created.json()["created_at"],
        "updated_at": created.json()["updated_at"],
        "secret": endpoint.secret,
        "previous_secret_expires_at": None,
    }
    assert created.json()["secret"].startswith("whsec_")
    [row] = listed.json()["results"]
    assert "secret" not in row
    assert endpoint.created_by == manager


def test_an_endpoint_is_changed_disabled_with_who_did_it_and_deleted(manager):
    # given
    api = api_for(manager)
    endpoint_id = api.post(ENDPOINTS, NEW, format="json").json()["id"]
    url = f"{ENDPOINTS}{endpoint_id}/"
    # when
    changed = api.patch(url, {"event_types": ["contact.created"]}, format="json")
    disabled = api.patch(url, {"is_active": False}, format="json")
    deleted = api.delete(url)
    # then
    assert changed.json()["event_types"] == ["contact.created"]
    assert disabled.json()["is_active"] is False
    assert disabled.json()["disabled_reason"].startswith(f"Disabled by {manager.username} on ")
    assert deleted.status_code == 204
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"event_types": ["ticket.deleted"]}, "invalid"),
        ({"event_types": []}, "invalid"),
        ({"url": "ftp://crm.example.com/hooks"}, "invalid_url"),
        ({"url": "http://127.0.0.1:8000/hooks"}, "url_not_public"),
    ],
)
def test_an_unknown_event_type_or_a_url_not_allowed_is_refused(settings, change, code):
    # given
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    # when
    response = api_for(SupervisorFactory()).post(ENDPOINTS, {**NEW, **change}, format="json")
    # then
    assert (response.status_code, response.json()["code"]) == (400, code)
    assert not WebhookEndpoint.objects.exists()


def test_rotating_the_secret_answers_the_new_one_and_how_long_the_old_one_signs():
    # given
    endpoint = WebhookEndpointFactory()
    # when
    response = api_for(SupervisorFactory()).post(f"{ENDPOINTS}{endpoint.pk}/rotate-secret/")
    # then
    endpoint.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["secret"] == endpoint.secret
    assert endpoint.previous_secret != endpoint.secret
    assert response.json()["previous_secret_expires_at"] is not None


def test_the_delivery_log_is_newest_first_with_every_attempt():
    # given: two events, the first delivered after a retry, the second failing
    with ScriptedServer() as receiver:
        endpoint = endpoint_on(receiver)
        for status in (503, 200, 500):
            receiver.answer(status, b"answer %d" % status, "text/plain")
        [first] = event_fanned_out(data={"contact_id": 1})
        attempt_now(first)
        attempt_now(first)
        [second] = event_fanned_out(data={"contact_id": 2})
        attempt_now(second)
    # when
    log = api_for(integration_account()).get(f"{ENDPOINTS}{endpoint.pk}/deliveries/")
    # then
    rows = log.json()["results"]
    assert [(row["id"], row["state"], row["attempts"]) for row in rows] == [
        (second.pk, "pending", 1), (first.pk, "succeeded", 2),
    ]  # fmt: skip
    assert rows[1]["webhook_id"] == first.event.webhook_id
    assert rows[1]["payload"]["data"] == {"contact_id": 1}
    assert [
        (attempt["status_code"], attempt["response_excerpt"]) for attempt in rows[1]["attempt_log"]
    ] == [(503, "answer 503"), (200, "answer 200")]


def test_the_log_filters_by_state_and_an_unknown_endpoint_is_404():
    # given
    delivered = WebhookDeliveryFactory(state="succeeded")
    WebhookDeliveryFactory(endpoint=delivered.endpoint, state="failed")
    api = api_for(SupervisorFactory())
    # when
    filtered = api.get(f"{ENDPOINTS}{delivered.endpoint_id}/deliveries/?state=succeeded")
    unknown = api.get(f"{ENDPOINTS}{delivered.endpoint_id + 1}/deliveries/")
    # then
    assert [row["id"] for row in filtered.json()["results"]] == [delivered.pk]
    assert unknown.status_code == 404


def test_a_redelivery_is_queued_and_one_still_being_tried_is_refused():
    # given
    failed = WebhookDeliveryFactory(state="failed")
    api = api_for(SupervisorFactory())
    url = f"/api/v1/webhook-deliveries/{failed.pk}/redeliver/"
    # when
    queued = api.post(url)
    again = api.post(url)
    # then
    assert (queued.status_code, queued.json()["state"]) == (202, "pending")
    assert (again.status_code, again.json()["code"]) == (409, "delivery_pending")
    assert WebhookDelivery.objects.get().state == "pending"


def test_the_event_types_are_listed_with_what_each_reports():
    response = api_for(integration_account()).get("/api/v1/webhook-event-types/")
    assert response.json() == [
        {"type": name, "description": description} for name, description in EVENT_TYPES.items()
    ]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ENDPOINTS),
        ("post", ENDPOINTS),
        ("get", "{endpoint}"),
        ("delete", "{endpoint}"),
        ("post", "{endpoint}rotate-secret/"),
        ("get", "{endpoint}deliveries/"),
        ("post", "/api/v1/webhook-deliveries/{delivery}/redeliver/"),
        ("get", "/api/v1/webhook-event-types/"),
    ],
)
def test_an_agent_is_refused_everywhere(method, path):
    # given
    delivery = WebhookDeliveryFactory(state="failed")
    endpoint = f"{ENDPOINTS}{delivery.endpoint_id}/"
    # when
    response = getattr(api_for(AgentFactory().user), method)(
        path.format(endpoint=endpoint, delivery=delivery.pk), NEW, format="json"
    )
    # then
    assert response.status_code == 403
    assert response.json()["detail"] == "Only supervisors and integration accounts manage webhooks."
    assert (WebhookEndpoint.objects.count(), WebhookDelivery.objects.get().state) == (1, "failed")
