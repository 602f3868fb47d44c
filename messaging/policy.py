"""The reply-window policy, in one place: what may be sent to a customer now, and why not.

The send service enforces it; pages and the API show it before the agent types.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from messaging.models import ExternalIdentity, Provider, ViberSubscription

SERVICE_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
HUMAN_AGENT = "HUMAN_AGENT"


@dataclass(frozen=True)
class ReplyWindow:
    free_text: bool  # text and files may be sent
    template_required: bool  # WhatsApp: only an approved template may be sent
    tag: str  # the Meta message tag a send needs ("" or HUMAN_AGENT)
    refusal: str  # why nothing may be sent ("" when something may)
    closes_at: datetime | None  # when the current allowance ends


def reply_window(identity: ExternalIdentity, now: datetime) -> ReplyWindow:
    provider = identity.channel_account.provider
    last = identity.last_inbound_at
    if provider == Provider.VIBER:
        return _viber(identity)
    if provider == Provider.WHATSAPP:
        if last and now - last < SERVICE_WINDOW:
            return ReplyWindow(True, False, "", "", last + SERVICE_WINDOW)
        return ReplyWindow(False, True, "", "", None)
    if last and now - last < SERVICE_WINDOW:
        return ReplyWindow(True, False, "", "", last + SERVICE_WINDOW)
    if last and now - last < HUMAN_AGENT_WINDOW:
        return ReplyWindow(True, False, HUMAN_AGENT, "", last + HUMAN_AGENT_WINDOW)
    return ReplyWindow(
        False, False, "", "More than 7 days have passed since the customer last wrote: "
        "they must write to us first.", None,
    )  # fmt: skip


def _viber(identity: ExternalIdentity) -> ReplyWindow:
    if identity.viber_subscription == ViberSubscription.SUBSCRIBED:
        return ReplyWindow(True, False, "", "", None)
    if identity.viber_subscription == ViberSubscription.UNSUBSCRIBED:
        reason = "The customer unsubscribed from this Viber bot: they must write to us first."
    else:
        reason = "The customer has not subscribed to this Viber bot yet."
    return ReplyWindow(False, False, "", reason, None)
