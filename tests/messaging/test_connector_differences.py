"""What differs between the channels, as callers see it: the webhook's handshake and answer, the
reply window, who writing subscribes, who pairs with a CRM contact by phone number, how inbound
files are fetched, and who sends approved templates. Each channel's connector decides."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from contactcenter.exceptions import ApplicationError
from contactcenter.models import Activity
from messaging.connectors.base import MB, ReplyWindow
from messaging.models import Attachment, ExternalIdentity, Message, ViberSubscription
from messaging.policy import reply_window
from messaging.services.media import attachment_download
from messaging.services.outbound import message_send
from tests.factories import ChannelAccountFactory, ContactFactory, IdentityFactory, TemplateFactory
from tests.messaging import payloads
from tests.messaging.helpers import customer, post_webhook

pytestmark = pytest.mark.django_db

CHANNELS = {
    "whatsapp": {},
    "messenger": {"messenger": True},
    "instagram": {"instagram": True},
    "viber": {"viber": True},
}
NUMBER = "420777123456"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SEVEN_DAYS_PASSED = (
    "More than 7 days have passed since the customer last wrote: they must write to us first."
)


def account_on(provider: str):
    return ChannelAccountFactory(**CHANNELS[provider])


def first_message(account, user_id: str = NUMBER) -> dict:
    """A customer's first text on the account's channel, in its provider's shape."""
    return {
        "whatsapp": lambda: payloads.whatsapp_text(
            account.provider_account_id, "wamid.1", "hi", wa_id=user_id
        ),
        "messenger": lambda: payloads.messenger(
            "page", account.provider_account_id, payloads.messenger_text("m_1", "hi", user_id)
        ),
        "instagram": lambda: payloads.messenger(
            "instagram", account.provider_account_id, payloads.messenger_text("m_1", "hi", user_id)
        ),
        "viber": lambda: payloads.viber_message(1, {"type": "text", "text": "hi"}, user_id),
    }[account.provider]()


def photo_message(account, url: str) -> dict:
    """A customer's photo that the provider names by URL."""
    return {
        "messenger": lambda: payloads.messenger(
            "page", account.provider_account_id, payloads.messenger_attachment("m_2", "image", url)
        ),
        "instagram": lambda: payloads.messenger(
            "instagram",
            account.provider_account_id,
            payloads.messenger_attachment("m_2", "image", url),
        ),
        "viber": lambda: payloads.viber_message(2, {"type": "picture", "text": "", "media": url}),
    }[account.provider]()


@pytest.mark.parametrize(
    ("provider", "content_type", "body"),
    [
        ("whatsapp", "text/plain", b"EVENT_RECEIVED"),
        ("messenger", "text/plain", b"EVENT_RECEIVED"),
        ("instagram", "text/plain", b"EVENT_RECEIVED"),
        ("viber", "application/json", b'{"status": 0}'),
    ],
)
def test_each_channel_acknowledges_a_delivery_as_its_provider_expects(
    client, provider, content_type, body
):
    account = account_on(provider)
    response = post_webhook(client, account, first_message(account))
    assert (response.status_code, response["Content-Type"], response.content) == (
        200,
        content_type,
        body,
    )


@pytest.mark.parametrize(
    ("provider", "status", "body"),
    [
        ("whatsapp", 200, b"1158201444"),
        ("messenger", 200, b"1158201444"),
        ("instagram", 200, b"1158201444"),
        ("viber", 403, b"verification failed"),
    ],
)
def test_meta_channels_echo_the_handshake_challenge_and_viber_never_does(
    client, provider, status, body
):
    """Viber checks a webhook with a signed POST: a GET is refused even with the account's own
    verify token."""
    account = account_on(provider)
    response = client.get(
        reverse("webhook", args=[account.provider, account.webhook_key]),
        {
            "hub.mode": "subscribe",
            "hub.challenge": "1158201444",
            "hub.verify_token": account.verify_token,
        },
    )
    assert (response.status_code, response.content) == (status, body)


@pytest.mark.parametrize(
    ("provider", "last_wrote", "subscription", "window"),
    [
        (
            "whatsapp",
            NOW - timedelta(hours=23),
            "",
            ReplyWindow(True, False, "", "", NOW + timedelta(hours=1)),
        ),
        ("whatsapp", NOW - timedelta(hours=24), "", ReplyWindow(False, True, "", "", None)),
        ("whatsapp", None, "", ReplyWindow(False, True, "", "", None)),
        (
            "messenger",
            NOW - timedelta(hours=23),
            "",
            ReplyWindow(True, False, "", "", NOW + timedelta(hours=1)),
        ),
        (
            "messenger",
            NOW - timedelta(hours=24),
            "",
            ReplyWindow(True, False, "HUMAN_AGENT", "", NOW + timedelta(days=6)),
        ),
        (
            "instagram",
            NOW - timedelta(days=7) + timedelta(seconds=1),
            "",
            ReplyWindow(True, False, "HUMAN_AGENT", "", NOW + timedelta(seconds=1)),
        ),
        (
            "instagram",
            NOW - timedelta(days=7),
            "",
            ReplyWindow(False, False, "", SEVEN_DAYS_PASSED, None),
        ),
        ("messenger", None, "", ReplyWindow(False, False, "", SEVEN_DAYS_PASSED, None)),
        (
            "viber",
            NOW - timedelta(days=30),
            ViberSubscription.SUBSCRIBED,
            ReplyWindow(True, False, "", "", None),
        ),
        (
            "viber",
            NOW - timedelta(hours=1),
            ViberSubscription.UNSUBSCRIBED,
            ReplyWindow(
                False,
                False,
                "",
                "The customer unsubscribed from this Viber bot: they must write to us first.",
                None,
            ),
        ),
        (
            "viber",
            None,
            ViberSubscription.UNKNOWN,
            ReplyWindow(
                False, False, "", "The customer has not subscribed to this Viber bot yet.", None
            ),
        ),
    ],
)
def test_each_channel_has_its_own_reply_window(provider, last_wrote, subscription, window):
    identity = IdentityFactory.build(
        channel_account=ChannelAccountFactory.build(**CHANNELS[provider]),
        last_inbound_at=last_wrote,
        viber_subscription=subscription,
    )
    assert reply_window(identity, NOW) == window


@pytest.mark.parametrize(
    ("provider", "before", "after"),
    [
        ("whatsapp", ViberSubscription.UNKNOWN, ViberSubscription.UNKNOWN),
        ("messenger", ViberSubscription.UNKNOWN, ViberSubscription.UNKNOWN),
        ("instagram", ViberSubscription.UNKNOWN, ViberSubscription.UNKNOWN),
        ("viber", ViberSubscription.UNSUBSCRIBED, ViberSubscription.SUBSCRIBED),
    ],
)
def test_writing_subscribes_the_customer_only_on_viber(client, provider, before, after):
    """Viber sends no callback when a customer's message subscribes them."""
    # given: a customer we know, who had unsubscribed where the channel has subscriptions
    account = account_on(provider)
    IdentityFactory(channel_account=account, provider_user_id=NUMBER, viber_subscription=before)
    # when
    post_webhook(client, account, first_message(account))
    # then
    assert ExternalIdentity.objects.get().viber_subscription == after


@pytest.mark.parametrize(
    ("provider", "paired"), [("whatsapp", 1), ("messenger", 0), ("instagram", 0), ("viber", 0)]
)
def test_only_a_user_id_that_is_a_phone_number_pairs_the_customer_with_a_contact(
    client, provider, paired
):
    # given: a contact whose number is the customer's user id on every channel
    jana = ContactFactory(phones=[f"+{NUMBER}"])
    account = account_on(provider)
    # when
    post_webhook(client, account, first_message(account))
    # then
    assert Activity.objects.filter(contact=jana).count() == paired


@pytest.mark.parametrize("provider", ["messenger", "instagram", "viber"])
def test_a_file_named_by_url_is_fetched_from_it_without_a_token(client, provider_api, provider):
    # given
    account = account_on(provider)
    post_webhook(client, account, photo_message(account, f"{provider_api.url}/cdn/photo.jpg"))
    provider_api.answer(200, b"JPEG!", content_type="image/jpeg")
    # when
    attachment_download(attachment_id=Attachment.objects.get().id)
    # then
    attachment = Attachment.objects.get()
    assert (attachment.transfer, attachment.file.read()) == ("done", b"JPEG!")
    [fetch] = provider_api.requests
    assert fetch.path == "/cdn/photo.jpg"
    assert "authorization" not in {name.lower() for name in fetch.headers}


def test_a_file_over_the_channels_inbound_limit_is_refused_and_says_why(client, provider_api):
    # given: Instagram delivers files up to 25 MB
    account = account_on("instagram")
    post_webhook(client, account, photo_message(account, f"{provider_api.url}/cdn/big.jpg"))
    provider_api.answer(200, b"x" * (25 * MB + 1), content_type="image/jpeg")
    # when
    attachment_download(attachment_id=Attachment.objects.get().id)
    # then
    attachment = Attachment.objects.get()
    assert (attachment.transfer, attachment.transfer_error) == (
        "failed",
        "The file is larger than the 25 MB this channel allows.",
    )


@pytest.mark.parametrize("provider", ["messenger", "instagram", "viber"])
def test_an_approved_template_is_refused_where_the_channel_sends_none(provider):
    activity = customer(channel_account=account_on(provider))
    with pytest.raises(ApplicationError) as refusal:
        message_send(
            activity=activity, author=activity.owner, template=TemplateFactory(),
            template_parameters=["Jana"],
        )  # fmt: skip
    assert refusal.value.code == "template_not_supported"
    assert not Message.objects.exists()
