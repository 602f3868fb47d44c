"""The providers' webhooks: /webhooks/<provider>/<channel account key>/."""

import logging

from django.db import OperationalError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from messaging.connectors import connector_for
from messaging.files import file_response
from messaging.models import ChannelAccount
from messaging.selectors import webhook_account
from messaging.services.media import attachment_from_signed_token
from messaging.services.webhooks import webhook_delivery_receive

logger = logging.getLogger(__name__)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest, provider: str, key: str) -> HttpResponse:
    """A provider's call. Without the database nothing can be checked or kept: 503, which the
    providers retry later (a 200 would lose the delivery)."""
    try:
        return _webhook(request, provider, key)
    except OperationalError as exc:
        logger.error("Webhook %s: the database is unreachable: %s", provider, exc)
        return HttpResponse("database unavailable", status=503, content_type="text/plain")


def _webhook(request: HttpRequest, provider: str, key: str) -> HttpResponse:
    account = webhook_account(provider=provider, key=key)
    if account is None:
        raise Http404("no such webhook")
    if request.method == "GET":
        return _handshake(request, account)
    return _delivery(request, account)


def _handshake(request: HttpRequest, account: ChannelAccount) -> HttpResponse:
    """The provider's subscription check (Meta's): echo its challenge, or refuse."""
    challenge = connector_for(account.provider).handshake(account, request.GET)
    if challenge is None:
        return HttpResponseForbidden("verification failed", content_type="text/plain")
    return HttpResponse(challenge, content_type="text/plain")


def _delivery(request: HttpRequest, account: ChannelAccount) -> HttpResponse:
    """Verify the raw body's signature, keep the delivery, answer at once.

    A bad signature is answered 403, and at most a part of it is kept, as a rejected
    WebhookEvent (see `webhook_delivery_receive`). A verified delivery is kept and its
    processing queued before the 200, so the provider never waits on our work and a delivery
    we acknowledged is never lost.
    """
    connector = connector_for(account.provider)
    body = request.body
    signature = request.headers.get(connector.signature_header, "")
    verified = bool(signature) and connector.verify(account, body, signature)
    webhook_delivery_receive(
        account=account, headers=dict(request.headers), body=body, verified=verified
    )
    if not verified:
        return HttpResponseForbidden("invalid signature", content_type="text/plain")
    answer = connector.acknowledgement
    return HttpResponse(answer.body, content_type=answer.content_type)


@require_http_methods(["GET", "HEAD"])
def attachment_signed(request: HttpRequest, token: str) -> FileResponse:
    """An outbound file, for the provider that fetches it by the signed link we sent. Anyone
    with the link may open it in a browser too: only safe media show in place."""
    attachment = attachment_from_signed_token(token)
    if attachment is None:
        raise Http404("no such file")
    return file_response(attachment, download=False)
