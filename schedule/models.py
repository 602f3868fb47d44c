"""The calendar: events (an agent's own, or shared with a queue's members), follow-ups of a chat
(an event with the activity and contact it follows up, and a reminder at its time), and each
agent's calendar settings (time zone, private feed)."""

from django.db import models
from django.db.models import F, Q

from contactcenter.models import Activity, Agent, Queue
from contactcenter.models.base import BaseModel


class CalendarEvent(BaseModel):
    """An event in time, stored in UTC. Private to its agent without a queue; with one, every
    member of the queue sees it (and may change it). A queue's event made by a supervisor has
    no agent."""

    agent = models.ForeignKey(
        Agent,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_events",
        help_text="Whose event it is. Empty: the queue's, made by a supervisor.",
    )
    queue = models.ForeignKey(
        Queue,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_events",
        help_text="Shared with this queue's members. Empty: private to its agent.",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    activity = models.ForeignKey(
        Activity,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calendar_events",
        help_text="The chat this event follows up.",
    )
    contact = models.ForeignKey(
        "crm.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calendar_events",
        help_text="The customer this event follows up.",
    )
    remind = models.BooleanField(
        default=False, help_text="The agent gets a reminder when it starts (follow-ups)."
    )
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        # Moved from the core (contactcenter) with its rows: the table keeps its name.
        db_table = "contactcenter_calendarevent"
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["agent", "starts_at"], name="calendarevent_agent_day"),
            models.Index(fields=["queue", "starts_at"], name="calendarevent_queue_day"),
            # The reminders' sweep reads only the reminders still to send.
            models.Index(
                fields=["starts_at"],
                condition=Q(remind=True, reminded_at__isnull=True),
                name="calendarevent_reminder_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")),
                name="calendarevent_ends_after_start",
                violation_error_message="An event cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(agent__isnull=False) | Q(queue__isnull=False),
                name="calendarevent_agent_or_queue",
                violation_error_message="An event belongs to an agent or a queue.",
            ),
            models.CheckConstraint(
                condition=Q(remind=False) | Q(agent__isnull=False),
                name="calendarevent_reminder_has_agent",
                violation_error_message="Only an agent's event can remind them.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CalendarSettings(BaseModel):
    """An agent's calendar settings: the time zone times are shown in, and the private
    iCalendar feed's secret (only its SHA-256 is kept)."""

    agent = models.OneToOneField(
        Agent, primary_key=True, on_delete=models.CASCADE, related_name="calendar_settings"
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="An IANA time zone, e.g. Europe/Prague. Empty: the server's (TIME_ZONE).",
    )
    feed_token_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "calendar settings"
        verbose_name_plural = "calendar settings"
        constraints = [
            models.UniqueConstraint(
                fields=["feed_token_hash"],
                condition=~Q(feed_token_hash=""),
                name="calendarsettings_unique_feed_token",
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar settings of {self.agent}"
