"""Video rooms: an agent opens one from an activity, the customer joins it from the public
conference page with its number, and both talk over WebRTC (the server only relays the
signaling, cobrowse/consumers.py)."""

from django.db import models
from django.db.models import Q

from contactcenter.models import Activity, Agent
from contactcenter.models.base import BaseModel

NUMBER_DIGITS = 10


class Room(BaseModel):
    """One video room of an activity. Its number is the only thing a customer needs to get in,
    so it is random (`secrets`), never a sequence; ending it is final."""

    number = models.CharField(
        max_length=NUMBER_DIGITS, unique=True, editable=False, help_text="What the customer types."
    )
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="rooms")
    created_by = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="rooms")
    opened_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    allow_more_customers = models.BooleanField(
        default=False, help_text="Let a second customer (another device, a colleague) in."
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("opened_at")),
                name="room_ends_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"Room {self.number}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class Role(models.TextChoices):
    AGENT = "agent", "Agent"
    CUSTOMER = "customer", "Customer"


class Participant(BaseModel):
    """One connection to a room, from joining to leaving: an agent (the room's or an invited
    colleague) or a customer, who has no account and is known by a label."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(max_length=10, choices=Role)
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    label = models.CharField(max_length=100, help_text="The name the others see.")
    peer = models.CharField(
        max_length=32, editable=False, help_text="The connection's id in the signaling."
    )
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        indexes = [models.Index(fields=["room", "left_at"], name="cobrowse_participant_present")]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="customer") | Q(agent__isnull=False),
                name="cobrowse_agent_participant_has_agent",
            ),
            models.UniqueConstraint(fields=["peer"], name="cobrowse_participant_peer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.label} in {self.room}"
