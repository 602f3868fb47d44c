"""The providers' webhooks: /webhooks/<provider>/<channel account key>/."""

import hmac

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    JsonResponse,
)
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from messaging.connectors import connector_for
from messaging.models import META_PROVIDERS, ChannelAccount, Provider
from messaging.selectors import webhook_account
from messaging.services.media import attachment_from_signed_token
from messaging.services.webhooks import webhook_delivery_receive


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest, provider: str, key: str) -> HttpResponse:
    account = webhook_account(provider=provider, key=key)
    if account is None:
        raise Http404("no such webhook")
    if request.method == "GET":
        return _handshake(request, account)
    return _delivery(request, account)


def _handshake(request: HttpRequest, account: ChannelAccount) -> HttpResponse:
    """Meta's subscription check: echo the challenge verbatim for the right verify token."""
    params = request.GET
    token_ok = hmac.compare_digest(
        params.get("hub.verify_token", "").encode(), account.verify_token.encode()
    )
    if account.provider in META_PROVIDERS and params.get("hub.mode") == "subscribe" and token_ok:
        return HttpResponse(params.get("hub.challenge", ""), content_type="text/plain")
    return HttpResponseForbidden("verification failed", content_type="text/plain")


def _delivery(request: HttpRequest, account: ChannelAccount) -> HttpResponse:
    """Verify the raw body's signature, keep the delivery, answer at once.

    A bad signature keeps only a rejected WebhookEvent (403). A verified delivery is kept and
    its processing queued before the 200, so the provider never waits on our work and a
    delivery we acknowledged is never lost.
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
    if account.provider == Provider.VIBER:
        return JsonResponse({"status": 0})
    return HttpResponse("EVENT_RECEIVED", content_type="text/plain")


@require_http_methods(["GET", "HEAD"])
def attachment_signed(request: HttpRequest, token: str) -> FileResponse:
    """An outbound file, for the provider that fetches it by the signed link we sent."""
    attachment = attachment_from_signed_token(token)
    if attachment is None:
        raise Http404("no such file")
    return FileResponse(
        attachment.file.open("rb"),
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
