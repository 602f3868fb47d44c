from django.db import models
from django.db.models import Q

from contactcenter.models.base import BaseModel
from messaging.models.accounts import ChannelAccount, Provider


class Verdict(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected (bad signature)"


class Outcome(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSED = "processed", "Processed"
    FAILED = "failed", "Failed (kept with the error)"


class WebhookEvent(BaseModel):
    """Every raw delivery to a webhook, kept for audit and replay."""

    provider = models.CharField(max_length=20, choices=Provider)
    channel_account = models.ForeignKey(
        ChannelAccount, null=True, on_delete=models.SET_NULL, related_name="webhook_events"
    )
    headers = models.JSONField(default=dict)
    body = models.TextField()
    verdict = models.CharField(max_length=10, choices=Verdict)
    outcome = models.CharField(max_length=10, choices=Outcome, default=Outcome.PENDING)
    result = models.JSONField(default=dict, blank=True, help_text="What processing did.")
    error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(outcome="pending"),
                name="webhookevent_pending",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=Verdict.values), name="webhookevent_verdict_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.verdict} {self.created_at:%Y-%m-%d %H:%M:%S}"
