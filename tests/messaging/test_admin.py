"""Messaging in the back office: configuration edited without ever showing a secret, messages
and audit rows read-only, list pages whose queries do not grow with their rows."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from messaging.connectors.base import InboundAttachment, InboundMessage, StatusUpdate
from messaging.models import ChannelAccount, Template
from messaging.services.delivery import receipt_record
from messaging.services.webhooks import message_ingest, webhook_delivery_receive
from tests.factories import ChannelAccountFactory, IdentityFactory, QueueFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

SENT_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def supervisor(client):
    """A signed-in supervisor with messaging's model permissions, as the demo data grants."""
    user = SupervisorFactory()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="messaging"))
    client.force_login(user)
    return user


def customers_write(rows: int) -> None:
    """`rows` customers each write once, with a photo, through the real ingest."""
    account = ChannelAccountFactory()
    for n in range(rows):
        photo = InboundAttachment(kind="image", media_id=f"media-{n}", content_type="image/jpeg")
        inbound = InboundMessage(
            provider_message_id=f"wamid.{n}", sender_id=f"1650555{n:04d}", sent_at=SENT_AT,
            text=f"Question {n}", attachments=(photo,),
        )  # fmt: skip
        message_ingest(account=account, inbound=inbound)


def webhooks_arrive(rows: int) -> None:
    account = ChannelAccountFactory()
    for n in range(rows):
        webhook_delivery_receive(account=account, headers={}, body=b"{}", verified=True)
        receipt_record(
            account=account,
            update=StatusUpdate(
                provider_message_id=f"wamid.{n}", status="sent", occurred_at=SENT_AT
            ),
        )


ROWS: dict[str, Callable[[int], object]] = {
    "channelaccount": ChannelAccountFactory.create_batch,
    "externalidentity": IdentityFactory.create_batch,
    "message": customers_write,
    "webhookevent": webhooks_arrive,
    "deliveryreceipt": webhooks_arrive,
}


def changelist_queries(client, model: str) -> CaptureQueriesContext:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(f"admin:messaging_{model}_changelist"))
    assert response.status_code == 200
    return queries


@pytest.mark.parametrize("model", ROWS)
def test_a_list_page_runs_the_same_queries_for_1_or_50_rows(client, supervisor, model):
    # given
    ROWS[model](1)
    changelist_queries(client, model)  # warms the caches a first request fills
    # when
    one = changelist_queries(client, model)
    ROWS[model](49)
    fifty = changelist_queries(client, model)
    # then
    assert len(fifty) == len(one), "\n".join(query["sql"] for query in fifty.captured_queries)


def test_the_account_list_shows_the_webhook_url_and_no_secret(client, supervisor, settings):
    settings.SITE_URL = "https://cc.example.com"
    account = ChannelAccountFactory(access_token="EAAG-secret-token")
    response = client.get(reverse("admin:messaging_channelaccount_changelist"))
    assert f"https://cc.example.com/webhooks/whatsapp/{account.webhook_key}/" in response.text
    assert "EAAG-secret-token" not in response.text


def test_the_account_form_asks_for_secrets_without_showing_them(client, supervisor):
    account = ChannelAccountFactory(access_token="EAAG-secret-token")
    response = client.get(reverse("admin:messaging_channelaccount_change", args=[account.id]))
    assert '<input type="password" name="access_token"' in response.text
    assert "EAAG-secret-token" not in response.text
    assert "test_app_secret" not in response.text


def account_form(account: ChannelAccount, **changes) -> dict:
    """The change form as a browser posts it: secrets empty unless typed in."""
    return {
        "provider": account.provider, "name": account.name, "queue": account.queue_id,
        "is_active": "on", "provider_account_id": account.provider_account_id,
        "access_token": "", "app_secret": "", "verify_token": "", "viber_auth_token": "",
        "viber_sender_name": "", **changes,
    }  # fmt: skip


def test_saving_the_account_keeps_secrets_left_empty_and_replaces_typed_ones(client, supervisor):
    # given
    account = ChannelAccountFactory()
    url = reverse("admin:messaging_channelaccount_change", args=[account.id])
    # when
    response = client.post(url, account_form(account, name="Renamed", verify_token="new-one"))
    # then
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.name, account.verify_token) == ("Renamed", "new-one")
    assert (account.access_token, account.app_secret) == ("test-access-token", "test_app_secret")


def test_the_provider_of_an_existing_account_stays(client, supervisor):
    account = ChannelAccountFactory()
    url = reverse("admin:messaging_channelaccount_change", args=[account.id])
    client.post(url, account_form(account, provider="viber"))
    account.refresh_from_db()
    assert account.provider == "whatsapp"


def test_a_new_meta_account_without_credentials_is_refused_in_the_form(client, supervisor):
    response = client.post(
        reverse("admin:messaging_channelaccount_add"),
        {"provider": "messenger", "name": "Page", "queue": QueueFactory().id, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "A Meta account needs its id, access token, app secret and verify token." in (
        response.text
    )
    assert not ChannelAccount.objects.exists()


def test_a_supervisor_adds_a_whatsapp_template_for_a_queue(client, supervisor):
    # given
    queue = QueueFactory()
    # when
    response = client.post(
        reverse("admin:messaging_template_add"),
        {"name": "Shipped", "text": "Your order has shipped.", "queues": [queue.id],
         "whatsapp_name": "order_shipped", "whatsapp_language": "en_US",
         "whatsapp_parameters": '["first_name"]'},
    )  # fmt: skip
    # then
    assert response.status_code == 302
    template = Template.objects.get()
    assert list(template.queues.all()) == [queue]
    assert template.whatsapp_parameters == ["first_name"]


@pytest.mark.parametrize("model", ["message", "webhookevent", "deliveryreceipt"])
def test_messages_and_audit_rows_cannot_be_added_here(client, supervisor, model):
    response = client.get(reverse(f"admin:messaging_{model}_add"))
    assert response.status_code == 403


def test_a_message_is_shown_read_only_with_its_attachments(client, supervisor):
    # given
    customers_write(1)
    message = ChannelAccount.objects.get().messages.get()
    url = reverse("admin:messaging_message_change", args=[message.id])
    # when
    page = client.get(url)
    post = client.post(url, {"text": "rewritten"})
    # then
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert "image/jpeg" in page.text
    assert post.status_code == 403
    message.refresh_from_db()
    assert message.text.startswith("Question")


def test_webhook_deliveries_filter_by_verdict(client, supervisor):
    account = ChannelAccountFactory()
    webhook_delivery_receive(account=account, headers={}, body=b"{}", verified=True)
    webhook_delivery_receive(account=account, headers={}, body=b"{}", verified=False)
    response = client.get(
        reverse("admin:messaging_webhookevent_changelist"), {"verdict__exact": "rejected"}
    )
    assert [event.verdict for event in response.context["cl"].result_list] == ["rejected"]
