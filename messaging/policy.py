"""The reply window: what may be sent to a customer now, and why not.

Each channel's connector knows its rule; the send service enforces it, and pages and the API
show it before the agent types.
"""

from datetime import datetime

from messaging.connectors import connector_for
from messaging.connectors.base import ReplyWindow
from messaging.models import ExternalIdentity


def reply_window(identity: ExternalIdentity, now: datetime) -> ReplyWindow:
    return connector_for(identity.channel_account.provider).reply_window(identity, now)
