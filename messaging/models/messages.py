from django.conf import settings
from django.db import models
from django.db.models import Q

from contactcenter.models import Activity, Agent
from contactcenter.models.base import BaseModel, feed_position_field
from messaging.models.accounts import ChannelAccount
from messaging.models.identities import ExternalIdentity


class Direction(models.TextChoices):
    IN = "in", "From the customer"
    OUT = "out", "To the customer"
    SYSTEM = "system", "System notice to the customer"


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    READ = "read", "Read"
    FAILED = "failed", "Failed"


class Message(BaseModel):
    """One message of an activity. Customers never learn who wrote ours: an agent (`author`), or
    an integration account through the API (`author_user`), which agents see named as one."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="messages")
    channel_account = models.ForeignKey(
        ChannelAccount, on_delete=models.PROTECT, related_name="messages"
    )
    identity = models.ForeignKey(
        ExternalIdentity, on_delete=models.PROTECT, related_name="messages"
    )
    direction = models.CharField(max_length=10, choices=Direction)
    author = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The integration account that wrote an outbound message through the API.",
    )
    text = models.TextField(blank=True)
    template = models.ForeignKey(
        "messaging.Template", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template_parameters = models.JSONField(default=list, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus)
    error_code = models.CharField(max_length=32, blank=True)
    error_reason = models.TextField(blank=True)
    tag = models.CharField(
        max_length=32, blank=True, help_text="The Meta message tag the send used (HUMAN_AGENT)."
    )
    provider_timestamp = models.DateTimeField(
        null=True, blank=True, help_text="When the provider says the customer sent it."
    )
    send_attempts = models.PositiveSmallIntegerField(default=0)
    send_claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="A sender is on it until then (no second send)."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    txid = feed_position_field()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["activity", "created_at"], name="message_history"),
            models.Index(fields=["txid", "id"], name="message_feed"),
            # The sweep of messages whose sending task was lost.
            models.Index(
                fields=["updated_at"], condition=Q(status="queued"), name="message_queued"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel_account", "provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="message_provider_id_once_per_account",
            ),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="message_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="message_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(direction="in", status="received")
                | (~Q(direction="in") & ~Q(status="received")),
                name="message_received_iff_inbound",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.text[:40]}"


class DeliveryReceipt(BaseModel):
    """A status the provider reported for one of our messages, kept even when it arrives before
    the send call has returned the message's id; applied once the id is known."""

    channel_account = models.ForeignKey(
        ChannelAccount, on_delete=models.CASCADE, related_name="receipts"
    )
    provider_message_id = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=DeliveryStatus)
    occurred_at = models.DateTimeField()
    error_code = models.CharField(max_length=32, blank=True)
    error_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            # A provider reports a status again and again (retries, replays): kept once.
            models.UniqueConstraint(
                fields=["channel_account", "provider_message_id", "status"], name="receipt_once"
            )
        ]
