"""Events for integrators from the messages: a customer's conversation reported from first
message to close, in order; each message written and each status change of ours reported
once, with what an integrator reads; nothing for what was rolled back."""

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone

from contactcenter import events
from contactcenter.exceptions import ApplicationError
from contactcenter.models import Activity, ActivityState, Offer
from contactcenter.ports import ports
from contactcenter.services.activities import activity_close
from contactcenter.services.offers import offer_accept
from contactcenter.services.sharing import activity_invite
from messaging.connectors import connector_for
from messaging.models import Attachment, Message
from messaging.services.conversations import conversation_start
from messaging.services.outbound import message_deliver, message_retry, message_send
from tests.factories import (
    ChannelAccountFactory,
    IdentityFactory,
    MembershipFactory,
    OnlineAgentFactory,
)
from tests.messaging import payloads
from tests.messaging.helpers import (
    WA_ACCEPTED,
    WA_WINDOW_CLOSED,
    customer,
    messenger_replies_sent,
    post_webhook,
)

pytestmark = pytest.mark.django_db


def customer_writes(client, account, wamid: str = "wamid.IN1", text: str = "Has it shipped?"):
    """A WhatsApp text from Sheena Nelson, sent now (so the reply window is open)."""
    body = payloads.whatsapp_text(account.provider_account_id, wamid, text, name="Sheena Nelson")
    [message] = body["entry"][0]["changes"][0]["value"]["messages"]
    message["timestamp"] = str(int(timezone.now().timestamp()))
    post_webhook(client, account, body)


def test_a_customers_conversation_is_reported_from_first_message_to_close_in_order(
    client, provider_api, outbox
):
    # given: an agent who can be rung
    account = ChannelAccountFactory()
    alice = OnlineAgentFactory(queue=account.queue, display_name="Alice")
    # when: the customer writes, alice accepts and replies, WhatsApp sends and delivers the
    # reply, alice closes
    customer_writes(client, account)
    offer_accept(offer_id=Offer.objects.get().pk, agent=alice)
    activity = Activity.objects.get()
    provider_api.answer(200, WA_ACCEPTED)
    [reply] = message_send(activity=activity, author=alice, text="Yes, today.")
    message_deliver(message_id=reply.pk)
    delivered = payloads.whatsapp_status(account.provider_account_id, "wamid.OUT1", "delivered")
    post_webhook(client, account, delivered)
    activity_close(activity_id=activity.pk, agent=alice)
    # then
    written = outbox()
    assert [kind for kind, _ in written] == [
        "activity.created",
        "message.created",
        "activity.offered",
        "activity.accepted",
        "message.created",
        "message.status_changed",
        "message.status_changed",
        "activity.closed",
    ]
    created, inbound, offered, accepted, outbound, sent, receipt, closed = (
        data for _, data in written
    )
    sheena = {"type": "customer", "id": activity.identity_id, "name": "Sheena Nelson"}
    assert created["started_by"] == sheena
    assert (created["activity"]["id"], created["activity"]["state"]) == (activity.pk, "waiting")
    assert {key: inbound["message"][key] for key in ("activity_id", "direction", "text")} == {
        "activity_id": activity.pk,
        "direction": "in",
        "text": "Has it shipped?",
    }
    assert (inbound["message"]["author"], inbound["message"]["status"]) == (sheena, "received")
    assert offered["agent"] == accepted["agent"] == {"id": alice.pk, "name": "Alice"}
    assert (outbound["message"]["id"], outbound["message"]["direction"]) == (reply.pk, "out")
    assert outbound["message"]["author"] == {"type": "agent", "id": alice.pk, "name": "Alice"}
    assert [(each["previous_status"], each["message"]["status"]) for each in (sent, receipt)] == [
        ("queued", "sent"),
        ("sent", "delivered"),
    ]
    assert (closed["activity"]["state"], closed["closed_by"]["id"]) == ("closed", alice.pk)


def test_a_first_message_reports_three_events_and_asks_for_their_dispatch_once(
    client, outbox, monkeypatch, empty_broker, django_capture_on_commit_callbacks
):
    # given
    account = ChannelAccountFactory()
    OnlineAgentFactory(queue=account.queue)
    asks = []
    monkeypatch.setattr(ports, "outbox_written", lambda: asks.append(1))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        customer_writes(client, account)
    # then
    assert len(outbox()) == 3
    assert asks == [1]


def test_a_returning_customers_message_is_reported_once_however_often_it_is_delivered(
    client, outbox
):
    # given: the customer's conversation is open
    account = ChannelAccountFactory()
    customer_writes(client, account, "wamid.FIRST")
    before = len(outbox())
    # when: the next message comes, then comes again
    customer_writes(client, account, "wamid.NEXT", "And the invoice?")
    customer_writes(client, account, "wamid.NEXT", "And the invoice?")
    # then
    [(kind, data)] = outbox()[before:]
    assert (kind, data["message"]["text"]) == ("message.created", "And the invoice?")


def test_a_customers_image_is_reported_with_its_file(client, outbox):
    # given
    account = ChannelAccountFactory()
    # when
    post_webhook(client, account, payloads.whatsapp_image(account.provider_account_id, "wamid.IMG"))
    # then
    [(_, data)] = outbox("message.created")
    attachment = Attachment.objects.get()
    assert data["message"]["attachments"] == [
        {
            "id": attachment.pk,
            "kind": "image",
            "filename": attachment.filename,
            "content_type": "image/jpeg",
            "size": attachment.size,
        }
    ]


def test_a_failed_send_is_reported_with_its_reason_and_its_retry_as_queued_again(
    provider_api, outbox
):
    # given: the provider refuses the reply
    activity = customer()
    provider_api.answer(400, WA_WINDOW_CLOSED)
    [message] = message_send(activity=activity, author=activity.owner, text="Are you there?")
    # when
    message_deliver(message_id=message.pk)
    message_retry(message_id=message.pk, agent=activity.owner)
    # then
    [(_, failed), (_, retried)] = outbox("message.status_changed")
    assert failed["previous_status"] == "queued"
    assert {key: failed["message"][key] for key in ("id", "status", "error_code")} == {
        "id": message.pk,
        "status": "failed",
        "error_code": "131047",
    }
    assert "only an approved template" in failed["message"]["error_reason"]
    assert (retried["previous_status"], retried["message"]["status"]) == ("failed", "queued")
    assert retried["message"]["error_code"] == ""


def test_a_notice_to_the_customer_is_reported_as_written_by_the_system(outbox):
    # given
    activity = customer()
    bob = OnlineAgentFactory()
    activity_invite(activity_id=activity.pk, agent=activity.owner, to_agent_id=bob.pk)
    # when: bob joins, and the customer is told another agent has
    offer_accept(offer_id=Offer.objects.get(activity=activity).pk, agent=bob)
    # then: after bob's accept
    [(first, accepted), (then, data)] = outbox("activity.accepted", "message.created")
    assert (first, accepted["agent"]["id"], then) == (
        "activity.accepted",
        bob.pk,
        "message.created",
    )
    assert (data["message"]["direction"], data["message"]["author"]) == (
        "out",
        {"type": "system", "id": None, "name": None},
    )
    assert data["message"]["text"] == activity.queue.joined_text


def test_a_read_watermark_reports_each_reply_it_moves(client, provider_api, outbox):
    # given: two replies sent on Messenger
    account = messenger_replies_sent(provider_api, "m_a", "m_b")
    before = len(outbox())
    # when
    read = payloads.messenger_read(account.provider_account_id, 4102444800000)
    post_webhook(client, account, read)
    # then
    moved = sorted(
        (data["message"]["id"], data["previous_status"], data["message"]["status"])
        for _, data in outbox()[before:]
    )
    replies = sorted(Message.objects.values_list("pk", flat=True))
    assert moved == [(pk, "sent", "read") for pk in replies]


def test_a_conversation_refused_after_it_was_opened_reports_nothing(outbox):
    # given: a customer who wrote an hour ago, and a message longer than WhatsApp takes
    identity = IdentityFactory(last_inbound_at=timezone.now() - timedelta(hours=1))
    agent = MembershipFactory(queue=identity.channel_account.queue).agent
    too_long = "x" * (connector_for("whatsapp").text_limit + 1)
    # when: the activity is opened, then the message is refused
    with pytest.raises(ApplicationError) as refused:
        conversation_start(
            agent=agent,
            identity_id=identity.pk,
            queue_id=identity.channel_account.queue_id,
            text=too_long,
        )
    # then
    assert refused.value.code == "text_too_long"
    assert Activity.objects.count() == 0
    assert outbox() == []


def test_a_notification_that_fails_after_it_was_written_is_not_reported(
    client, outbox, monkeypatch
):
    # given: an agent who can be rung, and the notification's push failing in the database
    account = ChannelAccountFactory()
    OnlineAgentFactory(queue=account.queue)

    def failing(offer):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(events, "offer_new", failing)
    # when
    customer_writes(client, account)
    # then: the activity waits (the sweep rings someone), reported with its message only
    assert Activity.objects.get().state == ActivityState.WAITING
    assert Offer.objects.count() == 0
    assert [kind for kind, _ in outbox()] == ["activity.created", "message.created"]
