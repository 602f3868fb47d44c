from django.db import models
from django.db.models import Q

from contactcenter.models import Queue
from contactcenter.models.base import BaseModel


class Template(BaseModel):
    """A canned text with placeholders such as {contact.first_name}, or a WhatsApp template
    approved by Meta (sent by name and language with positional parameters)."""

    name = models.CharField(max_length=120)
    text = models.TextField(help_text="The text, with placeholders such as {contact.first_name}.")
    queues = models.ManyToManyField(
        Queue, blank=True, related_name="templates", help_text="Empty: every queue."
    )
    whatsapp_name = models.CharField(
        max_length=512, blank=True, help_text="The approved template's name (WhatsApp only)."
    )
    whatsapp_language = models.CharField(max_length=15, blank=True, help_text="e.g. en_US")
    whatsapp_parameters = models.JSONField(
        default=list, blank=True, help_text="Names of the body's parameters, in order."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(whatsapp_name="") | ~Q(whatsapp_language=""),
                name="template_whatsapp_needs_language",
                violation_error_message="A WhatsApp template needs its language.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_whatsapp(self) -> bool:
        return bool(self.whatsapp_name)
