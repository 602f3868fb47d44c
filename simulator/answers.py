"""What the fake provider APIs answer, in the providers' shapes: accepted sends, Graph API errors
(`{"error": {...}}` with an HTTP status) and Viber statuses (HTTP 200 with a non-zero status)."""

from dataclasses import dataclass
from http import HTTPStatus

from messaging.models import Provider
from simulator import ids


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict


# Graph error titles, as Meta words them (CHANNELS.md §1.3, §2.3).
GRAPH_TITLES = {
    2: "Service temporarily unavailable",
    4: "Application request limit reached",
    10: "This message is sent outside of allowed window.",
    100: "Invalid parameter",
    190: "Invalid OAuth access token - Cannot parse access token",
    200: "Permissions error",
    368: "Temporarily blocked for policies violations",
    551: "This person isn't available right now.",
    613: "Calls to this api have exceeded the rate limit.",
    130429: "Rate limit hit",
    131026: "Message undeliverable",
    131047: "Re-engagement message",
    131048: "Spam rate limit hit",
    131050: "User has stopped marketing messages",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    132001: "Template name does not exist in the translation",
}
WHATSAPP_DETAILS = {
    131047: "More than 24 hours have passed since the recipient last replied to the sender number.",
}
WHATSAPP_ERROR_HREF = "/documentation/business-messaging/whatsapp/support/error-codes"
# The HTTP status Meta answers a code with (CHANNELS.md §1.3), and the code for a bare status.
GRAPH_HTTP_STATUS = {0: 401, 190: 401, 10: 403, 200: 403, 4: 429, 80007: 429}
GRAPH_CODE_FOR_STATUS = {401: 190, 403: 200, 429: 4}
VIBER_STATUS_MESSAGES = {
    1: "invalidUrl",
    2: "invalidAuthToken",
    3: "badData",
    4: "missingData",
    5: "receiverNotRegistered",
    6: "receiverNotSubscribed",
    7: "publicAccountBlocked",
    8: "publicAccountNotFound",
    9: "publicAccountSuspended",
    10: "webhookNotSet",
    11: "receiverNoSuitableDevice",
    12: "tooManyRequests",
    13: "apiVersionNotSupported",
    14: "incompatibleWithVersion",
    15: "publicAccountNotAuthorized",
}


def whatsapp_accepted(to: str, wa_id: str, message_id: str, *, template: bool) -> Answer:
    """Template sends also say how Meta took the template (`message_status`)."""
    message = {"id": message_id, "message_status": "accepted"} if template else {"id": message_id}
    return Answer(
        200,
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": wa_id}],
            "messages": [message],
        },
    )


def graph_accepted(recipient_id: str, message_id: str) -> Answer:
    """Messenger's and Instagram's Send API."""
    return Answer(200, {"recipient_id": recipient_id, "message_id": message_id})


def viber_accepted(message_token: int) -> Answer:
    return Answer(
        200,
        {
            "status": 0,
            "status_message": "ok",
            "message_token": message_token,
            "chat_hostname": "SN-CHAT-05_",
            "billing_status": 1,
        },
    )


def graph_error(
    provider: str, code: int | None = None, *, status: int | None = None, message: str = ""
) -> Answer:
    """A Graph API error for a code, a bare HTTP status, or both (each fills in the other);
    `message` replaces the usual "(#code) title"."""
    if code is None:
        code = GRAPH_CODE_FOR_STATUS.get(status, 2 if (status or 400) >= 500 else 100)
    status = status or GRAPH_HTTP_STATUS.get(code, 400)
    title = GRAPH_TITLES.get(code, "An unknown error occurred")
    if not message:
        message = title if code == 190 else f"(#{code}) {title}"
    error: dict = {"message": message, "type": "OAuthException", "code": code}
    if provider == Provider.WHATSAPP:
        details = WHATSAPP_DETAILS.get(code, title)
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    elif code == 10:
        error["error_subcode"] = 2018278
    error["fbtrace_id"] = ids.fbtrace_id()
    return Answer(status, {"error": error})


def viber_error(code: int | None = None, *, status: int | None = None, message: str = "") -> Answer:
    """Viber refuses in HTTP 200 with a status (`message` replaces its usual name); any other
    HTTP status is a failure before its API (a proxy, an outage) and carries no status."""
    if status and status != 200:
        return Answer(status, {"status_message": HTTPStatus(status).phrase})
    code = code if code is not None else 3
    message = message or VIBER_STATUS_MESSAGES.get(code, "generalError")
    return Answer(200, {"status": code, "status_message": message, "chat_hostname": "SN-CHAT-05_"})


def failure_answer(provider: str, code: int | None, status: int | None) -> Answer:
    if provider == Provider.VIBER:
        return viber_error(code, status=status)
    return graph_error(provider, code, status=status)


def whatsapp_status_error(code: int) -> dict:
    """The `errors[]` entry of a `failed` status webhook (CHANNELS.md §1.2)."""
    title = GRAPH_TITLES.get(code, "An unknown error occurred")
    return {
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": WHATSAPP_DETAILS.get(code, title)},
        "href": WHATSAPP_ERROR_HREF,
    }
