"""Inbound webhooks through the real view and connectors: every message stored exactly once."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from config.environment import redis_settings
from contactcenter.models import Activity, ActivityEvent, EventKind
from messaging.connectors import connector_for
from messaging.models import (
    Attachment,
    Message,
    Outcome,
    Verdict,
    ViberSubscription,
    WebhookEvent,
)
from messaging.services.accounts import channel_account_update
from messaging.services.webhooks import (
    webhook_event_failed,
    webhook_events_replay,
    webhook_events_requeue_stale,
)
from messaging.tasks import webhook_event_process as webhook_event_process_task
from tests.factories import META_SECRET, VIBER_TOKEN, ChannelAccountFactory
from tests.messaging import payloads
from tests.messaging.helpers import post_webhook, process_kept_deliveries, queued_tasks

pytestmark = pytest.mark.django_db

META_VECTOR_BODY = (
    b'{"object":"page","entry":[{"id":"PAGE_ID","time":1458692752478,"messaging":[{"sender":'
    b'{"id":"PSID"},"recipient":{"id":"PAGE_ID"},"timestamp":1458692752478,"message":{"mid":'
    b'"m_1","text":"h\\u00e9llo"}}]}]}'
)
META_VECTOR_SIGNATURE = "sha256=296b32398ca5f3627d990367e059c53213e6931564ae5c34a560239c10b689d9"
VIBER_VECTOR_BODY = (
    b'{"event":"webhook","timestamp":4977069964384421269,"message_token":1478683725125}'
)
VIBER_VECTOR_SIGNATURE = "d21b343448c8aee33b8e93768ef6ceb64a6ba6163099973a2b8bd028fea510ef"


def test_the_meta_test_vector_verifies():
    account = ChannelAccountFactory.build(messenger=True, app_secret=META_SECRET)
    connector = connector_for("messenger")
    assert connector.verify(account, META_VECTOR_BODY, META_VECTOR_SIGNATURE)
    assert not connector.verify(
        account, META_VECTOR_BODY.replace(b"\\u00e9", "é".encode()), META_VECTOR_SIGNATURE
    )


def test_the_viber_test_vector_verifies():
    account = ChannelAccountFactory.build(viber=True, viber_auth_token=VIBER_TOKEN)
    assert connector_for("viber").verify(account, VIBER_VECTOR_BODY, VIBER_VECTOR_SIGNATURE)


def test_the_meta_vector_delivered_becomes_one_message_with_its_unicode(client):
    account = ChannelAccountFactory(messenger=True, provider_account_id="PAGE_ID")
    response = post_webhook(client, account, META_VECTOR_BODY, META_VECTOR_SIGNATURE)
    assert response.status_code == 200
    assert Message.objects.get().text == "héllo"


def test_a_whatsapp_text_becomes_one_message_in_a_new_waiting_activity(client):
    # given
    account = ChannelAccountFactory()
    body = payloads.encode(
        payloads.whatsapp_text(
            account.provider_account_id, "wamid.A1", "Does it come in another color?"
        )
    )
    # when
    response = post_webhook(client, account, body)
    # then
    assert response.status_code == 200
    message = Message.objects.get()
    assert (message.text, message.direction, message.status) == (
        "Does it come in another color?",
        "in",
        "received",
    )
    identity = message.identity
    assert (identity.provider_user_id, identity.display_name, identity.phone) == (
        "16505551234",
        "Sheena Nelson",
        "+16505551234",
    )
    assert identity.last_inbound_at.timestamp() == 1749416383
    activity = message.activity
    assert (activity.state, activity.queue, activity.title) == (
        "waiting",
        account.queue,
        "Sheena Nelson",
    )
    assert list(ActivityEvent.objects.values_list("kind", flat=True)) == [EventKind.QUEUED]
    assert WebhookEvent.objects.get().outcome == Outcome.PROCESSED


def test_a_whatsapp_image_becomes_a_message_with_a_pending_download(
    client, django_capture_on_commit_callbacks
):
    account = ChannelAccountFactory()
    body = payloads.encode(payloads.whatsapp_image(account.provider_account_id, "wamid.IMG"))
    with django_capture_on_commit_callbacks() as callbacks:
        post_webhook(client, account, body)
    message = Message.objects.get()
    attachment = message.attachments.get()
    assert (
        message.text,
        attachment.kind,
        attachment.provider_media_id,
        attachment.content_type,
    ) == (
        "the box",
        "image",
        "65463453",
        "image/jpeg",
    )
    assert attachment.transfer == "pending"
    assert queued_tasks(callbacks) == [
        "messaging.tasks.webhook_event_process",
        "messaging.tasks.attachment_download",
    ]


@pytest.mark.parametrize(
    "obj,options", [("page", {"messenger": True}), ("instagram", {"instagram": True})]
)
def test_messenger_and_instagram_text_and_attachment_become_messages(client, obj, options):
    account = ChannelAccountFactory(**options)
    text = payloads.encode(
        payloads.messenger(obj, account.provider_account_id, payloads.messenger_text("m_T", "hi"))
    )
    image = payloads.encode(
        payloads.messenger(
            obj,
            account.provider_account_id,
            payloads.messenger_attachment("m_I", "image", "https://cdn.example/i.jpg"),
        )
    )
    assert post_webhook(client, account, text).status_code == 200
    assert post_webhook(client, account, image).status_code == 200
    messages = Message.objects.order_by("id")
    assert [m.text for m in messages] == ["hi", ""]
    assert Attachment.objects.get().source_url == "https://cdn.example/i.jpg"
    assert Activity.objects.count() == 1


def test_viber_text_and_picture_become_messages_and_subscribe_the_user(client):
    account = ChannelAccountFactory(viber=True)
    text = payloads.encode(
        payloads.viber_message(4912661846655238145, {"type": "text", "text": "a message"})
    )
    picture = payloads.encode(
        payloads.viber_message(
            4912661846655238146,
            {"type": "picture", "text": "look", "media": "https://dl.viber.example/p.jpg"},
        )
    )
    assert post_webhook(client, account, text).json() == {"status": 0}
    assert post_webhook(client, account, picture).status_code == 200
    messages = Message.objects.order_by("id")
    assert [m.provider_message_id for m in messages] == [
        "4912661846655238145",
        "4912661846655238146",
    ]
    assert messages[1].attachments.get().caption == "look"
    assert messages[0].identity.viber_subscription == ViberSubscription.SUBSCRIBED


def test_the_same_delivery_five_times_stores_one_message_and_one_activity(client):
    account = ChannelAccountFactory()
    body = payloads.encode(
        payloads.whatsapp_text(account.provider_account_id, "wamid.DUP", "again?")
    )
    responses = [post_webhook(client, account, body) for _ in range(5)]
    assert [r.status_code for r in responses] == [200] * 5
    assert Message.objects.count() == 1
    assert Activity.objects.count() == 1
    assert WebhookEvent.objects.filter(verdict=Verdict.ACCEPTED).count() == 5


def test_a_second_message_joins_the_customers_open_activity(client):
    account = ChannelAccountFactory()
    for wamid in ("wamid.1", "wamid.2"):
        post_webhook(
            client,
            account,
            payloads.encode(payloads.whatsapp_text(account.provider_account_id, wamid, wamid)),
        )
    assert Activity.objects.count() == 1
    assert Activity.objects.get().messages.count() == 2


def _forged(body: bytes) -> tuple[bytes, str]:
    return body, payloads.meta_signature(body, "not-the-secret")


def _truncated(body: bytes) -> tuple[bytes, str]:
    return body[:-5], payloads.meta_signature(body)


def _reserialised(body: bytes) -> tuple[bytes, str]:
    return json.dumps(
        json.loads(body), indent=1, ensure_ascii=False
    ).encode(), payloads.meta_signature(body)


def _unsigned(body: bytes) -> tuple[bytes, str]:
    return body, ""


@pytest.mark.parametrize(
    "tamper", [_forged, _truncated, _reserialised, _unsigned], ids=lambda f: f.__name__.strip("_")
)
def test_a_body_whose_signature_does_not_match_is_refused_and_only_recorded(client, tamper):
    account = ChannelAccountFactory()
    body, signature = tamper(
        payloads.encode(payloads.whatsapp_text(account.provider_account_id, "wamid.X", "héllo"))
    )
    response = post_webhook(client, account, body, signature)
    assert response.status_code == 403
    assert not Message.objects.exists()
    assert WebhookEvent.objects.get().verdict == Verdict.REJECTED


def post_unsigned(client, account, body: bytes, **headers):
    return client.post(
        reverse("webhook", args=[account.provider, account.webhook_key]),
        body,
        content_type="application/json",
        headers=headers,
    )


def test_a_refusal_with_nul_bytes_is_kept_with_them_replaced(client):
    """PostgreSQL refuses NUL in text: the kept delivery has U+FFFD in their place."""
    # given
    account = ChannelAccountFactory()
    # when
    response = post_unsigned(client, account, b'{"entry": "\x00"}', user_agent="probe\x00")
    # then
    assert response.status_code == 403
    event = WebhookEvent.objects.get()
    assert (event.verdict, event.body) == (Verdict.REJECTED, '{"entry": "\ufffd"}')
    assert event.headers["User-Agent"] == "probe\ufffd"


def test_a_refused_body_is_kept_only_in_part_with_its_size(client):
    # given
    account = ChannelAccountFactory()
    body = b"x" * (3 * 1024 * 1024)
    # when
    response = post_unsigned(client, account, body)
    # then
    assert response.status_code == 403
    event = WebhookEvent.objects.get()
    assert event.body == "x" * 4096
    assert event.error == "The signature did not verify. Body: 3145728 bytes, the first 4096 kept."


def test_beyond_ten_refusals_a_minute_a_webhook_keeps_none_and_answers_as_before(client):
    # given
    account, other = ChannelAccountFactory(), ChannelAccountFactory()
    # when
    answers = [post_unsigned(client, account, b"{}").status_code for _ in range(12)]
    answers.append(post_unsigned(client, other, b"{}").status_code)
    # then
    assert answers == [403] * 13
    assert WebhookEvent.objects.filter(channel_account=account).count() == 10
    assert WebhookEvent.objects.filter(channel_account=other).count() == 1


def test_a_refusal_is_not_kept_when_redis_cannot_count_it(client, settings, tmp_path):
    # given
    settings.CACHES = redis_settings(f"unix://{tmp_path / 'gone.sock'}")["CACHES"]
    account = ChannelAccountFactory()
    # when
    response = post_unsigned(client, account, b"{}")
    # then
    assert response.status_code == 403
    assert not WebhookEvent.objects.exists()


def test_a_viber_body_signed_with_another_token_is_refused(client):
    account = ChannelAccountFactory(viber=True)
    body = payloads.encode(payloads.viber_message(1, {"type": "text", "text": "x"}))
    assert (
        post_webhook(client, account, body, payloads.viber_signature(body, "other")).status_code
        == 403
    )


def test_an_unknown_key_is_not_found(client):
    response = client.post("/webhooks/whatsapp/nope/", b"{}", content_type="application/json")
    assert response.status_code == 404
    assert not WebhookEvent.objects.exists()


def test_events_we_ignore_still_get_200(client):
    account = ChannelAccountFactory(viber=True)
    assert post_webhook(client, account, VIBER_VECTOR_BODY).status_code == 200
    assert not Message.objects.exists()


@pytest.mark.parametrize(("token", "expected"), [("verify-me", 200), ("wrong", 403)])
def test_metas_handshake_echoes_the_challenge_only_for_the_right_token(client, token, expected):
    account = ChannelAccountFactory(verify_token="verify-me")
    url = reverse("webhook", args=[account.provider, account.webhook_key])
    response = client.get(
        url, {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": token}
    )
    assert response.status_code == expected
    assert (response.content == b"1158201444") is (expected == 200)


def test_a_delivery_is_kept_and_acknowledged_before_it_is_processed(client):
    account = ChannelAccountFactory()
    body = payloads.encode(payloads.whatsapp_text(account.provider_account_id, "wamid.Q", "hi"))
    response = post_webhook(client, account, body, process=False)
    assert response.status_code == 200
    assert WebhookEvent.objects.get().outcome == Outcome.PENDING
    assert not Message.objects.exists()


def test_a_delivery_that_cannot_be_applied_is_retried_then_kept_as_failed(client, monkeypatch):
    # given: applying status updates is broken
    account = ChannelAccountFactory()
    monkeypatch.setattr("messaging.services.webhooks.receipt_record", lambda **kw: 1 / 0)
    body = payloads.encode(payloads.whatsapp_status(account.provider_account_id, "wamid.S", "sent"))
    post_webhook(client, account, body, process=False)
    event = WebhookEvent.objects.get()
    # when: the task's last retry fails too
    webhook_event_process_task.apply(args=[event.id], retries=3)
    # then
    event.refresh_from_db()
    assert (event.outcome, event.error) == (Outcome.FAILED, "ZeroDivisionError: division by zero")


def test_a_delivery_whose_task_was_lost_is_queued_again(client):
    account = ChannelAccountFactory()
    body = payloads.encode(payloads.whatsapp_text(account.provider_account_id, "wamid.L", "hi"))
    post_webhook(client, account, body, process=False)
    WebhookEvent.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert webhook_events_requeue_stale() == 1


def test_a_deactivated_account_stops_receiving_at_once(client):
    account = ChannelAccountFactory()
    body = payloads.encode(payloads.whatsapp_text(account.provider_account_id, "wamid.D", "hi"))
    assert post_webhook(client, account, body).status_code == 200
    channel_account_update(account=account, is_active=False)
    assert post_webhook(client, account, body).status_code == 404


def test_a_failed_delivery_is_applied_again_when_replayed(client, monkeypatch):
    # given: a delivery that failed while ingest was broken
    account = ChannelAccountFactory()
    body = payloads.encode(payloads.whatsapp_text(account.provider_account_id, "wamid.R", "hi"))
    post_webhook(client, account, body, process=False)
    event = WebhookEvent.objects.get()
    webhook_event_failed(event_id=event.id, error="ZeroDivisionError")
    rejected = WebhookEvent.objects.create(
        provider="whatsapp", channel_account=account, body="{}", verdict=Verdict.REJECTED,
        outcome="failed",
    )  # fmt: skip
    # when: the supervisor replays both after the fix
    assert webhook_events_replay(event_ids=[event.id, rejected.id]) == 1
    process_kept_deliveries()
    # then
    assert Message.objects.get().text == "hi"
    rejected.refresh_from_db()
    assert rejected.outcome == "failed"
