"""Files are what they claim to be, are named safely, and never run on our origin: an agent's
upload and a customer's file are checked by their content, their names cleaned where they
enter, and every file is served with nosniff, a sandbox, and as a download unless it is a
picture, a sound, a video or a PDF."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from messaging.models import Attachment, Message
from messaging.services.media import attachment_download
from messaging.services.outbound import message_deliver
from tests.factories import ChannelAccountFactory
from tests.messaging import payloads
from tests.messaging.helpers import customer, post_webhook

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
HTML = b"<!DOCTYPE html><html><script>fetch('/x?' + document.cookie)</script></html>"
# The start of a Windows program: the DOS header, its pointer to the PE header, and that.
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(44) + b"\x80\x00\x00\x00"
PE += bytes(128 - len(PE)) + b"PE\x00\x00L\x01"
PE_IS_NOT_JPEG = (
    "The file claims to be image/jpeg but is really "
    "application/vnd.microsoft.portable-executable (Windows Executable)."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(activity, *files: SimpleUploadedFile):
    """The activity's owner sends files through the API, as the workspace does."""
    api = APIClient()
    api.force_authenticate(activity.owner.user)
    url = f"/api/v1/activities/{activity.id}/messages/"
    return api.post(url, {"files": list(files)}, format="multipart")


def messenger_customer():
    return customer(channel_account=ChannelAccountFactory(messenger=True))


# What a file is


def test_an_agents_file_that_is_not_what_it_claims_is_refused_saying_what_it_is():
    # given: a Windows program that calls itself a photo
    activity = customer()
    program = SimpleUploadedFile("invoice.jpg", PE, content_type="image/jpeg")
    # when
    response = upload(activity, program)
    # then
    assert (response.status_code, response.json()) == (
        400,
        {"detail": f"invoice.jpg: {PE_IS_NOT_JPEG}", "code": "file_type_mismatch"},
    )
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()


def test_a_file_a_browser_would_run_is_refused_unless_its_content_shows_what_it_is():
    # given: script that calls itself a web page, in a shape no sniffer recognises
    activity = messenger_customer()
    script = SimpleUploadedFile("page.html", b"alert(document.cookie)", content_type="text/html")
    # when
    response = upload(activity, script)
    # then
    assert (response.status_code, response.json()) == (
        400,
        {
            "detail": "page.html: The file claims to be text/html, which a browser would run, "
            "but its content could not be recognised as that.",
            "code": "file_type_unknown",
        },
    )
    assert not Attachment.objects.exists()


def test_a_text_file_no_sniffer_recognises_is_taken_as_what_it_declares():
    activity = messenger_customer()
    notes = SimpleUploadedFile("notes.txt", b"call back at 5", content_type="text/plain")
    response = upload(activity, notes)
    assert response.status_code == 201
    assert Attachment.objects.get().content_type == "text/plain"


def test_a_customers_file_that_is_not_what_it_claims_fails_and_the_message_stays(
    client, provider_api
):
    # given: a Viber "picture" with a caption, whose bytes are a Windows program
    account = ChannelAccountFactory(viber=True)
    media = {"type": "picture", "text": "my invoice", "media": f"{provider_api.url}/cdn/1.jpg"}
    post_webhook(client, account, payloads.viber_message(11, media))
    provider_api.answer(200, PE, content_type="image/jpeg")
    # when
    attachment_download(attachment_id=Attachment.objects.get().id)
    # then
    attachment = Attachment.objects.get()
    assert (attachment.transfer, attachment.transfer_error) == ("failed", PE_IS_NOT_JPEG)
    assert not attachment.file
    assert Message.objects.get().text == "my invoice"


# How a file is served


@pytest.mark.parametrize(
    ("filename", "content", "content_type", "disposition"),
    [
        ("logo.svg", SVG, "image/svg+xml", "attachment"),
        ("page.html", HTML, "text/html", "attachment"),
        ("notes.txt", b"call back at 5", "text/plain", "attachment"),
        ("box.jpg", JPEG, "image/jpeg", "inline"),
        ("terms.pdf", PDF, "application/pdf", "inline"),
    ],
)
def test_the_link_a_provider_fetches_serves_only_safe_media_inline_and_always_sandboxed(
    client, provider_api, settings, filename, content, content_type, disposition
):
    # given: an agent's file on Messenger, which fetches it from our signed link
    activity = messenger_customer()
    assert upload(activity, SimpleUploadedFile(filename, content, content_type)).status_code == 201
    provider_api.answer(200, {"recipient_id": "PSID", "message_id": "m_2"})
    message_deliver(message_id=Message.objects.get().id)
    link = provider_api.posts()[0].json()["message"]["attachment"]["payload"]["url"]
    # when
    response = client.get(link.removeprefix(settings.SITE_URL))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'{disposition}; filename="{filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response.getvalue() == content


def test_a_customers_web_page_downloads_for_the_agent_sandboxed(client, provider_api):
    # given: a Viber customer in an agent's chat sends an HTML file, which is what it claims
    account = ChannelAccountFactory(viber=True)
    customer(channel_account=account, provider_user_id="01234567890A=")
    media = {"type": "file", "media": f"{provider_api.url}/cdn/p", "file_name": "page.html"}
    post_webhook(client, account, payloads.viber_message(12, media))
    provider_api.answer(200, HTML, content_type="text/html; charset=utf-8")
    attachment_download(attachment_id=Attachment.objects.get().id)
    attachment = Attachment.objects.get()
    api = APIClient()
    api.force_authenticate(attachment.message.activity.owner.user)
    # when
    response = api.get(f"/api/v1/attachments/{attachment.id}/download/")
    # then
    assert (attachment.transfer, attachment.content_type) == ("done", "text/html")
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"


# What a file is called


def test_a_customers_file_named_with_a_path_downloads_under_its_base_name(client, provider_api):
    # given: a WhatsApp document whose name climbs out of any folder
    account = ChannelAccountFactory()
    document = payloads.whatsapp_document(
        account.provider_account_id, "wamid.DOC", "../../etc/passwd", "text/plain"
    )
    post_webhook(client, account, document)
    provider_api.answer(200, {"url": f"{provider_api.url}/lookaside/65463454", "id": "65463454"})
    provider_api.answer(200, b"root:x:0:0", content_type="text/plain")
    # when
    attachment_download(attachment_id=Attachment.objects.get().id)
    # then
    attachment = Attachment.objects.get()
    assert (attachment.transfer, attachment.filename) == ("done", "passwd")
    assert attachment.file.read() == b"root:x:0:0"


@pytest.mark.parametrize(
    ("sent_name", "stored_name", "downloaded_name"),
    [
        ("..", "", "file-{id}.txt"),
        ("  ", "", "file-{id}.txt"),
        ("in\x07voice\u202e\x00.txt", "invoice.txt", "invoice.txt"),
        ("C:\\Users\\jan\\notes .txt.", "notes .txt", "notes .txt"),
    ],
)
def test_a_customers_file_name_is_cleaned_where_it_enters_and_the_download_completes(
    client, provider_api, sent_name, stored_name, downloaded_name
):
    # given
    account = ChannelAccountFactory(viber=True)
    media = {"type": "file", "media": f"{provider_api.url}/cdn/n", "file_name": sent_name}
    post_webhook(client, account, payloads.viber_message(13, media))
    attachment = Attachment.objects.get()
    provider_api.answer(200, b"call back at 5", content_type="text/plain")
    # when
    attachment_download(attachment_id=attachment.id)
    # then
    entered = attachment.filename
    attachment.refresh_from_db()
    assert entered == stored_name
    assert (attachment.transfer, attachment.filename) == (
        "done",
        downloaded_name.format(id=attachment.id),
    )


def test_an_agents_file_whose_name_has_nothing_readable_is_stored_under_a_plain_name():
    activity = customer()
    notes = SimpleUploadedFile("()", b"call back at 5", content_type="text/plain")
    response = upload(activity, notes)
    assert response.status_code == 201
    [message] = response.json()["messages"]
    assert message["attachments"][0]["filename"] == "file.txt"
