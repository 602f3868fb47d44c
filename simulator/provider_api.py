"""The fake provider APIs: what each endpoint does with a call from our connectors.

Every call is recorded (SimulatorCall) with the answer it got. A call is matched to its
ChannelAccount by the id in its path (Meta) or its auth token (Viber), checked as the provider
checks it, may be failed by an injected rule, and once accepted is followed by the provider's
status webhooks.
"""

import hmac
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from messaging.connectors import connector_for
from messaging.models import ChannelAccount, Provider
from simulator import ids
from simulator.answers import (
    Answer,
    graph_accepted,
    graph_error,
    viber_accepted,
    viber_error,
    whatsapp_accepted,
)
from simulator.emission import send_receipts_emit
from simulator.media import lookaside_url, media_store
from simulator.models import FailureMode, SimulatorCall, SimulatorMedia, SimulatorWebhook
from simulator.services import failure_take

GRAPH_SURFACE = "graph"  # graph.facebook.com: WhatsApp and Messenger
INSTAGRAM_SURFACE = "instagram"  # graph.instagram.com
MESSAGING_TYPES = {"RESPONSE", "UPDATE", "MESSAGE_TAG"}
NO_TOKEN = "An active access token must be used to query information about the current user."


@dataclass(frozen=True)
class ApiCall:
    """A call as the view received it: credentials apart, the body parsed (None: not JSON)."""

    method: str
    path: str
    headers: dict
    body: dict | None
    token: str


@dataclass(frozen=True)
class Accepted:
    answer: Answer
    recipient_id: str
    message_id: str


@transaction.atomic(durable=True)
def graph_message_send(*, call: ApiCall, surface: str, node_id: str) -> Answer:
    """`POST /{node}/messages`: a WhatsApp or Messenger send on graph.facebook.com (told apart
    by the account the id names, and by `messaging_product` when both have it), an Instagram
    send on graph.instagram.com. WhatsApp's mark-read call is answered too."""
    body = call.body if call.body is not None else {}
    provider, account = _graph_account(surface, node_id, body)
    refusal = _graph_refusal(provider, account, call, node_id)
    if refusal is None and provider == Provider.WHATSAPP and body.get("status") == "read":
        return _answered(provider, account, call, Answer(200, {"success": True}))
    if refusal is None and (problem := _send_problem(provider, call.body)):
        refusal = graph_error(provider, 100, message=f"(#100) {problem}")
    if refusal:
        return _answered(provider, account, call, refusal)
    return _send(provider, account, call, _graph_accept(provider, body))


@transaction.atomic(durable=True)
def viber_send_message(*, call: ApiCall) -> Answer:
    """`POST /pa/send_message`, authenticated by `X-Viber-Auth-Token`; Viber refuses in HTTP
    200 with a non-zero status."""
    account = _viber_account(call.token) if call.token else None
    if account is None:
        message = "" if call.token else "missing_auth_token"
        return _answered(Provider.VIBER, None, call, viber_error(2, message=message))
    if problem := _send_problem(Provider.VIBER, call.body):
        return _answered(Provider.VIBER, account, call, viber_error(3, message=problem))
    token = ids.viber_token()
    accepted = Accepted(viber_accepted(token), call.body["receiver"], str(token))
    return _send(Provider.VIBER, account, call, accepted)


@transaction.atomic(durable=True)
def whatsapp_media_upload(*, call: ApiCall, node_id: str, upload: UploadedFile | None) -> Answer:
    """`POST /{phone_number_id}/media`, multipart: keeps the file, answers its media id."""
    body = call.body or {}
    provider, account = _graph_account(GRAPH_SURFACE, node_id, {"messaging_product": "whatsapp"})
    refusal = _graph_refusal(provider, account, call, node_id)
    if refusal is None and body.get("messaging_product") != "whatsapp":
        refusal = graph_error(provider, 100, message="(#100) messaging_product is required.")
    if refusal is None and upload is None:
        refusal = graph_error(provider, 100, message="(#100) The parameter file is required.")
    if refusal:
        return _answered(provider, account, call, refusal)
    media = media_store(
        account=account,
        content=upload.read(),
        content_type=body.get("type") or upload.content_type,
        filename=upload.name,
    )
    return _answered(provider, account, call, Answer(200, {"id": media.media_id}))


@transaction.atomic(durable=True)
def whatsapp_media_info(*, call: ApiCall, media_id: str) -> Answer:
    """`GET /{media_id}`: where to download a file (with the same token) and what it is."""
    media = whatsapp_media(media_id)
    account = media.channel_account if media else None
    refusal = _graph_refusal(Provider.WHATSAPP, account, call, media_id, method="get")
    if refusal:
        return _answered(Provider.WHATSAPP, account, call, refusal)
    info = {
        "url": lookaside_url(media),
        "mime_type": media.content_type,
        "sha256": media.sha256,
        "file_size": len(media.content),
        "id": media.media_id,
        "messaging_product": "whatsapp",
    }
    return _answered(Provider.WHATSAPP, account, call, Answer(200, info))


@transaction.atomic(durable=True)
def graph_profile(*, call: ApiCall, surface: str, user_id: str, fields: str) -> Answer:
    """`GET /{PSID}?fields=…` on graph.facebook.com (Messenger) or `/{IGSID}?fields=…` on
    graph.instagram.com: the customer's profile, named as they last typed it, to the token of
    the account they wrote to."""
    provider = Provider.INSTAGRAM if surface == INSTAGRAM_SURFACE else Provider.MESSENGER
    written = (
        SimulatorWebhook.objects.select_related("channel_account")
        .filter(provider=provider, customer_id=user_id)
        .exclude(customer_name="")
        .last()
    )
    account = written.channel_account if written else None
    refusal = _graph_refusal(provider, account, call, user_id, method="get")
    if refusal:
        return _answered(provider, account, call, refusal)
    profile = _profile(provider, user_id, written.customer_name)
    wanted = {"id", *fields.split(",")}
    return _answered(
        provider, account, call, Answer(200, {k: v for k, v in profile.items() if k in wanted})
    )


def _profile(provider: str, user_id: str, name: str) -> dict:
    """Messenger splits the name; Instagram has one, and a username."""
    if provider == Provider.INSTAGRAM:
        username = "".join(c for c in name.lower() if c.isalnum() or c in "._") or user_id
        return {"id": user_id, "name": name, "username": username, "profile_pic": ""}
    first, _, last = name.partition(" ")
    return {"id": user_id, "first_name": first, "last_name": last, "profile_pic": ""}


def whatsapp_media(media_id: str) -> SimulatorMedia | None:
    """A file of a WhatsApp account: only those have Graph media ids."""
    return (
        SimulatorMedia.objects.select_related("channel_account")
        .filter(media_id=media_id, channel_account__provider=Provider.WHATSAPP)
        .first()
    )


def _viber_account(token: str) -> ChannelAccount | None:
    """The bot whose token this is. Tokens are stored encrypted, so the database cannot look
    one up: the simulator's few bots are compared here, in constant time as Viber would."""
    for bot in ChannelAccount.objects.filter(provider=Provider.VIBER).order_by("pk"):
        if hmac.compare_digest(bot.viber_auth_token.encode(), token.encode()):
            return bot
    return None


def _graph_account(surface: str, node_id: str, body: dict) -> tuple[str, ChannelAccount | None]:
    if surface == INSTAGRAM_SURFACE:
        providers = [Provider.INSTAGRAM]
    elif body.get("messaging_product") == "whatsapp":
        providers = [Provider.WHATSAPP, Provider.MESSENGER]
    else:
        providers = [Provider.MESSENGER, Provider.WHATSAPP]
    accounts = {
        account.provider: account
        for account in ChannelAccount.objects.filter(
            provider__in=providers, provider_account_id=node_id
        )
    }
    provider = next((p for p in providers if p in accounts), providers[0])
    return provider, accounts.get(provider)


def _graph_refusal(
    provider: str, account: ChannelAccount | None, call: ApiCall, node_id: str, method="post"
) -> Answer | None:
    """Meta's answers to a call it will not look at: no token, no such object, wrong token."""
    if not call.token:
        return graph_error(provider, 2500, status=400, message=NO_TOKEN)
    if account is None:
        refusal = graph_error(
            provider,
            100,
            message=f"Unsupported {method} request. Object with ID '{node_id}' does not exist, "
            "cannot be loaded due to missing permissions, or does not support this operation.",
        )
        refusal.body["error"]["error_subcode"] = 33
        return refusal
    if call.token != account.access_token:
        return graph_error(provider, 190)
    return None


def _send_problem(provider: str, body: dict | None) -> str:
    """What the provider would refuse in a send's body, or ""."""
    if body is None:
        return "The request body is not valid JSON."
    if provider == Provider.WHATSAPP:
        return _whatsapp_problem(body)
    if provider == Provider.VIBER:
        return _viber_problem(body)
    return _messaging_problem(provider, body)


def _whatsapp_problem(body: dict) -> str:
    kind = body.get("type", "text")
    if body.get("messaging_product") != "whatsapp":
        return "The parameter messaging_product is required."
    if not body.get("to"):
        return "The parameter to is required."
    if not isinstance(body.get(kind), dict):
        return f"The parameter {kind} is required."
    if kind == "text" and not 0 < len(body["text"].get("body", "")) <= 4096:
        return "Param text['body'] must be 1 to 4096 characters."
    return ""


def _messaging_problem(provider: str, body: dict) -> str:
    message = body.get("message") or {}
    limit = connector_for(provider).text_limit
    if not (body.get("recipient") or {}).get("id"):
        return "param recipient must be non-empty."
    if body.get("messaging_type") not in MESSAGING_TYPES:
        return "param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}."
    if body["messaging_type"] == "MESSAGE_TAG" and not body.get("tag"):
        return "param tag must be non-empty for messaging_type MESSAGE_TAG."
    if "text" not in message and "attachment" not in message:
        return "param message must have text or an attachment."
    if len(message.get("text", "")) > limit:
        return f"Length of param message[text] must be less than or equal to {limit}"
    return ""


def _viber_problem(body: dict) -> str:
    if not body.get("receiver") or not body.get("type"):
        return "receiver and type are required"
    if not (body.get("sender") or {}).get("name") or len(body["sender"]["name"]) > 28:
        return "sender name must be 1 to 28 characters"
    if len(body.get("text") or "") > 7000:
        return "text must be at most 7000 characters"
    return ""


def _graph_accept(provider: str, body: dict) -> Accepted:
    if provider == Provider.WHATSAPP:
        to = body["to"]
        wa_id = "".join(filter(str.isdigit, to))
        message_id = ids.wamid()
        answer = whatsapp_accepted(to, wa_id, message_id, template=body.get("type") == "template")
        return Accepted(answer, wa_id, message_id)
    recipient_id = body["recipient"]["id"]
    message_id = ids.meta_mid()
    return Accepted(graph_accepted(recipient_id, message_id), recipient_id, message_id)


def _send(provider: str, account: ChannelAccount, call: ApiCall, accepted: Accepted) -> Answer:
    """A valid send: failed by the next injected rule if one applies, else accepted and
    followed by the provider's status webhooks."""
    failure = failure_take(provider=provider, account=account)
    if failure is not None and failure.mode == FailureMode.ANSWER:
        answer = Answer(failure.http_status, failure.body)
        return _answered(provider, account, call, answer, recipient_id=accepted.recipient_id)
    recorded = _record(
        provider,
        account,
        call,
        accepted.answer,
        recipient_id=accepted.recipient_id,
        provider_message_id=accepted.message_id,
    )
    late = failure.body if failure is not None else None
    send_receipts_emit(account=account, call=recorded, failure=late)
    return accepted.answer


def _record(
    provider: str,
    account: ChannelAccount | None,
    call: ApiCall,
    answer: Answer,
    *,
    recipient_id: str = "",
    provider_message_id: str = "",
) -> SimulatorCall:
    return SimulatorCall.objects.create(
        provider=provider,
        channel_account=account,
        method=call.method,
        path=call.path,
        headers=call.headers,
        body=call.body if call.body is not None else {},
        status_code=answer.status,
        response=answer.body,
        recipient_id=recipient_id,
        provider_message_id=provider_message_id,
    )


def _answered(
    provider: str, account: ChannelAccount | None, call: ApiCall, answer: Answer, **fields
) -> Answer:
    _record(provider, account, call, answer, **fields)
    return answer
