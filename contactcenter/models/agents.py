from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from contactcenter.models.base import BaseModel
from contactcenter.models.queues import Queue


class Agent(BaseModel):
    """A user who answers customers. Supervisors are staff users; they need no Agent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent"
    )
    display_name = models.CharField(max_length=120)
    max_open_chats = models.PositiveSmallIntegerField(
        default=3, help_text="How many activities the agent handles at once."
    )
    is_online = models.BooleanField(default=False, help_text="A workspace page is connected.")
    presence_changed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the agent last came online or went offline."
    )
    last_offered_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the agent was last sent a notification: routing rings the agent idle "
        "longest first.",
    )
    queues = models.ManyToManyField(Queue, through="QueueMembership", related_name="agents")

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_open_chats__gte=1), name="agent_max_open_chats_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class QueueMembership(BaseModel):
    """An agent's place in a queue, and whether they are logged into it right now."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="memberships")
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="memberships")
    logged_in = models.BooleanField(default=True)

    class Meta:
        ordering = ["queue__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "queue"], name="membership_unique_agent_queue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} in {self.queue}"


class PauseReason(BaseModel):
    """Why an agent is paused. Exactly one, unpaid, is the system's missed-notification reason."""

    name = models.CharField(max_length=120, unique=True)
    paid = models.BooleanField(default=True)
    is_missed_offer = models.BooleanField(
        default=False,
        help_text="Used automatically when an agent lets a notification run out.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_missed_offer"],
                condition=Q(is_missed_offer=True),
                name="pausereason_one_missed_offer_reason",
                violation_error_message="There is already a missed-notification reason.",
            ),
            models.CheckConstraint(
                condition=Q(is_missed_offer=False) | Q(paid=False),
                name="pausereason_missed_offer_unpaid",
                violation_error_message="The missed-notification pause is unpaid.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PauseCause(models.TextChoices):
    MANUAL = "manual", "Started by the agent"
    MISSED_OFFER = "missed_offer", "Missed a notification"


class Pause(BaseModel):
    """A stretch of time an agent receives no notifications; open while `ended_at` is empty."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="pauses")
    reason = models.ForeignKey(PauseReason, on_delete=models.PROTECT, related_name="pauses")
    cause = models.CharField(max_length=20, choices=PauseCause, default=PauseCause.MANUAL)
    offer = models.ForeignKey(
        "contactcenter.Offer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pauses",
        help_text="The notification that was missed.",
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent"],
                condition=Q(ended_at__isnull=True),
                name="pause_one_open_per_agent",
                violation_error_message="The agent is already paused.",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="pause_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(cause__in=PauseCause.values), name="pause_cause_valid"
            ),
            models.CheckConstraint(
                condition=Q(cause="missed_offer", offer__isnull=False)
                | (~Q(cause="missed_offer") & Q(offer__isnull=True)),
                name="pause_missed_offer_names_offer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent}: {self.reason}"
