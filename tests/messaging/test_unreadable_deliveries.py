"""Nothing a customer wrote is dropped: a delivery with a part we cannot store as it came is
applied all the same. What can be made storable is (NUL removed, names cut to their field,
missing optional fields tolerated); each message of a batch is applied on its own; and what
still cannot be read reaches the agent as "a message that could not be read", its raw part kept
with the delivery for the supervisor."""

import pytest

from messaging.models import Attachment, ExternalIdentity, Message, Outcome, WebhookEvent
from tests.factories import ChannelAccountFactory
from tests.messaging import payloads
from tests.messaging.helpers import post_webhook

pytestmark = pytest.mark.django_db

UNREADABLE = "A message that could not be read"


@pytest.fixture
def whatsapp():
    return ChannelAccountFactory()


@pytest.fixture
def viber():
    return ChannelAccountFactory(viber=True)


def whatsapp_batch(account, *messages: dict, name="Sheena Nelson") -> dict:
    """One delivery of several WhatsApp messages from one customer."""
    body = payloads.whatsapp_text(account.provider_account_id, "wamid.X", "", name=name)
    body["entry"][0]["changes"][0]["value"]["messages"] = list(messages)
    return body


def text(wamid: str, body: str, **fields) -> dict:
    return {"from": "16505551234", "id": wamid, "timestamp": "1749416383", "type": "text",
            "text": {"body": body}, **fields}  # fmt: skip


def applied(client, account, body: dict) -> WebhookEvent:
    assert post_webhook(client, account, body).status_code == 200
    event = WebhookEvent.objects.get()
    assert event.outcome == Outcome.PROCESSED, event.error
    return event


def test_a_text_with_a_nul_is_stored_without_it(client, whatsapp):
    applied(client, whatsapp, whatsapp_batch(whatsapp, text("wamid.NUL", "Hel\u0000lo")))
    assert Message.objects.get().text == "Hello"


def test_a_profile_name_longer_than_its_field_is_cut(client, whatsapp):
    applied(client, whatsapp, whatsapp_batch(whatsapp, text("wamid.N", "Hi"), name="N" * 300))
    assert ExternalIdentity.objects.get().display_name == "N" * 200
    assert Message.objects.get().text == "Hi"


def test_a_sender_id_longer_than_its_field_still_reaches_an_agent(client, viber):
    body = payloads.viber_message(1, {"type": "text", "text": "Hi"}, user="V" * 500)
    applied(client, viber, body)
    identity = ExternalIdentity.objects.get()
    assert len(identity.provider_user_id) <= 128
    assert Message.objects.get().text == "Hi"


def test_a_file_with_a_size_that_is_no_number_keeps_its_file(client, viber):
    file = {"type": "file", "media": "https://dl.example.com/f.pdf", "size": "huge",
            "file_name": "f.pdf"}  # fmt: skip
    applied(client, viber, payloads.viber_message(2, file))
    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.size) == ("f.pdf", None)


def test_a_message_without_its_timestamp_does_not_take_the_batch_with_it(client, whatsapp):
    late = text("wamid.NO_TIME", "second")
    del late["timestamp"]
    applied(client, whatsapp, whatsapp_batch(whatsapp, text("wamid.OK", "first"), late))
    assert list(Message.objects.order_by("pk").values_list("text", flat=True)) == [
        "first",
        "second",
    ]


def test_a_part_that_cannot_be_read_reaches_the_agent_and_the_others_are_stored(client, whatsapp):
    # given: the second message's text is not the object WhatsApp documents
    broken = text("wamid.BROKEN", "")
    broken["text"] = "not an object"
    body = whatsapp_batch(whatsapp, text("wamid.OK", "first"), broken, text("wamid.3", "third"))
    # when
    event = applied(client, whatsapp, body)
    # then: all three in the customer's chat, the broken one as the agent can read it
    texts = list(Message.objects.order_by("pk").values_list("text", flat=True))
    assert texts[0] == "first" and texts[2] == "third"
    assert texts[1].startswith(UNREADABLE)
    assert Message.objects.filter(activity__isnull=False).count() == 3
    [kept] = event.result["unreadable"]
    assert kept["raw"] == broken


def test_an_unreadable_part_delivered_again_is_stored_once(client, whatsapp):
    broken = text("wamid.BROKEN", "")
    broken["text"] = ["not", "an", "object"]
    for _ in range(2):
        post_webhook(client, whatsapp, whatsapp_batch(whatsapp, broken))
    assert Message.objects.count() == 1


def test_a_message_whose_text_is_of_no_documented_type_reaches_the_agent_as_unreadable(
    client, whatsapp
):
    # given: the connector reads the part, but its text is a list
    odd = text("wamid.ODD", "")
    odd["text"] = {"body": ["not", "a", "text"]}
    # when
    event = applied(client, whatsapp, whatsapp_batch(whatsapp, odd, text("wamid.OK", "fine")))
    # then
    texts = list(Message.objects.order_by("pk").values_list("text", flat=True))
    assert texts[0].startswith(UNREADABLE)
    assert texts[1] == "fine"
    assert len(event.result["unreadable"]) == 1
