"""Tickets: a customer's case across chats, with its stage, priority and the SLA deadlines of
the account it concerns."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from contactcenter.models.base import BaseModel


class Category(BaseModel):
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    OPEN = "open", "Open"
    WAITING = "waiting", "Waiting"
    CLOSED = "closed", "Closed"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class Ticket(BaseModel):
    """A case. Its number is its id; its deadlines come from its account's SLA, counted from
    when it was opened."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    stage = models.CharField(max_length=10, choices=Stage, default=Stage.OPEN)
    priority = models.CharField(max_length=10, choices=Priority, default=Priority.NORMAL)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    contact = models.ForeignKey(
        "crm.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    account = models.ForeignKey(
        "crm.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_tickets",
    )
    first_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    favourite_of = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="favourite_tickets"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["stage", "created_at"], name="ticket_stage"),
            models.Index(fields=["owner", "stage"], name="ticket_owner_stage"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="ticket_stage_valid"),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="ticket_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(stage="closed", closed_at__isnull=False)
                | (~Q(stage="closed") & Q(closed_at__isnull=True)),
                name="ticket_closed_at_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def number(self) -> str:
        return f"#{self.pk}"
