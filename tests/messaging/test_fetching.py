"""Inbound files are fetched from the public internet only: a URL a webhook names never reaches
this machine or a private network (checked after DNS and again on every redirect, on the very
connection that is made), and the provider's token goes to the provider's own hosts only."""

import socket
from collections.abc import Iterator
from ipaddress import ip_address

import pytest

from contactcenter.public_hosts import public_address
from messaging.connectors import connector_for
from messaging.models import Attachment, Message
from messaging.services.media import attachment_download
from tests.factories import ChannelAccountFactory
from tests.messaging import payloads
from tests.messaging.helpers import post_webhook
from tests.messaging.scripted_server import ScriptedServer

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def internal() -> Iterator[ScriptedServer]:
    """A service on this machine that no customer's URL may reach (an admin page, a metadata
    endpoint): it is not in PROVIDER_FETCH_ALLOW."""
    with ScriptedServer() as server:
        yield server


def photo(client, provider: str, url: str) -> Attachment:
    """A customer's picture that the provider names by `url`, fetched as the task fetches it."""
    options = {"messenger": {"messenger": True}, "instagram": {"instagram": True}}
    account = ChannelAccountFactory(**options.get(provider, {"viber": True}))
    item = payloads.messenger_attachment("m_9", "image", url)
    picture = {"type": "picture", "text": "look", "media": url}
    body = {
        "messenger": lambda: payloads.messenger("page", account.provider_account_id, item),
        "instagram": lambda: payloads.messenger("instagram", account.provider_account_id, item),
        "viber": lambda: payloads.viber_message(9, picture),
    }[provider]()
    post_webhook(client, account, body)
    attachment = Attachment.objects.get()
    attachment_download(attachment_id=attachment.id)
    attachment.refresh_from_db()
    return attachment


@pytest.mark.parametrize("provider", ["messenger", "instagram", "viber"])
def test_a_file_url_on_this_machine_is_refused_and_never_requested(
    client, provider_api, internal, provider
):
    # given: the "picture" is a service of our own machine
    internal.answer(200, b"internal secrets", content_type="image/jpeg")
    # when
    attachment = photo(client, provider, f"{internal.url}/admin/")
    # then: nothing was asked of it, nothing is stored, the message stays
    assert (attachment.transfer, attachment.transfer_error) == (
        "failed",
        f"Refused to fetch the file from {internal.host}: 127.0.0.1 is not a public address.",
    )
    assert internal.requests == []
    assert not attachment.file
    assert Message.objects.filter(pk=attachment.message_id).exists()


def test_a_name_is_checked_by_the_addresses_it_resolves_to(client, provider_api, internal):
    # given: a host name, not an address, that leads to this machine
    port = internal.host.split(":")[1]
    internal.answer(200, b"internal secrets", content_type="image/jpeg")
    # when
    attachment = photo(client, "viber", f"http://localhost:{port}/admin/")
    # then
    refused, _, why = attachment.transfer_error.partition(": ")
    assert (attachment.transfer, refused) == (
        "failed",
        f"Refused to fetch the file from localhost:{port}",
    )
    assert why.endswith(" is not a public address.")
    assert internal.requests == []


def test_a_redirect_to_this_machine_is_refused_before_it_is_followed(
    client, provider_api, internal
):
    # given: the provider's CDN sends us on to a service of our own machine
    provider_api.redirect(f"{internal.url}/admin/")
    internal.answer(200, b"internal secrets", content_type="image/jpeg")
    # when
    attachment = photo(client, "messenger", f"{provider_api.url}/cdn/photo.jpg")
    # then
    assert (attachment.transfer, attachment.transfer_error) == (
        "failed",
        f"Refused to fetch the file from {internal.host}: 127.0.0.1 is not a public address.",
    )
    assert internal.requests == []
    assert [request.path for request in provider_api.requests] == ["/cdn/photo.jpg"]


@pytest.mark.parametrize(
    ("redirects", "transfer", "error"),
    [
        (3, "done", ""),
        (4, "failed", "The file's address redirected more than 3 times."),
    ],
)
def test_redirects_are_followed_three_times_and_no_more(
    client, provider_api, redirects, transfer, error
):
    # given: the CDN redirects, relatively, hop after hop
    for hop in range(1, redirects + 1):
        provider_api.redirect(f"/cdn/hop-{hop}.jpg")
    provider_api.answer(200, JPEG, content_type="image/jpeg")
    # when
    attachment = photo(client, "instagram", f"{provider_api.url}/cdn/photo.jpg")
    # then
    assert (attachment.transfer, attachment.transfer_error) == (transfer, error)
    assert len(provider_api.requests) == min(redirects, 3) + 1


def test_the_whatsapp_token_goes_to_the_graph_api_and_not_to_the_url_it_answers(
    client, provider_api, settings
):
    # given: the media lookup answers a download URL on another host
    with ScriptedServer() as elsewhere:
        settings.PROVIDER_FETCH_ALLOW = [provider_api.host, elsewhere.host]
        account = ChannelAccountFactory()
        post_webhook(client, account, payloads.whatsapp_image(account.provider_account_id, "w.1"))
        provider_api.answer(
            200, {"url": f"{elsewhere.url}/files/65463453", "mime_type": "image/jpeg", "id": "1"}
        )
        elsewhere.answer(200, JPEG, content_type="image/jpeg")
        # when
        attachment_download(attachment_id=Attachment.objects.get().id)
    # then: the file came, without the token
    assert Attachment.objects.get().transfer == "done"
    [lookup] = provider_api.requests
    [fetch] = elsewhere.requests
    assert lookup.headers["Authorization"] == "Bearer test-access-token"
    assert "authorization" not in {name.lower() for name in fetch.headers}


def test_whatsapp_names_its_media_host_as_one_its_token_belongs_to(settings):
    """WhatsApp's download URLs are on lookaside.fbsbx.com and want the token (CHANNELS.md)."""
    account = ChannelAccountFactory.build()
    settings.WHATSAPP_API_URL = "https://graph.facebook.com/v25.0"
    source = connector_for("whatsapp").media_source(account, media_id="1", url="")
    assert source.headers_for == {
        "https://graph.facebook.com:443",
        "https://lookaside.fbsbx.com:443",
    }


def test_the_connection_goes_to_the_address_that_was_checked(
    client, provider_api, settings, monkeypatch
):
    """A name that resolves elsewhere the second time it is asked (DNS rebinding) is fetched
    from the address that was checked: nothing resolves it again."""
    # given: an allowed name whose later answers lead where nothing listens
    port = provider_api.host.split(":")[1]
    settings.PROVIDER_FETCH_ALLOW = [f"cdn.provider.test:{port}"]
    resolve = socket.getaddrinfo
    answers = iter(["127.0.0.1"])

    def rebinding(host, *args, **kwargs):
        if host == "cdn.provider.test":
            return resolve(next(answers, "127.0.0.2"), *args, **kwargs)
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    provider_api.answer(200, JPEG, content_type="image/jpeg")
    # when
    attachment = photo(client, "messenger", f"http://cdn.provider.test:{port}/cdn/photo.jpg")
    # then: fetched from the checked address, under its own name
    assert (attachment.transfer, attachment.transfer_error) == ("done", "")
    [fetch] = provider_api.requests
    assert fetch.headers["Host"] == f"cdn.provider.test:{port}"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1",
        "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
    ],
)  # fmt: skip
def test_loopback_private_link_local_multicast_and_reserved_addresses_are_not_public(address):
    assert not public_address(ip_address(address))


@pytest.mark.parametrize("address", ["157.240.1.35", "31.13.64.1", "2a03:2880:f10c:83::25de"])
def test_the_providers_addresses_are_public(address):
    assert public_address(ip_address(address))
