from uuid import uuid4

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxEvent(models.Model):
    """A change reported to integrators' outgoing webhooks, written in the transaction of the
    change itself: a crash cannot lose it, and a rolled-back change never sends one. Fanned out
    to the subscribed endpoints by the integrations app once written (`dispatched_at`)."""

    uid = models.UUIDField(
        default=uuid4, unique=True, editable=False, help_text="Sent as the webhook-id."
    )
    type = models.CharField(max_length=64, db_index=True)
    data = models.JSONField(encoder=DjangoJSONEncoder)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"], condition=Q(dispatched_at__isnull=True), name="outbox_undispatched"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.uid.hex}"
