"""What the agents' pages learn about our messages after sending: each delivery status as it
moves (message.updated), a failed send's reason, and the same message sent again by Retry."""

import pytest

from contactcenter.exceptions import ApplicationError
from messaging.models import DeliveryReceipt, DeliveryStatus
from messaging.services.outbound import message_deliver, message_retry, message_send
from messaging.tasks import message_deliver as message_deliver_task
from tests.contactcenter.inbox import delays, inboxes
from tests.factories import AgentFactory, ParticipantFactory
from tests.messaging import payloads
from tests.messaging.helpers import WA_ACCEPTED, WA_WINDOW_CLOSED, customer, post_webhook

pytestmark = pytest.mark.django_db(transaction=True)


def failed_message(provider_api, activity):
    provider_api.answer(400, WA_WINDOW_CLOSED)
    [message] = message_send(activity=activity, author=activity.owner, text="Are you there?")
    message_deliver(message_id=message.id)
    message.refresh_from_db()
    return message


def test_everyone_in_the_chat_sees_a_reply_go_sent_then_delivered(client, provider_api):
    # given: a shared chat; the owner's reply is sent
    activity = customer()
    colleague = ParticipantFactory(activity=activity).agent
    owner_inbox, colleague_inbox, outsider_inbox = inboxes(
        activity.owner, colleague, AgentFactory()
    )
    provider_api.answer(200, WA_ACCEPTED)
    [message] = message_send(activity=activity, author=activity.owner, text="Shipped today.")
    message_deliver(message_id=message.id)
    # when: WhatsApp reports it delivered
    account = activity.channel_account
    post_webhook(
        client,
        account,
        payloads.whatsapp_status(account.provider_account_id, "wamid.OUT1", "delivered"),
    )
    # then
    for inbox in (owner_inbox, colleague_inbox):
        updates = inbox.events("message.updated")
        assert [(u["message"]["id"], u["message"]["status"]) for u in updates] == [
            (message.id, "sent"),
            (message.id, "delivered"),
        ]
    assert outsider_inbox.events() == []


def test_a_failed_send_is_shown_with_its_reason(provider_api):
    # given
    activity = customer()
    [inbox] = inboxes(activity.owner)
    # when
    message = failed_message(provider_api, activity)
    # then
    [update] = inbox.events("message.updated")
    assert update["message"]["status"] == "failed"
    assert update["message"]["error_reason"] == message.error_reason != ""


def test_retry_sends_the_same_message_again(provider_api, monkeypatch):
    # given: a send that failed once
    activity = customer()
    message = failed_message(provider_api, activity)
    provider_api.answer(200, WA_ACCEPTED)
    deliveries = delays(monkeypatch, message_deliver_task)
    # when
    message_retry(message_id=message.id, agent=activity.owner)
    # then: queued again with its reason cleared, delivered by a new task, sent once more
    assert deliveries == [(message.id,)]
    message_deliver(message_id=message.id)
    message.refresh_from_db()
    assert (message.status, message.error_code, message.provider_message_id) == (
        DeliveryStatus.SENT,
        "",
        "wamid.OUT1",
    )
    assert [post.json()["text"]["body"] for post in provider_api.posts()] == ["Are you there?"] * 2


def test_retry_is_refused_for_a_message_that_did_not_fail(provider_api):
    activity = customer()
    provider_api.answer(200, WA_ACCEPTED)
    [message] = message_send(activity=activity, author=activity.owner, text="hello")
    with pytest.raises(ApplicationError) as refused:
        message_retry(message_id=message.id, agent=activity.owner)
    assert refused.value.code == "not_failed"


def test_retry_is_refused_when_the_window_has_closed_since(provider_api):
    # given: it failed, and the customer's 24 hours are over now
    activity = customer()
    message = failed_message(provider_api, activity)
    activity.identity.last_inbound_at = activity.identity.last_inbound_at.replace(year=2020)
    activity.identity.save()
    # when
    with pytest.raises(ApplicationError) as refused:
        message_retry(message_id=message.id, agent=activity.owner)
    # then: nothing changes
    assert refused.value.code == "template_required"
    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED


def test_retry_over_the_api_is_404_for_an_agent_outside_the_activity(provider_api, client):
    activity = customer()
    message = failed_message(provider_api, activity)
    client.force_login(AgentFactory().user)
    response = client.post(f"/api/v1/messages/{message.id}/retry/")
    assert response.status_code == 404


def test_retry_over_the_api_answers_the_message_queued_again(provider_api, client):
    activity = customer()
    message = failed_message(provider_api, activity)
    client.force_login(activity.owner.user)
    response = client.post(f"/api/v1/messages/{message.id}/retry/")
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (message.id, "queued")


def test_a_status_reported_again_and_again_is_kept_once(client, provider_api):
    # given: a reply WhatsApp accepted
    activity = customer()
    provider_api.answer(200, WA_ACCEPTED)
    [message] = message_send(activity=activity, author=activity.owner, text="Shipped today.")
    message_deliver(message_id=message.id)
    account = activity.channel_account
    delivered = payloads.whatsapp_status(account.provider_account_id, "wamid.OUT1", "delivered")
    # when: the provider reports it delivered 25 times (each its own webhook delivery)
    for _ in range(25):
        post_webhook(client, account, delivered)
    # then
    assert DeliveryReceipt.objects.filter(provider_message_id="wamid.OUT1").count() == 1
    message.refresh_from_db()
    assert message.status == DeliveryStatus.DELIVERED
