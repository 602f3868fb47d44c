"""Outgoing webhooks as a receiver gets them: signed so that a Standard Webhooks library
verifies them (and refuses a tampered or replayed one), retried with backoff until a 2xx, the
same webhook-id every time, every attempt kept; a 410 or days of failures disable the endpoint,
saying why; nothing goes to this machine or a private network unless a setting allows it."""

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date
from standardwebhooks import WebhookVerificationError

from contactcenter.exceptions import ApplicationError
from contactcenter.models import OutboxEvent
from integrations import signing
from integrations.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from integrations.services.deliveries import (
    SCHEDULE,
    delivery_redeliver,
    outbox_dispatch,
    webhooks_prune,
)
from integrations.services.endpoints import endpoint_create, endpoint_rotate_secret
from tests.factories import (
    OutboxEventFactory,
    SupervisorFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)
from tests.integrations.helpers import (
    CONTACT,
    attempt_now,
    endpoint_on,
    event_fanned_out,
    verified,
)
from tests.messaging.scripted_server import ScriptedServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


def test_a_delivery_is_the_event_signed_as_standard_webhooks_verifies_it(receiver):
    # given
    endpoint = endpoint_on(receiver)
    receiver.answer(200, {"ok": True})
    # when
    [delivery] = event_fanned_out()
    attempt_now(delivery)
    # then: the receiver's library verifies it and reads the event
    [request] = receiver.posts()
    event = delivery.event
    payload = verified(request, endpoint.secret)
    occurred_at = payload.pop("timestamp")
    assert payload == {"type": "contact.created", "data": CONTACT}
    assert occurred_at.endswith("Z")
    assert abs(datetime.fromisoformat(occurred_at) - event.occurred_at) < timedelta(milliseconds=1)
    assert (request.path, request.headers["webhook-id"]) == ("/hooks", event.webhook_id)
    assert request.headers["Content-Type"] == "application/json"
    assert endpoint.secret.startswith("whsec_")
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)


def test_a_tampered_body_fails_verification(receiver):
    # given: a delivery as it was received
    endpoint = endpoint_on(receiver)
    receiver.answer(200)
    attempt_now(*event_fanned_out())
    [request] = receiver.posts()
    # when: someone changes the body on the way
    tampered = request.body.replace(b"Sheena", b"Mallory")
    # then
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        verified(type(request)(**{**vars(request), "body": tampered}), endpoint.secret)


def test_a_delivery_replayed_later_fails_verification_by_its_old_timestamp(receiver):
    # given: a delivery as it was signed ten minutes ago, on the secret's own terms
    endpoint = endpoint_on(receiver)
    receiver.answer(200)
    attempt_now(*event_fanned_out())
    [request] = receiver.posts()
    old = int((timezone.now() - timedelta(minutes=10)).timestamp())
    replayed = signing.signed_headers(
        [endpoint.secret], webhook_id=request.headers["webhook-id"], timestamp=old,
        content=request.body,
    )  # fmt: skip
    # when / then
    with pytest.raises(WebhookVerificationError, match="too old"):
        verified(type(request)(**{**vars(request), "headers": replayed}), endpoint.secret)


def test_during_a_rotation_both_secrets_verify_and_after_it_only_the_new_one(receiver):
    # given: a receiver still configured with the secret before a rotation
    endpoint = endpoint_on(receiver)
    old_secret = endpoint.secret
    rotated = endpoint_rotate_secret(endpoint_id=endpoint.pk)
    receiver.answer(200)
    receiver.answer(200)
    # when: one event during the overlap, one after it
    attempt_now(*event_fanned_out())
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    attempt_now(*event_fanned_out())
    # then
    during, after = receiver.posts()
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert verified(during, old_secret) == verified(during, rotated.secret)
    assert verified(after, rotated.secret)["type"] == "contact.created"
    with pytest.raises(WebhookVerificationError):
        verified(after, old_secret)


def test_a_receiver_failing_three_times_then_answering_gets_the_event_once_more(receiver):
    # given: a receiver that fails three times, then answers, and would answer again
    endpoint = endpoint_on(receiver)
    for status in (500, 503, 404, 200, 200):
        receiver.answer(status, b"busy" if status != 200 else b"thanks", "text/plain")
    [delivery] = event_fanned_out()
    # when: each try at its time, and the sweep's and a late task's after the success
    for _ in range(6):
        attempt_now(delivery)
    # then: four posts, the same event each time, each verified; four attempts logged
    posts = receiver.posts()
    assert len(posts) == 4
    assert {post.headers["webhook-id"] for post in posts} == {delivery.event.webhook_id}
    assert all(verified(post, endpoint.secret)["data"] == CONTACT for post in posts)
    log = delivery.attempt_log.all()
    assert [(attempt.status_code, attempt.response_excerpt) for attempt in log] == [
        (500, "busy"), (503, "busy"), (404, "busy"), (200, "thanks"),
    ]  # fmt: skip
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("succeeded", 4, None)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_retries_follow_the_schedule_with_jitter_then_the_delivery_fails(receiver):
    # given: a receiver that always fails
    endpoint_on(receiver)
    for _ in range(len(SCHEDULE) + 1):
        receiver.answer(500)
    [delivery] = event_fanned_out()
    # when: every try, each at its time
    tried_at, next_at = [], []
    for _ in range(len(SCHEDULE) + 1):
        attempt_now(delivery)
        tried_at.append(delivery.attempt_log.last().attempted_at)
        next_at.append(delivery.next_attempt_at)
    # then: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, each within a fifth either way (and the
    # post's own time), then no more
    retries = zip(next_at[:-1], tried_at[:-1], SCHEDULE, strict=True)
    waits = [(at - tried) / plan for at, tried, plan in retries]
    assert all(0.8 <= wait <= 1.25 for wait in waits), waits
    assert next_at[-1] is None
    assert (delivery.state, delivery.attempts) == ("failed", len(SCHEDULE) + 1)
    assert len(receiver.posts()) == len(SCHEDULE) + 1


def in_two_hours() -> str:
    """An HTTP date two hours from now, as a Retry-After may give it."""
    return http_date((timezone.now() + timedelta(hours=2)).timestamp())


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [
        ("120", timedelta(seconds=120)),
        (in_two_hours, timedelta(hours=2)),
        ("604800", SCHEDULE[-1]),  # a week asked: no longer than the schedule's longest wait
        ("9" * 30, SCHEDULE[-1]),  # more seconds than a date can hold
    ],
)
def test_a_receiver_asking_to_be_left_alone_for_a_while_is_tried_again_no_sooner(
    receiver, retry_after, wait
):
    # given: a receiver too busy now, saying when to come back
    endpoint_on(receiver)
    asked = retry_after() if callable(retry_after) else retry_after
    receiver.answer(429, b"slow down", "text/plain", headers={"Retry-After": asked})
    [delivery] = event_fanned_out()
    # when
    attempt_now(delivery)
    # then: the next try is when it asked (not the schedule's 5 s), and the log says why
    waited = delivery.next_attempt_at - delivery.attempt_log.last().attempted_at
    assert abs(waited - wait) < timedelta(seconds=5), waited
    assert delivery.attempt_log.last().error == f"Retry-After: {asked}"


@pytest.mark.parametrize("retry_after", ["soon", "-30", ""])
def test_a_retry_after_that_says_nothing_usable_leaves_the_schedule(receiver, retry_after):
    endpoint_on(receiver)
    receiver.answer(503, b"busy", "text/plain", headers={"Retry-After": retry_after})
    [delivery] = event_fanned_out()
    attempt_now(delivery)
    waited = delivery.next_attempt_at - delivery.attempt_log.last().attempted_at
    assert SCHEDULE[0] * 0.8 <= waited <= SCHEDULE[0] * 1.25, waited


def endpoint_failing(receiver: ScriptedServer, *, days: float) -> WebhookEndpoint:
    """An endpoint on `receiver` whose deliveries have all failed for `days` days."""
    endpoint = endpoint_on(receiver)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - timedelta(days=days)
    )
    return endpoint


def test_a_410_disables_the_endpoint_and_fails_its_pending_deliveries(receiver):
    # given: two events for the endpoint; its receiver answers 410 Gone to the first
    endpoint = endpoint_on(receiver)
    receiver.answer(410, b"This integration was removed.", "text/plain")
    [first] = event_fanned_out()
    [second] = event_fanned_out()
    # when
    attempt_now(first)
    # then: disabled, saying why; nothing more is sent to it, not even a later event
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_reason.startswith("The receiver answered 410 Gone on ")
    assert endpoint.disabled_reason.endswith(": it asked for no more deliveries.")
    assert list(endpoint.deliveries.values_list("state", flat=True)) == ["failed", "failed"]
    assert event_fanned_out() == []
    attempt_now(second)
    assert len(receiver.posts()) == 1


def test_an_endpoint_failing_for_more_than_five_days_is_disabled_with_why(receiver, settings):
    # given: an endpoint whose deliveries have failed since six days ago
    settings.WEBHOOK_DISABLE_AFTER_DAYS = 5
    endpoint = endpoint_failing(receiver, days=6)
    receiver.answer(500)
    [delivery] = event_fanned_out()
    # when: this delivery fails too
    attempt_now(delivery)
    # then: supervisors read why it was disabled
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_reason.startswith("Every delivery failed from ")
    assert endpoint.disabled_reason.endswith(" more than 5 days; the last: HTTP 500")
    assert delivery.state == "failed"


def test_an_endpoint_failing_for_less_long_keeps_trying_and_a_success_clears_it(receiver):
    # given: failing since four days ago
    endpoint = endpoint_failing(receiver, days=4)
    receiver.answer(500)
    receiver.answer(200)
    [delivery] = event_fanned_out()
    # when
    attempt_now(delivery)
    endpoint.refresh_from_db()
    still_failing = (endpoint.is_active, endpoint.failing_since is not None, delivery.state)
    attempt_now(delivery)
    # then
    endpoint.refresh_from_db()
    assert still_failing == (True, True, "pending")
    assert (endpoint.is_active, endpoint.failing_since, delivery.state) == (
        True, None, "succeeded",
    )  # fmt: skip


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "10.0.0.8", "169.254.169.254"])
def test_an_endpoint_on_this_machine_or_a_private_network_is_refused(settings, host):
    # given
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    # when
    with pytest.raises(ApplicationError) as refusal:
        endpoint_create(
            actor=SupervisorFactory(),
            url=f"http://{host}:8080/hooks",
            event_types=["ticket.created"],
        )
    # then
    assert refusal.value.code == "url_not_public"
    assert refusal.value.message.endswith(
        "is not a public address.) and WEBHOOK_ALLOW_PRIVATE_TARGETS is off."
    )
    assert not WebhookEndpoint.objects.exists()


def test_a_host_that_came_to_resolve_to_this_machine_is_not_posted_to(receiver, settings):
    # given: an endpoint saved while allowed, its host now refused (as after a DNS change)
    endpoint_on(receiver)
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    [delivery] = event_fanned_out()
    # when
    attempt_now(delivery)
    # then: nothing reached it; the attempt says why, and it is tried again later
    assert receiver.requests == []
    [attempt] = delivery.attempt_log.all()
    assert (attempt.status_code, attempt.error) == (
        None,
        "Refused: 127.0.0.1 is on this machine or a private network (127.0.0.1 is not a public "
        "address.) and WEBHOOK_ALLOW_PRIVATE_TARGETS is off.",
    )
    assert delivery.state == "pending"


def test_a_redirect_is_not_followed(receiver):
    # given
    endpoint_on(receiver)
    receiver.redirect("http://169.254.169.254/latest/meta-data/")
    [delivery] = event_fanned_out()
    # when
    attempt_now(delivery)
    # then
    assert len(receiver.requests) == 1
    [attempt] = delivery.attempt_log.all()
    assert (attempt.status_code, attempt.error) == (
        302,
        "Redirected to http://169.254.169.254/latest/meta-data/: not followed; correct the "
        "endpoint's URL.",
    )
    assert delivery.state == "pending"


def test_a_receiver_that_does_not_answer_in_time_is_an_attempt_failed(receiver, settings):
    # given: a receiver that holds its answer past the timeout
    settings.WEBHOOK_TIMEOUT = 0.5
    endpoint_on(receiver)
    [delivery] = event_fanned_out()
    held = threading.Event()
    receiver.answer(200, held=held)
    # when
    attempt_now(delivery)
    held.set()
    # then
    [attempt] = delivery.attempt_log.all()
    assert (attempt.status_code, attempt.error) == (None, "No answer within 0.5 s.")
    assert delivery.state == "pending"


def test_an_answer_is_kept_up_to_its_first_1000_characters(receiver):
    # given
    endpoint_on(receiver)
    receiver.answer(500, ("é" * 3000).encode(), "text/plain")
    [delivery] = event_fanned_out()
    # when
    attempt_now(delivery)
    # then
    [attempt] = delivery.attempt_log.all()
    assert attempt.response_excerpt == "é" * 1000


def test_a_redelivery_sends_the_same_event_again_with_its_webhook_id(receiver):
    # given: a delivered event
    endpoint = endpoint_on(receiver)
    receiver.answer(200)
    receiver.answer(200)
    [delivery] = event_fanned_out()
    attempt_now(delivery)
    # when
    delivery_redeliver(delivery_id=delivery.pk)
    attempt_now(delivery)
    # then
    first, again = receiver.posts()
    assert again.headers["webhook-id"] == first.headers["webhook-id"]
    assert verified(again, endpoint.secret) == verified(first, endpoint.secret)
    assert (delivery.state, delivery.attempts, delivery.attempt_log.count()) == ("succeeded", 2, 2)


def test_a_delivery_still_being_tried_or_of_a_disabled_endpoint_is_not_redelivered(receiver):
    # given: one delivery pending a retry, one whose endpoint answered 410
    endpoint_on(receiver)
    receiver.answer(500)
    [pending] = event_fanned_out()
    attempt_now(pending)
    gone = WebhookDeliveryFactory(state=DeliveryState.FAILED, endpoint__is_active=False)
    # when
    refusals = []
    for delivery in (pending, gone):
        with pytest.raises(ApplicationError) as refusal:
            delivery_redeliver(delivery_id=delivery.pk)
        refusals.append((refusal.value.status, refusal.value.code))
    # then
    assert refusals == [(409, "delivery_pending"), (409, "endpoint_disabled")]


def test_an_event_goes_to_each_active_endpoint_that_wanted_it_and_existed_then(receiver):
    # given: endpoints wanting contacts, tickets, and contacts but disabled
    contacts = endpoint_on(receiver, "contact.created", "contact.updated")
    tickets = endpoint_on(receiver, "ticket.created")
    WebhookEndpointFactory(is_active=False, event_types=["contact.created"])
    # when: a contact is made, and an endpoint for contacts is added after it
    event = OutboxEventFactory(type="contact.created")
    later = endpoint_on(receiver, "contact.created")
    outbox_dispatch()
    outbox_dispatch()
    # then: one delivery, to the endpoint that wanted it then, queued once
    assert [delivery.endpoint for delivery in WebhookDelivery.objects.all()] == [contacts]
    assert tickets.deliveries.count() == later.deliveries.count() == 0
    event.refresh_from_db()
    assert event.dispatched_at is not None


def test_events_delivered_or_failed_are_forgotten_after_the_retention(settings):
    # given: events of 31 days ago, delivered, failed and one redelivery pending; one recent
    settings.WEBHOOK_RETENTION_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    kept = []
    for state in ("succeeded", "failed", "pending"):
        delivery = WebhookDeliveryFactory(
            state=state, event__occurred_at=old, event__dispatched_at=old
        )
        kept.append(delivery.event_id)
    recent = WebhookDeliveryFactory(state="succeeded", event__dispatched_at=timezone.now())
    # when
    pruned = webhooks_prune()
    # then
    assert pruned == 2
    assert set(OutboxEvent.objects.values_list("pk", flat=True)) == {kept[2], recent.event_id}
    assert WebhookDelivery.objects.count() == 2


def test_the_body_posted_is_compact_json_exactly_as_signed(receiver):
    # given
    endpoint = endpoint_on(receiver)
    receiver.answer(200)
    # when
    attempt_now(*event_fanned_out(data={"note": "Zdeněk's order: 2 pieces, 100 €"}))
    # then: the very bytes verify, and they are compact JSON
    [request] = receiver.posts()
    payload = verified(request, endpoint.secret)
    assert request.body == json.dumps(payload, separators=(",", ":")).encode()
