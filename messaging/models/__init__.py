from messaging.models.accounts import ChannelAccount, Provider
from messaging.models.attachments import Attachment, AttachmentKind, TransferState
from messaging.models.identities import ExternalIdentity, ViberSubscription
from messaging.models.messages import DeliveryReceipt, DeliveryStatus, Direction, Message
from messaging.models.templates import Template
from messaging.models.webhooks import Outcome, Verdict, WebhookEvent

__all__ = [
    "Attachment",
    "AttachmentKind",
    "ChannelAccount",
    "DeliveryReceipt",
    "DeliveryStatus",
    "Direction",
    "ExternalIdentity",
    "Message",
    "Outcome",
    "Provider",
    "Template",
    "TransferState",
    "Verdict",
    "ViberSubscription",
    "WebhookEvent",
]
