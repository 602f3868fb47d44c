"""Delivery with a real Celery worker, receipts in any order, and inbound media downloads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from messaging.models import Attachment, DeliveryStatus, Message
from messaging.services.errors import TransientProviderError
from messaging.services.media import attachment_download
from messaging.services.outbound import message_deliver, message_send, messages_requeue_stale
from messaging.tasks import MAX_RETRIES
from messaging.tasks import attachment_download as attachment_download_task
from messaging.tasks import message_deliver as message_deliver_task
from messaging.tasks import messages_requeue_stale as messages_requeue_stale_task
from tests.factories import ChannelAccountFactory
from tests.messaging import payloads
from tests.messaging.helpers import WA_ACCEPTED, customer, messenger_replies_sent, post_webhook
from tests.waiting import wait_for
from tests.workers import celery_worker


@pytest.mark.django_db(transaction=True)
def test_a_send_that_gets_429_twice_then_200_is_delivered_once(provider_api):
    # given: the provider refuses twice for throughput, then accepts
    activity = customer()
    rate_limited = {
        "error": {
            "message": "(#130429) Rate limit hit",
            "type": "OAuthException",
            "code": 130429,
            "fbtrace_id": "x",
        }
    }
    provider_api.answer(429, rate_limited)
    provider_api.answer(429, rate_limited)
    provider_api.answer(200, WA_ACCEPTED)
    # when: a real worker runs the delivery task with its retries and backoff
    with celery_worker():
        [message] = message_send(activity=activity, author=activity.owner, text="hello")
        wait_for(lambda: Message.objects.get(pk=message.pk).status != DeliveryStatus.QUEUED)
    # then
    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == (DeliveryStatus.SENT, "wamid.OUT1")
    assert len(provider_api.posts()) == 3
    assert message.send_attempts == 1


@pytest.mark.django_db
def test_a_receipt_that_arrives_before_the_send_returns_is_applied_after(client, provider_api):
    # given: WhatsApp reports "delivered" for an id we have not stored yet
    activity = customer()
    account = activity.channel_account
    post_webhook(
        client,
        account,
        payloads.whatsapp_status(account.provider_account_id, "wamid.OUT1", "delivered"),
    )
    provider_api.answer(200, WA_ACCEPTED)
    [message] = message_send(activity=activity, author=activity.owner, text="fast")
    # when
    message_deliver(message_id=message.id)
    # then
    message.refresh_from_db()
    assert message.status == DeliveryStatus.DELIVERED


@pytest.mark.django_db
def test_statuses_move_sent_delivered_read_and_never_back(client, provider_api):
    activity = customer()
    account = activity.channel_account
    provider_api.answer(200, WA_ACCEPTED)
    [message] = message_send(activity=activity, author=activity.owner, text="hi")
    message_deliver(message_id=message.id)
    seen = []
    for status, timestamp in [
        ("delivered", "1700000001"),
        ("read", "1700000002"),
        ("delivered", "1700000003"),
        ("sent", "1700000004"),
    ]:
        post_webhook(
            client,
            account,
            payloads.whatsapp_status(account.provider_account_id, "wamid.OUT1", status, timestamp),
        )
        message.refresh_from_db()
        seen.append(message.status)
    assert seen == ["delivered", "read", "read", "read"]
    assert message.read_at.timestamp() == 1700000002


@pytest.mark.django_db
def test_a_late_131047_failure_marks_a_sent_message_failed(client, provider_api):
    activity = customer()
    account = activity.channel_account
    provider_api.answer(200, WA_ACCEPTED)
    [message] = message_send(activity=activity, author=activity.owner, text="late")
    message_deliver(message_id=message.id)
    error = {
        "code": 131047,
        "title": "Re-engagement message",
        "message": "Re-engagement message",
        "error_data": {
            "details": "More than 24 hours have passed since the recipient last replied."
        },
    }
    post_webhook(
        client,
        account,
        payloads.whatsapp_status(account.provider_account_id, "wamid.OUT1", "failed", error=error),
    )
    message.refresh_from_db()
    assert (message.status, message.error_code) == ("failed", "131047")
    assert "only an approved template" in message.error_reason


@pytest.mark.django_db
def test_a_messenger_read_watermark_marks_earlier_replies_read(client, provider_api):
    account = messenger_replies_sent(provider_api, "m_a", "m_b")
    read = payloads.messenger_read(account.provider_account_id, 4102444800000)
    post_webhook(client, account, read)
    assert set(Message.objects.values_list("status", flat=True)) == {"read"}


@pytest.mark.django_db
def test_an_inbound_whatsapp_image_is_downloaded_through_the_graph_api(
    client, provider_api, settings
):
    # given: a customer's image arrives
    account = ChannelAccountFactory()
    post_webhook(client, account, payloads.whatsapp_image(account.provider_account_id, "wamid.IMG"))
    attachment = Attachment.objects.get()
    provider_api.answer(
        200,
        {
            "url": f"{provider_api.url}/lookaside/65463453",
            "mime_type": "image/jpeg",
            "sha256": "abc",
            "file_size": 5,
            "id": "65463453",
        },
    )
    provider_api.answer(200, b"JPEG!", content_type="image/jpeg")
    # when
    attachment_download(attachment_id=attachment.id)
    # then
    attachment.refresh_from_db()
    assert (attachment.transfer, attachment.size, attachment.file.read()) == ("done", 5, b"JPEG!")
    lookup, fetch = provider_api.requests
    assert lookup.path == "/65463453"
    assert fetch.headers["Authorization"] == "Bearer test-access-token"


@pytest.mark.django_db
def test_after_the_last_retry_a_send_ends_failed_and_says_why(provider_api):
    activity = customer()
    provider_api.answer(503, b"upstream down", content_type="text/plain")
    [message] = message_send(activity=activity, author=activity.owner, text="anyone?")
    message_deliver_task.apply(args=[message.id], retries=MAX_RETRIES)
    message.refresh_from_db()
    assert (message.status, message.error_code) == ("failed", "retries_exhausted")
    assert "after 9 tries" in message.error_reason


@pytest.mark.django_db
def test_after_the_last_retry_a_download_ends_failed_and_says_why(client, provider_api):
    account = ChannelAccountFactory()
    post_webhook(client, account, payloads.whatsapp_image(account.provider_account_id, "wamid.I2"))
    attachment = Attachment.objects.get()
    provider_api.answer(502, b"bad gateway", content_type="text/plain")
    attachment_download_task.apply(args=[attachment.id], retries=MAX_RETRIES)
    attachment.refresh_from_db()
    assert attachment.transfer == "failed"
    assert "HTTP 502" in attachment.transfer_error


@pytest.mark.django_db(transaction=True)
def test_replies_whose_tasks_were_lost_are_sent_once_by_the_sweep(provider_api):
    # given: ten replies queued a while ago, whose tasks Redis lost when it restarted
    activity = customer()
    for n in range(10):
        provider_api.answer(200, {**WA_ACCEPTED, "messages": [{"id": f"wamid.LOST{n}"}]})
    queued = [
        message_send(activity=activity, author=activity.owner, text=f"Reply {n}")[0].pk
        for n in range(10)
    ]
    celery_app.control.purge()
    Message.objects.filter(pk__in=queued).update(updated_at=timezone.now() - timedelta(minutes=2))
    # when: the sweep runs twice, as beat would, while a worker works
    with celery_worker():
        messages_requeue_stale_task.delay()
        messages_requeue_stale_task.delay()
        wait_for(lambda: not Message.objects.filter(pk__in=queued, status="queued").exists())
    # then: each sent once
    sent = Message.objects.filter(pk__in=queued)
    assert set(sent.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert len(provider_api.posts()) == 10


@pytest.mark.django_db
def test_the_sweep_leaves_a_message_to_its_pending_retry(provider_api):
    # given: a send refused for throughput, its task retrying in five minutes
    activity = customer()
    provider_api.answer(429, {"error": {"message": "(#130429) Rate limit hit", "code": 130429}})
    [message] = message_send(activity=activity, author=activity.owner, text="hello")
    with pytest.raises(TransientProviderError):
        message_deliver(message_id=message.pk, retry_in=300)
    Message.objects.filter(pk=message.pk).update(updated_at=timezone.now() - timedelta(minutes=2))
    # when / then: nothing to requeue yet
    assert messages_requeue_stale() == 0
