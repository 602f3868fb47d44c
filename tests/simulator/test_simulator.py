"""The provider simulator: our real connectors send to its fake APIs and get the providers'
answers; what a simulated customer writes reaches our real webhook endpoint as the provider's
signed payload; failures it is told to inject make our sends fail as the provider would.

The first tests run in-process (our HTTP client routed into Django's test client). The last
ones are the real thing: daphne serving the product and the simulator, and a Celery worker
sending our messages and the simulator's webhooks.
"""

import json
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from django.test import Client
from django.urls import reverse

from contactcenter.demo import load_demo
from contactcenter.exceptions import ApplicationError
from messaging import http
from messaging.connectors import connector_for
from messaging.connectors.base import InboundMessage, OutboundContent, SendError, StatusUpdate
from messaging.models import ChannelAccount, DeliveryStatus, Direction, Message
from messaging.services.errors import TransientProviderError
from messaging.services.outbound import message_deliver, message_send
from messaging.services.profiles import identity_profile_fetch
from simulator.customers import (
    PictureUpload,
    customer_message_send,
    replies_mark_read,
)
from simulator.models import SimulatedEvent, SimulatorCall, SimulatorFailure, SimulatorWebhook
from simulator.payloads import signature_headers
from simulator.services import failure_add, failures_reset
from tests.e2e.servers import daphne, free_port, use_simulator_at
from tests.factories import PASSWORD, ChannelAccountFactory, IdentityFactory, SupervisorFactory
from tests.messaging.helpers import customer, process_kept_deliveries
from tests.processes import PRODUCTION_SECRETS, product_environ
from tests.waiting import wait_for
from tests.workers import celery_worker

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
PROVIDER_OPTIONS = {
    "whatsapp": {},
    "messenger": {"messenger": True},
    "instagram": {"instagram": True},
    "viber": {"viber": True},
}
CUSTOMER_IDS = {
    "whatsapp": "16505551234",
    "messenger": "6483920175562104",
    "instagram": "1784031592640275",
    "viber": "jc9HsWTZ2Yf2NkRZ8KcNug==",
}


class DjangoClientTransport(httpx.BaseTransport):
    """httpx into Django's test client: in-process, inside the test's transaction."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() not in {"content-type", "content-length", "host"}
        }
        response = Client().generic(
            request.method,
            request.url.raw_path.decode(),
            data=request.read(),
            content_type=request.headers.get("content-type", ""),
            headers=headers,
        )
        return httpx.Response(
            response.status_code, headers=dict(response.items()), content=response.content
        )


@pytest.fixture
def simulator(settings, monkeypatch) -> httpx.Client:
    """Our provider client routed into this process's simulator views."""
    base = "http://testserver/simulator"
    settings.SITE_URL = "http://testserver"
    settings.WHATSAPP_API_URL = settings.MESSENGER_API_URL = f"{base}/graph/v25.0"
    settings.INSTAGRAM_API_URL = f"{base}/instagram/v25.0"
    settings.VIBER_API_URL = f"{base}/viber/pa"
    client = httpx.Client(transport=DjangoClientTransport(), base_url="http://testserver")
    monkeypatch.setattr(http, "provider_client", lambda: client)
    return client


def account_of(provider: str, **fields) -> ChannelAccount:
    return ChannelAccountFactory(**PROVIDER_OPTIONS[provider], **fields)


def activity_on(account: ChannelAccount, **identity):
    """An agent's open activity with a customer we may write to (who wrote an hour ago, and on
    Viber is subscribed)."""
    subscription = {"viber": "subscribed"}.get(account.provider, "")
    return customer(channel_account=account, viber_subscription=subscription, **identity)


def connector_send(account: ChannelAccount, text: str = "Hello", customer_id: str = ""):
    """Build the send with our real connector, post it through our real HTTP client, and read
    the answer with the connector: the provider message id, or the SendError raised."""
    identity = IdentityFactory.build(
        channel_account=account, provider_user_id=customer_id or CUSTOMER_IDS[account.provider]
    )
    connector = connector_for(account.provider)
    request = connector.build_send(account, identity, OutboundContent(text=text))
    response = http.request("POST", request.url, json=request.json, headers=request.headers)
    return connector.read_response(response.status_code, http.json_body(response))


def post_to_our_webhook(client, webhook: SimulatorWebhook):
    """Deliver a stored simulator webhook to our endpoint, signed, as its task would, and
    apply what our endpoint kept, as our worker would."""
    account = webhook.channel_account
    body = webhook.body.encode()
    headers = signature_headers(account, body)
    url = reverse("webhook", args=[account.provider, account.webhook_key])
    response = client.post(url, body, content_type="application/json", headers=headers)
    process_kept_deliveries()
    return response


# --- in-process: the fake APIs answer our connectors as the providers would -------------------


@pytest.mark.django_db
@pytest.mark.parametrize("provider", PROVIDER_OPTIONS)
def test_a_send_by_our_connector_is_accepted_and_recorded_without_credentials(simulator, provider):
    # given
    account = account_of(provider)
    # when
    result = connector_send(account, "Yes, in blue.")
    # then
    call = SimulatorCall.objects.get()
    assert (call.channel_account, call.status_code) == (account, 200)
    assert call.provider_message_id == result.provider_message_id
    assert call.recipient_id == CUSTOMER_IDS[provider]
    assert "Yes, in blue." in json.dumps(call.body)
    recorded_headers = {name.lower() for name in call.headers}
    assert not recorded_headers & {"authorization", "x-viber-auth-token"}


@pytest.mark.django_db
def test_the_accepted_answers_have_the_providers_shapes(simulator):
    whatsapp = account_of("whatsapp")
    viber = account_of("viber")
    connector_send(whatsapp)
    connector_send(viber)
    wa_answer, viber_answer = (call.response for call in SimulatorCall.objects.all())
    assert wa_answer["messaging_product"] == "whatsapp"
    assert wa_answer["contacts"] == [{"input": "16505551234", "wa_id": "16505551234"}]
    assert wa_answer["messages"][0]["id"].startswith("wamid.")
    assert viber_answer["status"] == 0
    assert viber_answer["message_token"] > 2**53  # int64, beyond a JS number
    assert (viber_answer["chat_hostname"], viber_answer["billing_status"]) == ("SN-CHAT-05_", 1)


@pytest.mark.django_db
def test_a_whatsapp_template_send_is_accepted_with_its_message_status(simulator, staff_client):
    account = account_of("whatsapp")
    identity = IdentityFactory.build(channel_account=account, provider_user_id="16505551234")
    content = OutboundContent(
        template_name="order_update", template_language="en_US", template_parameters=("John",)
    )
    request = connector_for("whatsapp").build_send(account, identity, content)
    answer = http.request("POST", request.url, json=request.json, headers=request.headers).json()
    assert answer["messages"][0]["message_status"] == "accepted"
    conversation = staff_client.get(
        "/simulator/customer/conversation",
        {"account": account.pk, "customer_id": "16505551234"},
    ).json()["messages"]
    assert [item["text"] for item in conversation] == ["[Template order_update] John"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "provider,events",
    [
        ("whatsapp", ["sent", "delivered"]),
        ("messenger", ["delivered"]),
        ("instagram", []),
        ("viber", ["delivered"]),
    ],
)
def test_an_accepted_send_is_followed_by_the_providers_status_webhooks(simulator, provider, events):
    account = account_of(provider)
    connector_send(account)
    assert list(SimulatorWebhook.objects.values_list("event", flat=True)) == events


@pytest.mark.django_db
@pytest.mark.parametrize(
    "provider,receipted",
    [
        ("whatsapp", "delivered"),
        ("messenger", "delivered"),
        ("instagram", "sent"),
        ("viber", "delivered"),
    ],
)
def test_the_status_webhooks_verify_and_move_our_message_forward(
    client, simulator, provider, receipted
):
    # given: our real delivery of a queued reply
    activity = activity_on(account_of(provider))
    [message] = message_send(activity=activity, author=activity.owner, text="On its way")
    message_deliver(message_id=message.id)
    # when: the simulator's receipts reach our endpoint, then the customer reads it
    for webhook in SimulatorWebhook.objects.all():
        assert post_to_our_webhook(client, webhook).status_code == 200
    delivered = Message.objects.get(pk=message.pk).status
    replies_mark_read(
        account=activity.channel_account, customer_id=message.identity.provider_user_id
    )
    for webhook in SimulatorWebhook.objects.filter(event=SimulatedEvent.READ):
        assert post_to_our_webhook(client, webhook).status_code == 200
    # then
    assert delivered == receipted
    assert Message.objects.get(pk=message.pk).status == DeliveryStatus.READ


@pytest.mark.django_db
def test_meta_auth_by_query_token_works_and_a_wrong_token_is_graph_error_190(simulator):
    # given
    account = account_of("messenger")
    url = f"/simulator/graph/v25.0/{account.provider_account_id}/messages"
    body = {"recipient": {"id": "PSID"}, "messaging_type": "RESPONSE", "message": {"text": "hi"}}
    # when
    by_query = simulator.post(f"{url}?access_token={account.access_token}", json=body)
    wrong = simulator.post(url, json=body, headers={"Authorization": "Bearer nope"})
    # then
    assert by_query.json()["recipient_id"] == "PSID"
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == 190
    assert wrong.json()["error"]["type"] == "OAuthException"
    assert "access_token" not in SimulatorCall.objects.first().path


@pytest.mark.django_db
def test_a_wrong_token_fails_our_send_for_good_with_the_renew_reason(simulator):
    account = account_of("whatsapp", access_token="the-real-token")
    account.access_token = "an-expired-token"
    with pytest.raises(SendError) as refused:
        connector_send(account)
    assert (refused.value.code, refused.value.transient) == ("190", False)
    assert "renew" in refused.value.reason


@pytest.mark.django_db
def test_a_viber_call_with_an_unknown_token_is_refused_in_http_200(simulator):
    account = account_of("viber")
    account.viber_auth_token = "not-our-bot"
    with pytest.raises(SendError) as refused:
        connector_send(account)
    assert refused.value.code == "2"
    assert SimulatorCall.objects.get().status_code == 200


@pytest.mark.django_db
def test_a_send_the_provider_would_refuse_is_answered_with_its_parameter_error(simulator):
    account = account_of("messenger")
    url = f"/simulator/graph/v25.0/{account.provider_account_id}/messages"
    body = {"recipient": {"id": "PSID"}, "message": {"text": "no messaging_type"}}
    response = simulator.post(
        url, json=body, headers={"Authorization": f"Bearer {account.access_token}"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100
    assert "messaging_type" in response.json()["error"]["message"]


# --- in-process: failure injection ------------------------------------------------------------


@pytest.mark.django_db
def test_429_twice_fails_the_next_two_sends_transiently_then_sends(simulator):
    # given
    account = account_of("whatsapp")
    failure_add(provider="whatsapp", times=2, http_status=429)
    # when
    errors = []
    for _ in range(2):
        with pytest.raises(SendError) as refused:
            connector_send(account)
        errors.append(refused.value)
    result = connector_send(account)
    # then
    assert [(e.code, e.transient) for e in errors] == [("4", True), ("4", True)]
    assert result.provider_message_id.startswith("wamid.")
    assert list(SimulatorCall.objects.values_list("status_code", flat=True)) == [429, 429, 200]


@pytest.mark.django_db
def test_whatsapp_131047_answers_the_graph_error_shape(simulator):
    account = account_of("whatsapp")
    failure_add(provider="whatsapp", code=131047)
    with pytest.raises(SendError) as refused:
        connector_send(account)
    error = SimulatorCall.objects.get().response["error"]
    assert (error["code"], error["type"], error["message"]) == (
        131047,
        "OAuthException",
        "(#131047) Re-engagement message",
    )
    assert error["error_data"]["messaging_product"] == "whatsapp"
    assert (refused.value.code, refused.value.transient) == ("131047", False)


@pytest.mark.django_db
def test_viber_status_6_comes_in_http_200_and_fails_the_send_for_good(simulator):
    account = account_of("viber")
    failure_add(provider="viber", code=6)
    with pytest.raises(SendError) as refused:
        connector_send(account)
    call = SimulatorCall.objects.get()
    assert call.status_code == 200
    assert call.response["status"] == 6
    assert call.response["status_message"] == "receiverNotSubscribed"
    assert (refused.value.code, refused.value.transient) == ("6", False)


@pytest.mark.django_db
def test_a_rule_for_one_account_leaves_the_others_alone(simulator):
    failing, other = account_of("messenger"), account_of("messenger", provider_account_id="P2")
    failure_add(provider="messenger", account=failing, code=551)
    assert connector_send(other).provider_message_id.startswith("m_")
    with pytest.raises(SendError) as refused:
        connector_send(failing)
    assert refused.value.code == "551"


@pytest.mark.django_db
def test_a_late_failure_accepts_the_send_then_reports_131047_by_webhook(simulator):
    # given
    account = account_of("whatsapp")
    failure_add(provider="whatsapp", mode="late")
    # when
    result = connector_send(account)
    # then: accepted, and the only webhook is a failed status in CHANNELS.md's shape
    webhook = SimulatorWebhook.objects.get()
    status = json.loads(webhook.body)["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert webhook.event == SimulatedEvent.FAILED
    assert (status["id"], status["status"]) == (result.provider_message_id, "failed")
    assert status["recipient_id"] == "16505551234"
    assert status["errors"] == [
        {
            "code": 131047,
            "title": "Re-engagement message",
            "message": "Re-engagement message",
            "error_data": {
                "details": "More than 24 hours have passed since the recipient last replied "
                "to the sender number."
            },
            "href": "/documentation/business-messaging/whatsapp/support/error-codes",
        }
    ]
    [update] = connector_for("whatsapp").parse(account, json.loads(webhook.body))
    assert isinstance(update, StatusUpdate)
    assert (update.status, update.error_code) == (DeliveryStatus.FAILED, "131047")


@pytest.mark.django_db
def test_a_late_failure_is_only_for_whatsapp():
    with pytest.raises(ApplicationError):
        failure_add(provider="viber", mode="late")


@pytest.mark.django_db
def test_the_control_endpoint_adds_lists_and_resets_failures(staff_client):
    # given
    account = account_of("viber")
    spec = {"provider": "viber", "account": account.pk, "times": 3, "code": 12}
    # when
    added = staff_client.post(
        "/simulator/control/failures", json.dumps(spec), content_type="application/json"
    )
    listed = staff_client.get("/simulator/control/failures").json()["failures"]
    deleted = staff_client.delete("/simulator/control/failures").json()
    # then
    assert added.status_code == 201
    assert added.json()["body"]["status"] == 12
    assert [(f["account"], f["remaining"]) for f in listed] == [(account.pk, 3)]
    assert deleted == {"deleted": 1}
    assert not SimulatorFailure.objects.exists()


@pytest.mark.django_db
def test_the_control_endpoint_explains_a_failure_it_cannot_make(staff_client):
    response = staff_client.post(
        "/simulator/control/failures",
        json.dumps({"provider": "whatsapp"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "failure_unspecified"


@pytest.mark.django_db
def test_reset_forgets_calls_webhooks_and_rules(staff_client, simulator):
    connector_send(account_of("whatsapp"))
    failure_add(provider="viber", code=6)
    assert staff_client.post("/simulator/control/reset").json() == {"reset": True}
    assert not SimulatorCall.objects.exists()
    assert not SimulatorWebhook.objects.exists()
    assert failures_reset() == 0


@pytest.mark.django_db
def test_the_calls_endpoint_lists_what_was_recorded(staff_client, simulator):
    account = account_of("instagram")
    connector_send(account)
    calls = staff_client.get(f"/simulator/control/calls?account={account.pk}").json()["calls"]
    assert [(c["provider"], c["method"], c["status"]) for c in calls] == [
        ("instagram", "POST", 200)
    ]
    assert calls[0]["path"] == f"/simulator/instagram/v25.0/{account.provider_account_id}/messages"


# --- in-process: WhatsApp media ---------------------------------------------------------------


@pytest.mark.django_db
def test_whatsapp_media_upload_info_and_download_with_the_token(simulator):
    # given
    account = account_of("whatsapp")
    auth = {"Authorization": f"Bearer {account.access_token}"}
    # when
    uploaded = simulator.post(
        f"/simulator/graph/v25.0/{account.provider_account_id}/media",
        data={"messaging_product": "whatsapp", "type": "image/png"},
        files={"file": ("dot.png", PNG, "image/png")},
        headers=auth,
    )
    media_id = uploaded.json()["id"]
    info = simulator.get(f"/simulator/graph/v25.0/{media_id}", headers=auth).json()
    download = simulator.get(info["url"], headers=auth)
    anonymous = simulator.get(info["url"])
    # then
    assert (info["id"], info["mime_type"], info["file_size"]) == (media_id, "image/png", len(PNG))
    assert info["url"].startswith("http://testserver/simulator/lookaside/")
    assert download.content == PNG
    assert anonymous.status_code == 401


# --- in-process: the customer's messages ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("provider", PROVIDER_OPTIONS)
def test_the_customers_text_is_the_providers_signed_payload_and_becomes_our_message(
    client, provider
):
    # given
    account = account_of(provider)
    # when
    webhook = customer_message_send(
        account=account,
        customer_id=CUSTOMER_IDS[provider],
        name="Sheena Nelson",
        text="Does it come in grün?",
    )
    response = post_to_our_webhook(client, webhook)
    # then
    assert response.status_code == 200
    message = Message.objects.get()
    assert (message.direction, message.text) == (Direction.IN, "Does it come in grün?")
    assert message.identity.provider_user_id == CUSTOMER_IDS[provider]
    assert message.provider_message_id == webhook.provider_message_id


@pytest.mark.django_db
@pytest.mark.parametrize("provider", ["messenger", "instagram"])
def test_the_profile_api_names_the_customer_as_they_typed_it(client, simulator, provider):
    # given: a customer wrote, and reached us by id only
    account = account_of(provider)
    webhook = customer_message_send(
        account=account, customer_id=CUSTOMER_IDS[provider], name="Sheena Nelson", text="Hi"
    )
    post_to_our_webhook(client, webhook)
    message = Message.objects.get()
    # when: our connector asks the fake profile API
    identity_profile_fetch(identity_id=message.identity_id)
    # then
    message.activity.refresh_from_db()
    assert message.activity.title == "Sheena Nelson"
    [call] = SimulatorCall.objects.filter(method="GET")
    assert (call.path, call.status_code) == (
        f"/simulator/{_surface(provider)}/v25.0/{CUSTOMER_IDS[provider]}",
        200,
    )


def _surface(provider: str) -> str:
    return "instagram" if provider == "instagram" else "graph"


@pytest.mark.django_db
def test_the_profile_api_knows_no_one_who_never_wrote_and_the_customer_keeps_their_id(
    simulator,
):
    # given: a customer the simulator never played
    identity = IdentityFactory(
        channel_account=account_of("messenger"), provider_user_id="1000001", display_name=""
    )
    # when / then
    with pytest.raises(TransientProviderError):
        identity_profile_fetch(identity_id=identity.pk)
    identity.refresh_from_db()
    assert identity.display_name == ""
    assert SimulatorCall.objects.get(method="GET").response["error"]["code"] == 100


@pytest.mark.django_db
def test_meta_bodies_escape_non_ascii_as_meta_does_and_viber_sends_utf8():
    whatsapp, viber = account_of("whatsapp"), account_of("viber")
    wa = customer_message_send(account=whatsapp, customer_id="16505551234", name="A", text="héllo")
    vb = customer_message_send(account=viber, customer_id="abc=", name="A", text="héllo")
    assert "h\\u00e9llo" in wa.body
    assert '"text":"héllo"' in vb.body


@pytest.mark.django_db
def test_the_whatsapp_payload_is_channels_md_shape():
    account = account_of("whatsapp")
    webhook = customer_message_send(
        account=account, customer_id="16505551234", name="Sheena Nelson", text="Hi"
    )
    value = json.loads(webhook.body)["entry"][0]["changes"][0]["value"]
    assert value["metadata"]["phone_number_id"] == account.provider_account_id
    assert value["contacts"] == [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}]
    [item] = value["messages"]
    assert (item["from"], item["type"], item["text"]) == ("16505551234", "text", {"body": "Hi"})
    assert item["timestamp"].isdigit()


def send_picture(account: ChannelAccount) -> tuple[SimulatorWebhook, InboundMessage]:
    """The customer attaches a picture; what our connector makes of the webhook."""
    webhook = customer_message_send(
        account=account,
        customer_id=CUSTOMER_IDS[account.provider],
        name="A",
        text="this",
        picture=PictureUpload(PNG, "image/png", "dot.png"),
    )
    [parsed] = connector_for(account.provider).parse(account, json.loads(webhook.body))
    return webhook, parsed


@pytest.mark.django_db
def test_a_whatsapp_picture_comes_as_a_media_id_our_connector_fetches():
    webhook, parsed = send_picture(account_of("whatsapp"))
    [attachment] = parsed.attachments
    assert (attachment.kind, attachment.media_id) == ("image", webhook.media.media_id)
    assert (attachment.content_type, parsed.text) == ("image/png", "this")


@pytest.mark.django_db
@pytest.mark.parametrize("provider", ["messenger", "instagram", "viber"])
def test_other_pictures_come_as_a_url_of_the_simulator(settings, provider):
    webhook, parsed = send_picture(account_of(provider))
    [attachment] = parsed.attachments
    assert attachment.kind == "image"
    assert attachment.url == f"{settings.SITE_URL}/simulator/cdn/{webhook.media.media_id}/"


@pytest.mark.django_db
def test_a_whatsapp_customer_id_must_be_a_phone_number():
    with pytest.raises(ApplicationError, match="phone number"):
        customer_message_send(
            account=account_of("whatsapp"), customer_id="not a phone", name="A", text="hi"
        )


@pytest.mark.django_db
def test_the_customer_page_lists_the_active_accounts(staff_client):
    account_of("viber", name="Bot")
    account_of("whatsapp", name="Gone", is_active=False)
    page = staff_client.get("/simulator/")
    assert page.status_code == 200
    assert b"Bot" in page.content
    assert b"Gone" not in page.content


@pytest.mark.django_db
def test_the_page_endpoint_sends_a_message_and_the_conversation_shows_it(staff_client):
    account = account_of("messenger")
    form = {"account": account.pk, "customer_id": "6483920175562104", "text": "<b>hi</b>"}
    sent = staff_client.post("/simulator/customer/messages", form)
    conversation = staff_client.get(
        "/simulator/customer/conversation",
        {"account": account.pk, "customer_id": "6483920175562104"},
    ).json()
    assert sent.status_code == 201
    [item] = conversation["messages"]
    assert (item["from"], item["text"], item["state"]) == ("customer", "<b>hi</b>", "sending")


@pytest.mark.django_db
def test_reading_replies_reports_each_once(simulator):
    account = account_of("viber")
    connector_send(account)
    connector_send(account)
    assert replies_mark_read(account=account, customer_id=CUSTOMER_IDS["viber"]) == 2
    assert replies_mark_read(account=account, customer_id=CUSTOMER_IDS["viber"]) == 0
    [seen] = SimulatorWebhook.objects.filter(event=SimulatedEvent.READ)
    last_token = SimulatorCall.objects.last().provider_message_id
    assert json.loads(seen.body)["event"] == "seen"
    assert str(json.loads(seen.body)["message_token"]) == last_token


@pytest.mark.django_db
def test_only_the_replies_the_page_showed_are_reported_read(simulator):
    # given: the page showed one reply; a second arrived after it rendered
    account = account_of("whatsapp")
    connector_send(account, "shown")
    shown = SimulatorCall.objects.get().pk
    connector_send(account, "not yet shown")
    # when
    seen = replies_mark_read(account=account, customer_id="16505551234", up_to=shown)
    # then
    assert seen == 1
    [read] = SimulatorWebhook.objects.filter(event=SimulatedEvent.READ)
    assert read.provider_message_id == SimulatorCall.objects.get(pk=shown).provider_message_id


RESOLVE_SIMULATOR = (
    "import django; django.setup(); from django.conf import settings; "
    "from django.urls import Resolver404, resolve\n"
    "try:\n    resolve('/simulator/')\nexcept Resolver404:\n    print('off')\n"
    "else:\n    print('on')\nprint(settings.WHATSAPP_API_URL)"
)


@pytest.mark.parametrize(
    "debug,expected",
    [
        ("0", "off\nhttps://graph.facebook.com/v25.0"),
        ("1", "on\nhttp://cc.example/simulator/graph/v25.0"),
    ],
)
def test_the_simulator_is_served_in_development_only(tmp_path, debug, expected):
    result = subprocess.run(
        [sys.executable, "-c", RESOLVE_SIMULATOR],
        env=product_environ(
            tmp_path, DEBUG=debug, SITE_URL="http://cc.example", **PRODUCTION_SECRETS
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == expected, result.stderr


# --- the demo ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_has_one_account_per_provider_once():
    load_demo()
    load_demo()
    providers = sorted(ChannelAccount.objects.values_list("provider", flat=True))
    assert providers == ["instagram", "messenger", "viber", "whatsapp"]
    numbers = set(ChannelAccount.objects.values_list("queue__number", flat=True))
    assert numbers <= {100, 200, 300}


# --- real HTTP: daphne serves the product and the simulator; a Celery worker sends ------------


@pytest.fixture(scope="module")
def site(django_db_setup, redis_url, tmp_path_factory) -> Iterator[str]:
    """The product under daphne, whose SITE_URL is its own address (the simulator puts it in
    the file URLs it hands out)."""
    port = free_port()
    log = tmp_path_factory.mktemp("simulator") / "daphne.log"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SITE_URL", f"http://127.0.0.1:{port}")
        with daphne(port, redis_url, log) as url:
            yield url


@pytest.fixture
def live(site, settings) -> Iterator[str]:
    """This process (where the worker runs) sends to the simulator under daphne, and the
    simulator's webhooks go to daphne too."""
    use_simulator_at(settings, site)
    with celery_worker():
        yield site


def inbound(account: ChannelAccount) -> Message | None:
    return Message.objects.filter(channel_account=account, direction=Direction.IN).last()


def page_session(site: str) -> httpx.Client:
    """A browser-like session on the customer page, signed in as staff (the simulator is theirs
    only): its CSRF cookie, sent back as a header."""
    session = httpx.Client(base_url=site, timeout=10)
    session.get("/login/").raise_for_status()
    credentials = {"username": SupervisorFactory().username, "password": PASSWORD}
    headers = {"X-CSRFToken": session.cookies["csrftoken"]}
    assert session.post("/login/", data=credentials, headers=headers).status_code == 302
    session.get("/simulator/").raise_for_status()
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


def status_of(message: Message, status: str):
    return Message.objects.filter(pk=message.pk, status=status).first()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "provider,receipted",
    [
        ("whatsapp", "delivered"),
        ("messenger", "delivered"),
        ("instagram", "sent"),
        ("viber", "delivered"),
    ],
)
def test_over_http_the_customer_writes_and_our_reply_is_delivered_then_read(
    live, provider, receipted
):
    # given: an agent's open activity with a customer, who writes on the page
    account = account_of(provider)
    customer_id = CUSTOMER_IDS[provider]
    activity = activity_on(account, provider_user_id=customer_id)
    page = page_session(live)
    form = {"account": account.pk, "customer_id": customer_id, "name": "Sheena Nelson"}
    written = page.post("/simulator/customer/messages", data=form | {"text": "Is it in stock?"})
    assert written.status_code == 201
    received = wait_for(lambda: inbound(account))
    assert (received.text, received.activity) == ("Is it in stock?", activity)
    # when: the agent answers through our real outbound path
    [reply] = message_send(activity=activity, author=activity.owner, text="Yes, 3 left.")
    # then: the simulator took it and reported it as the provider would
    wait_for(lambda: status_of(reply, receipted))
    params = {"account": account.pk, "customer_id": customer_id}
    shown = page.get("/simulator/customer/conversation", params=params).json()["messages"]
    assert [(m["from"], m["text"]) for m in shown] == [
        ("customer", "Is it in stock?"),
        ("agent", "Yes, 3 left."),
    ]
    assert shown[0]["state"] == "delivered"
    # and: once the page shows it, it is read
    read = params | {"up_to": shown[1]["number"]}
    assert page.post("/simulator/customer/read", data=read).json() == {"seen": 1}
    wait_for(lambda: status_of(reply, DeliveryStatus.READ))


@pytest.mark.django_db(transaction=True)
def test_over_http_429_twice_is_retried_until_the_send_goes_through(live):
    # given
    account = account_of("whatsapp")
    activity = activity_on(account)
    spec = {"provider": "whatsapp", "times": 2, "status": 429}
    staff = page_session(live)
    assert staff.post("/simulator/control/failures", json=spec).status_code == 201
    # when
    [reply] = message_send(activity=activity, author=activity.owner, text="Retry me")
    # then
    wait_for(lambda: status_of(reply, DeliveryStatus.DELIVERED), timeout=30)
    calls = staff.get("/simulator/control/calls", params={"account": account.pk}).json()
    assert [call["status"] for call in calls["calls"]] == [429, 429, 200]


@pytest.mark.django_db(transaction=True)
def test_over_http_a_late_131047_ends_with_our_message_failed(live):
    account = account_of("whatsapp")
    activity = activity_on(account)
    failure_add(provider="whatsapp", mode="late", account=account)
    [reply] = message_send(activity=activity, author=activity.owner, text="Too late")
    failed = wait_for(lambda: status_of(reply, DeliveryStatus.FAILED))
    assert failed.error_code == "131047"
    assert failed.provider_message_id.startswith("wamid.")
    assert "24 hours" in failed.error_reason


@pytest.mark.django_db(transaction=True)
def test_over_http_viber_status_6_fails_our_message_with_the_reason(live):
    account = account_of("viber")
    activity = activity_on(account)
    failure_add(provider="viber", code=6)
    [reply] = message_send(activity=activity, author=activity.owner, text="Anyone?")
    failed = wait_for(lambda: status_of(reply, DeliveryStatus.FAILED))
    assert (
        failed.error_code,
        failed.error_reason.startswith("The customer is not subscribed"),
    ) == (
        "6",
        True,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("provider", ["whatsapp", "messenger"])
def test_over_http_a_customers_picture_is_downloaded_into_our_attachment(live, provider):
    # given
    account = account_of(provider)
    page = page_session(live)
    form = {"account": account.pk, "customer_id": CUSTOMER_IDS[provider], "text": "this one"}
    # when
    written = page.post(
        "/simulator/customer/messages",
        data=form,
        files={"picture": ("dot.png", PNG, "image/png")},
    )
    # then
    assert written.status_code == 201
    message = wait_for(lambda: inbound(account))
    attachment = wait_for(lambda: message.attachments.filter(transfer="done").first())
    with attachment.file.open("rb") as file:
        assert file.read() == PNG
