"""Agents' replies: refused before sending where the window or limits forbid, delivered once,
failed visibly with the provider's reason."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contactcenter.exceptions import ApplicationError
from messaging.models import DeliveryStatus, Message, Template, ViberSubscription
from messaging.services.errors import TransientProviderError
from messaging.services.outbound import message_deliver, message_send
from tests.factories import AgentFactory, ChannelAccountFactory
from tests.messaging.helpers import WA_ACCEPTED, customer, queued_tasks

pytestmark = pytest.mark.django_db


def send(activity, **kwargs) -> list[Message]:
    return message_send(activity=activity, author=activity.owner, **kwargs)


def test_a_reply_is_queued_then_sent_with_the_providers_id(
    provider_api, django_capture_on_commit_callbacks
):
    # given
    activity = customer()
    provider_api.answer(200, WA_ACCEPTED)
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        [message] = send(activity, text="Yes, in blue.")
    # then: queued in the caller's transaction, delivery enqueued on commit
    assert message.status == DeliveryStatus.QUEUED
    assert queued_tasks(callbacks) == ["messaging.tasks.message_deliver"]
    message_deliver(message_id=message.id)
    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == (DeliveryStatus.SENT, "wamid.OUT1")
    [request] = provider_api.posts()
    assert request.path == f"/{activity.channel_account.provider_account_id}/messages"
    assert request.headers["Authorization"] == "Bearer test-access-token"
    assert request.json() == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": activity.identity.provider_user_id,
        "type": "text",
        "text": {"preview_url": False, "body": "Yes, in blue."},
    }


def test_a_redelivered_task_after_a_successful_send_sends_nothing(provider_api):
    activity = customer()
    provider_api.answer(200, WA_ACCEPTED)
    [message] = send(activity, text="once")
    message_deliver(message_id=message.id)
    message_deliver(message_id=message.id)
    assert len(provider_api.posts()) == 1


def test_131047_outside_the_window_ends_failed_with_a_readable_reason(provider_api):
    activity = customer()
    provider_api.answer(
        400,
        {
            "error": {
                "message": "(#131047) Re-engagement message",
                "type": "OAuthException",
                "code": 131047,
                "error_data": {
                    "messaging_product": "whatsapp",
                    "details": "More than 24 hours have passed",
                },
                "fbtrace_id": "A1",
            }
        },
    )
    [message] = send(activity, text="hello?")
    message_deliver(message_id=message.id)
    message.refresh_from_db()
    assert (message.status, message.error_code) == (DeliveryStatus.FAILED, "131047")
    assert "only an approved template" in message.error_reason


def test_viber_status_6_ends_failed_with_a_readable_reason(provider_api):
    account = ChannelAccountFactory(viber=True)
    activity = customer(channel_account=account, viber_subscription=ViberSubscription.SUBSCRIBED)
    provider_api.answer(200, {"status": 6, "status_message": "notSubscribed"})
    [message] = send(activity, text="hi")
    message_deliver(message_id=message.id)
    message.refresh_from_db()
    assert (message.status, message.error_code) == (DeliveryStatus.FAILED, "6")
    assert "not subscribed" in message.error_reason
    assert provider_api.posts()[0].headers["X-Viber-Auth-Token"] == account.viber_auth_token


def test_whatsapp_free_text_after_24_hours_is_refused_and_nothing_is_stored():
    activity = customer(hours_ago=25)
    with pytest.raises(ApplicationError) as refusal:
        send(activity, text="hello again")
    assert refusal.value.code == "template_required"
    assert not Message.objects.exists()


def test_a_whatsapp_template_goes_out_after_24_hours(provider_api):
    activity = customer(hours_ago=48)
    template = Template.objects.create(
        name="Order update",
        text="Hi {1}, order {2}",
        whatsapp_name="order_update",
        whatsapp_language="en_US",
        whatsapp_parameters=["name", "order"],
    )
    provider_api.answer(200, WA_ACCEPTED)
    [message] = send(activity, template=template, template_parameters=["John", "#1234"])
    message_deliver(message_id=message.id)
    assert provider_api.posts()[0].json()["template"] == {
        "name": "order_update",
        "language": {"code": "en_US"},
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "John"}, {"type": "text", "text": "#1234"}],
            }
        ],
    }


@pytest.mark.parametrize(
    ("hours_ago", "body_part"),
    [
        (2, {"messaging_type": "RESPONSE"}),
        (30, {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}),
    ],
)
def test_messenger_uses_human_agent_between_24_hours_and_7_days(provider_api, hours_ago, body_part):
    activity = customer(hours_ago, channel_account=ChannelAccountFactory(messenger=True))
    provider_api.answer(200, {"recipient_id": "PSID", "message_id": "m_1"})
    [message] = send(activity, text="Following up")
    message_deliver(message_id=message.id)
    assert body_part.items() <= provider_api.posts()[0].json().items()


def test_instagram_after_7_days_is_refused():
    activity = customer(hours_ago=24 * 8, channel_account=ChannelAccountFactory(instagram=True))
    with pytest.raises(ApplicationError, match="More than 7 days"):
        send(activity, text="still there?")


def test_an_unsubscribed_viber_customer_cannot_be_written_to():
    account = ChannelAccountFactory(viber=True)
    activity = customer(channel_account=account, viber_subscription=ViberSubscription.UNSUBSCRIBED)
    with pytest.raises(ApplicationError, match="unsubscribed"):
        send(activity, text="hi")


def test_a_file_over_the_providers_limit_is_refused_before_sending():
    activity = customer()
    big = SimpleUploadedFile("scan.png", b"x" * (5 * 1024 * 1024 + 1), content_type="image/png")
    with pytest.raises(ApplicationError, match="up to 5 MB"):
        send(activity, files=[big])
    assert not Message.objects.exists()


def test_a_whatsapp_file_is_uploaded_once_then_sent_by_media_id(provider_api):
    activity = customer()
    photo = SimpleUploadedFile("box.png", b"\x89PNG...", content_type="image/png")
    provider_api.answer(200, {"id": "MEDIA-1"})
    provider_api.answer(429, {"error": {"message": "(#130429) Rate limit hit", "code": 130429}})
    provider_api.answer(200, WA_ACCEPTED)
    [message] = send(activity, text="the blue one", files=[photo])
    with pytest.raises(TransientProviderError):
        message_deliver(message_id=message.id)
    message_deliver(message_id=message.id)
    upload, refused, sent = provider_api.posts()
    assert upload.path.endswith("/media")
    assert (
        refused.json()["image"]
        == sent.json()["image"]
        == {"id": "MEDIA-1", "caption": "the blue one"}
    )
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT


def test_messenger_fetches_our_file_from_a_signed_link(provider_api, client, settings):
    activity = customer(channel_account=ChannelAccountFactory(messenger=True))
    document = SimpleUploadedFile("terms.pdf", b"%PDF-1.4 terms", content_type="application/pdf")
    provider_api.answer(200, {"recipient_id": "PSID", "message_id": "m_2"})
    [message] = send(activity, files=[document])
    message_deliver(message_id=message.id)
    payload = provider_api.posts()[0].json()["message"]["attachment"]
    assert payload["type"] == "file"
    path = payload["payload"]["url"].removeprefix(settings.SITE_URL)
    assert client.get(path).getvalue() == b"%PDF-1.4 terms"
    assert client.get(path[:-3] + "xx/").status_code == 404


def test_an_agent_who_is_not_in_the_activity_cannot_write_in_it():
    activity = customer()
    with pytest.raises(ApplicationError) as refusal:
        message_send(activity=activity, author=AgentFactory(), text="hi")
    assert refusal.value.code == "not_participant"
    assert not Message.objects.exists()


def test_nothing_is_written_into_a_closed_activity():
    activity = customer()
    activity.state, activity.closed_at = "closed", timezone.now()
    with pytest.raises(ApplicationError, match="closed"):
        send(activity, text="after the end")


@pytest.mark.parametrize(
    ("provider", "filename", "content_type", "messages"),
    [
        ("whatsapp", "box.png", "image/png", 1),
        ("whatsapp", "note.ogg", "audio/ogg", 2),
        ("viber", "terms.pdf", "application/pdf", 2),
        ("messenger", "box.png", "image/png", 2),
    ],
)
def test_text_rides_as_a_caption_only_where_the_file_shows_one(
    provider, filename, content_type, messages
):
    options = {} if provider == "whatsapp" else {provider: True}
    account = ChannelAccountFactory(**options)
    activity = customer(channel_account=account, viber_subscription="subscribed")
    upload = SimpleUploadedFile(filename, b"data", content_type=content_type)
    queued = send(activity, text="Here it is", files=[upload])
    assert len(queued) == messages
    assert [m.text for m in queued if m.text] == ["Here it is"]
