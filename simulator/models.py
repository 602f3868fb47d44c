"""The provider simulator's state (development and tests only): what the fake provider APIs
were asked, the webhooks the simulator delivered to us, the files it holds, and the failures it
was told to inject. Kept in the database so that daphne (serving the fake APIs) and the Celery
worker (sending to them) share it."""

from django.db import models
from django.db.models import Q

from contactcenter.models.base import BaseModel
from messaging.models import ChannelAccount, Provider


class SimulatedEvent(models.TextChoices):
    MESSAGE = "message", "Customer message"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    READ = "read", "Read"
    FAILED = "failed", "Failed"


class FailureMode(models.TextChoices):
    ANSWER = "answer", "Answer the send with an error"
    LATE = "late", "Accept the send, then report it failed by webhook (WhatsApp)"


class SimulatorMedia(BaseModel):
    """A file the simulator serves: a picture a simulated customer attached, or one our
    WhatsApp connector uploaded to the fake media endpoint."""

    media_id = models.CharField(max_length=64, unique=True)
    channel_account = models.ForeignKey(
        ChannelAccount, on_delete=models.CASCADE, related_name="simulator_media"
    )
    content = models.BinaryField()
    content_type = models.CharField(max_length=100)
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "simulator media"

    def __str__(self) -> str:
        return self.filename or self.media_id


class SimulatorCall(BaseModel):
    """One call our code made to a fake provider API, with the answer it got."""

    provider = models.CharField(max_length=20, choices=Provider)
    channel_account = models.ForeignKey(
        ChannelAccount,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="simulator_calls",
        help_text="None when the call named no account we know.",
    )
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    headers = models.JSONField(default=dict, help_text="Without credentials.")
    body = models.JSONField(default=dict, blank=True)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict, blank=True)
    recipient_id = models.CharField(max_length=128, blank=True)
    provider_message_id = models.CharField(
        max_length=255, blank=True, help_text="The id an accepted send was given."
    )
    read_at = models.DateTimeField(
        null=True, blank=True, help_text="When the simulated customer saw this message."
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["channel_account", "recipient_id"], name="simcall_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status_code}"


class SimulatorWebhook(BaseModel):
    """One webhook delivery the simulator makes to our endpoint: the exact bytes it signs and
    posts, and what our endpoint answered."""

    provider = models.CharField(max_length=20, choices=Provider)
    channel_account = models.ForeignKey(
        ChannelAccount, on_delete=models.CASCADE, related_name="simulator_webhooks"
    )
    event = models.CharField(max_length=10, choices=SimulatedEvent)
    customer_id = models.CharField(max_length=128)
    provider_message_id = models.CharField(
        max_length=255, help_text="The customer's message, or ours the status is about."
    )
    text = models.TextField(blank=True, help_text="What the customer typed.")
    customer_name = models.CharField(
        max_length=200, blank=True, help_text="The name the customer typed: their profile's."
    )
    media = models.ForeignKey(
        SimulatorMedia, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(help_text="The JSON exactly as posted and signed.")
    answer_status = models.PositiveSmallIntegerField(null=True, blank=True)
    answer_body = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the last attempt got no answer.")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["channel_account", "customer_id"], name="simwebhook_customer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(event__in=SimulatedEvent.values),
                name="simulatorwebhook_event_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event} → {self.answer_status or 'pending'}"


class SimulatorFailure(BaseModel):
    """A failure the simulator was told to inject into the next `remaining` sends."""

    provider = models.CharField(max_length=20, choices=Provider)
    channel_account = models.ForeignKey(
        ChannelAccount,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="simulator_failures",
        help_text="None: any account of the provider.",
    )
    mode = models.CharField(max_length=10, choices=FailureMode, default=FailureMode.ANSWER)
    remaining = models.PositiveIntegerField()
    http_status = models.PositiveSmallIntegerField(help_text="The answer's HTTP status.")
    body = models.JSONField(
        help_text="The answer's body; for a late failure, the status webhook's error object."
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode=FailureMode.ANSWER)
                | Q(mode=FailureMode.LATE, provider=Provider.WHATSAPP),
                name="simulatorfailure_late_is_whatsapp",
                violation_error_message="Only WhatsApp reports failures after accepting a send.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.mode}, {self.remaining} left"
