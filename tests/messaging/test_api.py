"""Messaging's REST API as its users see it: channel accounts for supervisors, customers with their
reply windows, and an activity's messages read and sent by the agents in it."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from messaging.models import (
    Attachment,
    ChannelAccount,
    Message,
    ViberSubscription,
)
from tests.factories import (
    ActivityFactory,
    AgentFactory,
    AttachmentFactory,
    ChannelAccountFactory,
    CustomerActivityFactory,
    IdentityFactory,
    InboundMessageFactory,
    MembershipFactory,
    ParticipantFactory,
    QueueFactory,
    SupervisorFactory,
    TemplateFactory,
)
from tests.messaging.helpers import queued_tasks

pytestmark = pytest.mark.django_db

SECRETS = {"access_token", "app_secret", "verify_token", "viber_auth_token"}
FORBIDDEN = {
    "detail": "You do not have permission to perform this action.",
    "code": "permission_denied",
}
NOT_FOUND = {"detail": "Not found.", "code": "not_found"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def supervisor():
    """A supervisor as the demo data makes them: staff with messaging's model permissions."""
    user = SupervisorFactory()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="messaging"))
    return user


def conversation(hours_ago: float | None = 1, **activity):
    """An open activity whose customer last wrote `hours_ago` hours ago (None: never)."""
    last = timezone.now() - timedelta(hours=hours_ago) if hours_ago is not None else None
    account = activity.pop("account", None) or ChannelAccountFactory()
    identity = IdentityFactory(channel_account=account, last_inbound_at=last)
    return CustomerActivityFactory(identity=identity, **activity)


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def messages_url(activity) -> str:
    return f"/api/v1/activities/{activity.id}/messages/"


# Channel accounts


def test_an_agent_may_not_read_channel_accounts(api):
    ChannelAccountFactory()
    api.force_authenticate(AgentFactory().user)
    response = api.get("/api/v1/channel-accounts/")
    assert response.status_code == 403
    assert response.json() == FORBIDDEN


def test_a_supervisor_reads_accounts_with_their_webhook_url_and_without_secrets(
    api, supervisor, settings
):
    # given
    settings.SITE_URL = "https://cc.example.com"
    account = ChannelAccountFactory(name="Shop", provider_account_id="106540352242922")
    api.force_authenticate(supervisor)
    # when
    [body] = api.get("/api/v1/channel-accounts/").json()["results"]
    # then
    assert body == {
        "id": account.id, "provider": "whatsapp", "name": "Shop", "queue": account.queue_id,
        "is_active": True, "provider_account_id": "106540352242922", "viber_sender_name": "",
        "webhook_url": f"https://cc.example.com/webhooks/whatsapp/{account.webhook_key}/",
        "created_at": iso(account.created_at), "updated_at": iso(account.updated_at),
    }  # fmt: skip


def test_a_supervisor_creates_a_whatsapp_number_whose_secrets_are_stored_not_shown(api, supervisor):
    # given
    queue = QueueFactory()
    api.force_authenticate(supervisor)
    # when
    response = api.post(
        "/api/v1/channel-accounts/",
        {"provider": "whatsapp", "name": "Sales line", "queue": queue.id,
         "provider_account_id": "1065", "access_token": "EAAG-token", "app_secret": "s3cret",
         "verify_token": "handshake"},
        format="json",
    )  # fmt: skip
    # then
    assert response.status_code == 201
    assert not SECRETS & response.json().keys()
    account = ChannelAccount.objects.get(pk=response.json()["id"])
    assert (account.access_token, account.app_secret, account.verify_token) == (
        "EAAG-token",
        "s3cret",
        "handshake",
    )


def test_a_meta_account_without_its_credentials_is_refused(api, supervisor):
    api.force_authenticate(supervisor)
    response = api.post(
        "/api/v1/channel-accounts/",
        {"provider": "messenger", "name": "Page", "queue": QueueFactory().id},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": {
            "non_field_errors": [
                "A Meta account needs its id, access token, app secret and verify token."
            ]
        },
        "code": "invalid",
    }
    assert not ChannelAccount.objects.exists()


def test_a_viber_bot_needs_only_its_token_and_sender_name(api, supervisor):
    api.force_authenticate(supervisor)
    response = api.post(
        "/api/v1/channel-accounts/",
        {"provider": "viber", "name": "Bot", "queue": QueueFactory().id,
         "viber_auth_token": "445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9",
         "viber_sender_name": "Support"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201
    assert response.json()["webhook_url"].endswith(
        f"/webhooks/viber/{ChannelAccount.objects.get().webhook_key}/"
    )


def test_a_second_account_for_the_same_whatsapp_number_is_refused(api, supervisor):
    # given
    existing = ChannelAccountFactory()
    api.force_authenticate(supervisor)
    # when
    response = api.post(
        "/api/v1/channel-accounts/",
        {"provider": "whatsapp", "name": "Again", "queue": existing.queue_id,
         "provider_account_id": existing.provider_account_id, "access_token": "t",
         "app_secret": "s", "verify_token": "v"},
        format="json",
    )  # fmt: skip
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert ChannelAccount.objects.count() == 1


def test_a_supervisor_rotates_one_secret_and_keeps_the_others(api, supervisor):
    # given
    account = ChannelAccountFactory()
    api.force_authenticate(supervisor)
    # when
    response = api.patch(
        f"/api/v1/channel-accounts/{account.id}/", {"access_token": "rotated"}, format="json"
    )
    # then
    assert response.status_code == 200
    assert "access_token" not in response.json()
    account.refresh_from_db()
    assert (account.access_token, account.app_secret) == ("rotated", "test_app_secret")


def test_the_provider_of_an_account_cannot_change(api, supervisor):
    account = ChannelAccountFactory()
    api.force_authenticate(supervisor)
    response = api.patch(
        f"/api/v1/channel-accounts/{account.id}/", {"provider": "messenger"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The provider of a channel account cannot change; create another account.",
        "code": "provider_immutable",
    }
    account.refresh_from_db()
    assert account.provider == "whatsapp"


def test_accounts_are_deactivated_not_deleted(api, supervisor):
    account = ChannelAccountFactory()
    api.force_authenticate(supervisor)
    response = api.delete(f"/api/v1/channel-accounts/{account.id}/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert ChannelAccount.objects.filter(pk=account.id).exists()


@pytest.mark.parametrize("rows", [1, 50])
def test_the_account_list_costs_the_same_queries_for_1_or_50_rows(
    api, supervisor, django_assert_num_queries, rows
):
    ChannelAccountFactory.create_batch(rows)
    api.force_authenticate(supervisor)
    # then: the user's and their groups' permissions, count, page
    with django_assert_num_queries(4):
        response = api.get("/api/v1/channel-accounts/")
    assert len(response.json()["results"]) == rows


# Identities


def test_an_agent_sees_the_customers_of_the_activities_they_may_see(api):
    # given
    membership = MembershipFactory()
    agent = membership.agent
    owned = CustomerActivityFactory(owner=agent)
    invited = ParticipantFactory(agent=agent).activity
    ParticipantFactory(agent=agent, left=True)
    waiting = CustomerActivityFactory(
        identity__channel_account__queue=membership.queue, state="waiting", owner=None
    )
    CustomerActivityFactory(state="waiting", owner=None)  # another queue
    api.force_authenticate(agent.user)
    # when
    body = api.get("/api/v1/identities/").json()
    # then
    assert {row["id"] for row in body["results"]} == {
        owned.identity_id,
        invited.identity_id,
        waiting.identity_id,
    }


def test_a_supervisor_sees_every_customer(api, supervisor):
    IdentityFactory.create_batch(3)
    api.force_authenticate(supervisor)
    assert api.get("/api/v1/identities/").json()["count"] == 3


def test_another_agents_customer_is_not_found(api):
    other = CustomerActivityFactory()
    api.force_authenticate(AgentFactory().user)
    response = api.get(f"/api/v1/identities/{other.identity_id}/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_customers_filter_by_provider_and_account_and_search_by_phone(api, supervisor):
    # given
    whatsapp = IdentityFactory(phone="+16505551234", display_name="Ana")
    messenger = IdentityFactory(channel_account=ChannelAccountFactory(messenger=True))
    api.force_authenticate(supervisor)
    # when
    by_provider = api.get("/api/v1/identities/", {"provider": "messenger"}).json()
    by_account = api.get("/api/v1/identities/", {"channel_account": whatsapp.channel_account_id})
    by_phone = api.get("/api/v1/identities/", {"search": "5551234"}).json()
    # then
    assert [row["id"] for row in by_provider["results"]] == [messenger.id]
    assert [row["id"] for row in by_account.json()["results"]] == [whatsapp.id]
    assert [row["display_name"] for row in by_phone["results"]] == ["Ana"]


def test_each_customer_comes_with_the_reply_window_now(api, supervisor):
    # given
    now = timezone.now()
    wrote_1h = IdentityFactory(last_inbound_at=now - timedelta(hours=1))
    wrote_2d = IdentityFactory(last_inbound_at=now - timedelta(days=2))
    messenger_3d = IdentityFactory(
        channel_account=ChannelAccountFactory(messenger=True),
        last_inbound_at=now - timedelta(days=3),
    )
    viber = IdentityFactory(
        channel_account=ChannelAccountFactory(viber=True),
        viber_subscription=ViberSubscription.UNSUBSCRIBED,
    )
    api.force_authenticate(supervisor)
    # when
    rows = api.get("/api/v1/identities/").json()["results"]
    windows = {row["id"]: row["reply_window"] for row in rows}
    # then
    assert windows[wrote_1h.id] == {
        "free_text": True, "template_required": False, "tag": "", "refusal": "",
        "closes_at": iso(wrote_1h.last_inbound_at + timedelta(hours=24)),
    }  # fmt: skip
    assert windows[wrote_2d.id]["template_required"] is True
    assert windows[messenger_3d.id]["tag"] == "HUMAN_AGENT"
    assert windows[viber.id] == {
        "free_text": False, "template_required": False, "tag": "", "closes_at": None,
        "refusal": "The customer unsubscribed from this Viber bot: they must write to us first.",
    }  # fmt: skip


@pytest.mark.parametrize("rows", [1, 50])
def test_the_customer_list_costs_the_same_queries_for_1_or_50_rows(
    api, django_assert_num_queries, rows
):
    # given: an agent owning `rows` conversations
    agent = AgentFactory()
    CustomerActivityFactory.create_batch(rows, owner=agent)
    api.force_authenticate(agent.user)
    # then: count, page (with the channel accounts)
    with django_assert_num_queries(2):
        response = api.get("/api/v1/identities/")
    assert len(response.json()["results"]) == rows


# Messages: reading


def test_the_messages_come_oldest_first_with_attachments_and_authors(api):
    # given
    activity = conversation()
    question = InboundMessageFactory(activity=activity, text="Is it in stock?")
    stored = AttachmentFactory(message=question, stored=True)
    pending = AttachmentFactory(message=question, filename="clip.mp4", kind="video")
    api.force_authenticate(activity.owner.user)
    api.post(messages_url(activity), {"text": "Yes, it is."}, format="json")
    # when
    response = api.get(messages_url(activity))
    # then
    assert response.status_code == 200
    first, reply = response.json()["results"]
    assert (first["id"], first["direction"], first["author"]) == (question.id, "in", None)
    assert first["attachments"] == [
        {"id": stored.id, "kind": "image", "filename": "photo.jpg", "content_type": "image/jpeg",
         "size": 4, "caption": "", "transfer": "done", "transfer_error": "",
         "download_url": f"http://testserver/api/v1/attachments/{stored.id}/download/"},
        {"id": pending.id, "kind": "video", "filename": "clip.mp4", "content_type": "image/jpeg",
         "size": None, "caption": "", "transfer": "pending", "transfer_error": "",
         "download_url": None},
    ]  # fmt: skip
    assert (reply["direction"], reply["text"], reply["status"]) == ("out", "Yes, it is.", "queued")
    assert (reply["author"], reply["error_code"], reply["error_reason"]) == (
        activity.owner.display_name,
        "",
        "",
    )


def test_a_stored_file_downloads_for_those_who_may_see_it(api):
    # given
    attachment = AttachmentFactory(stored=True)
    api.force_authenticate(attachment.message.activity.owner.user)
    # when
    response = api.get(f"/api/v1/attachments/{attachment.id}/download/", HTTP_ACCEPT="image/*")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'attachment; filename="photo.jpg"'
    assert b"".join(response.streaming_content) == b"JPEG"


def test_another_agents_file_and_a_file_still_downloading_are_not_found(api):
    # given
    theirs = AttachmentFactory(stored=True)
    downloading = AttachmentFactory()
    api.force_authenticate(downloading.message.activity.owner.user)
    # when
    other = api.get(f"/api/v1/attachments/{theirs.id}/download/")
    pending = api.get(f"/api/v1/attachments/{downloading.id}/download/")
    # then
    assert (other.status_code, other.json()) == (404, NOT_FOUND)
    assert (pending.status_code, pending.json()) == (404, NOT_FOUND)


def test_another_agents_conversation_is_not_found(api):
    # given
    activity = conversation()
    api.force_authenticate(AgentFactory().user)
    # when
    read = api.get(messages_url(activity))
    sent = api.post(messages_url(activity), {"text": "hi"}, format="json")
    # then
    assert (read.status_code, read.json()) == (404, NOT_FOUND)
    assert (sent.status_code, sent.json()) == (404, NOT_FOUND)
    assert not Message.objects.exists()


def test_an_agent_who_left_the_conversation_no_longer_sees_it(api):
    participant = ParticipantFactory(left=True)
    api.force_authenticate(participant.agent.user)
    assert api.get(messages_url(participant.activity)).status_code == 404


@pytest.mark.parametrize("rows", [1, 50])
def test_the_message_list_costs_the_same_queries_for_1_or_50_rows(
    api, django_assert_num_queries, rows
):
    # given: messages each with a file
    activity = conversation()
    for message in InboundMessageFactory.create_batch(rows, activity=activity):
        AttachmentFactory(message=message)
    api.force_authenticate(activity.owner.user)
    # then: activity, count, page (with authors), attachments of the page
    with django_assert_num_queries(4):
        response = api.get(messages_url(activity))
    assert len(response.json()["results"]) == rows


# Messages: sending


def test_the_owner_sends_a_text_that_is_queued_for_delivery(
    api, django_capture_on_commit_callbacks
):
    # given
    activity = conversation()
    api.force_authenticate(activity.owner.user)
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post(messages_url(activity), {"text": "On its way!"}, format="json")
    # then
    assert response.status_code == 201
    [message] = response.json()["messages"]
    assert (message["text"], message["status"], message["author"]) == (
        "On its way!",
        "queued",
        activity.owner.display_name,
    )
    assert Message.objects.get().author == activity.owner
    # the delivery task, enqueued once the send commits
    assert queued_tasks(callbacks) == ["messaging.tasks.message_deliver"]


def test_an_invited_agent_sends_as_themselves(api):
    participant = ParticipantFactory(activity=conversation())
    api.force_authenticate(participant.agent.user)
    response = api.post(messages_url(participant.activity), {"text": "I can help."})
    assert response.status_code == 201
    assert Message.objects.get().author == participant.agent


def test_a_supervisor_reads_any_conversation_but_does_not_write_in_it(api, supervisor):
    # given
    activity = conversation()
    InboundMessageFactory(activity=activity)
    api.force_authenticate(supervisor)
    # when
    read = api.get(messages_url(activity))
    sent = api.post(messages_url(activity), {"text": "hello"}, format="json")
    # then
    assert read.json()["count"] == 1
    assert sent.status_code == 403
    assert sent.json() == {
        "detail": "Only the activity's owner or an agent taking part in it may write here.",
        "code": "not_participant",
    }
    assert Message.objects.count() == 1


def test_an_agent_sees_a_conversation_waiting_in_their_queue_but_may_not_write_yet(api):
    # given
    membership = MembershipFactory()
    activity = CustomerActivityFactory(
        identity__channel_account__queue=membership.queue, state="waiting", owner=None
    )
    api.force_authenticate(membership.agent.user)
    # when
    read = api.get(messages_url(activity))
    sent = api.post(messages_url(activity), {"text": "hello"}, format="json")
    # then
    assert read.status_code == 200
    assert sent.json()["code"] == "not_participant"


def test_free_text_after_24_hours_on_whatsapp_is_refused_and_nothing_is_stored(api):
    activity = conversation(hours_ago=30)
    api.force_authenticate(activity.owner.user)
    response = api.post(messages_url(activity), {"text": "Still there?"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "More than 24 hours have passed since the customer last wrote: "
        "only an approved WhatsApp template may be sent.",
        "code": "template_required",
    }
    assert not Message.objects.exists()


def test_messenger_after_7_days_is_outside_the_window(api):
    activity = conversation(hours_ago=8 * 24, account=ChannelAccountFactory(messenger=True))
    api.force_authenticate(activity.owner.user)
    response = api.post(messages_url(activity), {"text": "Hello again"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "outside_window"
    assert not Message.objects.exists()


def test_a_whatsapp_template_of_the_queue_is_sent_with_its_parameters(api):
    # given
    activity = conversation(hours_ago=30)
    template = TemplateFactory()
    template.queues.set([activity.queue])
    api.force_authenticate(activity.owner.user)
    # when
    response = api.post(
        messages_url(activity),
        {"template": template.id, "template_parameters": ["Ana"]},
        format="json",
    )
    # then
    assert response.status_code == 201
    [message] = response.json()["messages"]
    assert (message["template"], message["template_parameters"]) == (template.id, ["Ana"])


def test_a_template_of_another_queue_is_refused(api):
    activity = conversation(hours_ago=30)
    template = TemplateFactory()
    template.queues.set([QueueFactory()])
    api.force_authenticate(activity.owner.user)
    response = api.post(
        messages_url(activity),
        {"template": template.id, "template_parameters": ["Ana"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "This template is not offered in the activity's queue.",
        "code": "template_not_offered",
    }
    assert not Message.objects.exists()


def test_a_template_with_wrong_parameters_is_refused(api):
    activity = conversation(hours_ago=30)
    template = TemplateFactory()
    api.force_authenticate(activity.owner.user)
    response = api.post(messages_url(activity), {"template": template.id}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The template needs 1 parameters.",
        "code": "template_parameters",
    }


def test_a_template_is_sent_alone(api):
    activity = conversation()
    api.force_authenticate(activity.owner.user)
    response = api.post(
        messages_url(activity),
        {"template": TemplateFactory().id, "template_parameters": ["Ana"], "text": "and also"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "A template is sent alone, without text or files.",
        "code": "template_alone",
    }
    assert not Message.objects.exists()


def test_a_file_with_a_caption_is_sent_as_multipart(api):
    # given
    activity = conversation()
    photo = SimpleUploadedFile("blue.jpg", b"JPEGDATA", content_type="image/jpeg")
    api.force_authenticate(activity.owner.user)
    # when
    response = api.post(
        messages_url(activity), {"text": "The blue one", "files": [photo]}, format="multipart"
    )
    # then
    assert response.status_code == 201
    [message] = response.json()["messages"]
    [attachment] = message["attachments"]
    assert message["text"] == "The blue one"
    assert (attachment["filename"], attachment["size"], attachment["transfer"]) == (
        "blue.jpg",
        8,
        "done",
    )
    download = api.get(attachment["download_url"])
    assert b"".join(download.streaming_content) == b"JPEGDATA"


def test_a_file_the_provider_refuses_is_refused_before_anything_is_stored(api):
    activity = conversation()
    gif = SimpleUploadedFile("dance.gif", b"GIF89a", content_type="image/gif")
    api.force_authenticate(activity.owner.user)
    response = api.post(messages_url(activity), {"files": [gif]}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "dance.gif: WhatsApp does not accept image/gif image files.",
        "code": "file_refused",
    }
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()


def test_an_empty_message_is_refused(api):
    activity = conversation()
    api.force_authenticate(activity.owner.user)
    response = api.post(messages_url(activity), {"text": "  "}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "empty_message"


def test_an_activity_without_a_customer_on_a_channel_has_no_one_to_write_to(api):
    activity = ActivityFactory(state="open", owner=AgentFactory())
    api.force_authenticate(activity.owner.user)
    response = api.post(messages_url(activity), {"text": "hello"}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This activity has no customer on a channel.",
        "code": "no_channel",
    }
