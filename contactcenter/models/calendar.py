from django.db import models
from django.db.models import F, Q

from contactcenter.models.agents import Agent
from contactcenter.models.base import BaseModel


class CalendarEvent(BaseModel):
    """An agent's scheduled event, shown in the calendar widget and module."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="calendar_events")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["agent", "starts_at"], name="calendarevent_agent_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")),
                name="calendarevent_ends_after_start",
                violation_error_message="An event cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return self.title
