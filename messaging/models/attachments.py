from django.db import models
from django.db.models import Q

from contactcenter.models.base import BaseModel
from messaging.models.messages import Message


class AttachmentKind(models.TextChoices):
    IMAGE = "image", "Image"
    AUDIO = "audio", "Audio"
    VIDEO = "video", "Video"
    FILE = "file", "File"
    STICKER = "sticker", "Sticker"


class TransferState(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Attachment(BaseModel):
    """A file of a message: downloaded from the provider (inbound) or uploaded by an agent."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=10, choices=AttachmentKind)
    file = models.FileField(upload_to="attachments/%Y/%m/", blank=True)
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    caption = models.TextField(blank=True)
    provider_media_id = models.CharField(
        max_length=255, blank=True, help_text="WhatsApp's media id (inbound or uploaded)."
    )
    source_url = models.URLField(
        max_length=2000, blank=True, help_text="Where the provider has it."
    )
    transfer = models.CharField(max_length=10, choices=TransferState, default=TransferState.PENDING)
    transfer_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AttachmentKind.values), name="attachment_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.filename or self.get_kind_display()
