from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from contactcenter.models.base import BaseModel


class Status(BaseModel):
    """A disposition an agent picks before closing an activity ("Resolved", "Spam", ...)."""

    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "statuses"

    def __str__(self) -> str:
        return self.name


class RoutingStrategy(models.TextChoices):
    LONGEST_IDLE = "longest_idle", "Longest idle agent first"
    LEAST_BUSY = "least_busy", "Agent with the fewest open chats first"


class ReminderMode(models.TextChoices):
    OFF = "off", "Off"
    AFTER_FIRST_MESSAGE = (
        "after_first_message",
        "After a delay from the first unanswered message",
    )
    EVERY_MESSAGE = "every_message", "On every customer message"


class Queue(BaseModel):
    """Where activities wait to be offered to the agents logged into it."""

    number = models.PositiveIntegerField(unique=True, help_text="Shown to agents.")
    name = models.CharField(max_length=120)
    routing_strategy = models.CharField(
        max_length=20, choices=RoutingStrategy, default=RoutingStrategy.LONGEST_IDLE
    )
    accept_timeout = models.PositiveIntegerField(
        default=30, help_text="Seconds an agent has to accept or reject a notification."
    )
    unpaid_pause_on_timeout = models.BooleanField(
        default=True,
        help_text="An agent who lets a notification run out goes on the unpaid "
        "missed-notification pause.",
    )
    reminder_mode = models.CharField(max_length=20, choices=ReminderMode, default=ReminderMode.OFF)
    reminder_delay = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Seconds after the customer's first unanswered message "
        "(for the delayed reminder mode).",
    )
    admin_url_template = models.CharField(
        max_length=500,
        blank=True,
        help_text="The notification's white button and the widget's URL button, "
        "with placeholders such as {activity.id} and {contact.phone}.",
    )
    joined_text = models.CharField(
        max_length=500,
        default="Another agent has joined the conversation.",
        help_text="Sent to the customer when an invited agent joins. Never names the agent.",
    )
    left_text = models.CharField(
        max_length=500,
        default="An agent has left the conversation.",
        help_text="Sent to the customer when an agent leaves a shared conversation.",
    )
    service_level_seconds = models.PositiveIntegerField(
        default=60,
        help_text="Service level: an activity accepted within this many seconds of arriving "
        "counts as answered in time.",
    )
    service_level_target = models.PositiveSmallIntegerField(
        default=80,
        validators=[MaxValueValidator(100)],
        help_text="The share of activities (%) to answer in time; reports mark a queue below it.",
    )
    service_level_alert = models.PositiveSmallIntegerField(
        default=60,
        validators=[MaxValueValidator(100)],
        help_text="The live monitor turns the queue's service level red below this share (%); "
        "amber below the target.",
    )
    wait_warning_seconds = models.PositiveIntegerField(
        default=60, help_text="The live monitor turns the longest wait amber past this."
    )
    wait_alert_seconds = models.PositiveIntegerField(
        default=180, help_text="The live monitor turns the longest wait red past this."
    )
    statuses = models.ManyToManyField(
        Status,
        blank=True,
        related_name="queues",
        help_text="The statuses allowed on closing.",
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accept_timeout__gte=1), name="queue_accept_timeout_positive"
            ),
            models.CheckConstraint(
                condition=Q(routing_strategy__in=RoutingStrategy.values),
                name="queue_routing_strategy_valid",
            ),
            models.CheckConstraint(
                condition=Q(reminder_mode__in=ReminderMode.values),
                name="queue_reminder_mode_valid",
            ),
            models.CheckConstraint(
                condition=~Q(reminder_mode="after_first_message")
                | Q(reminder_delay__gte=1, reminder_delay__isnull=False),
                name="queue_reminder_delay_set_for_delayed_mode",
                violation_error_message="A delayed reminder needs its delay in seconds.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class WidgetKind(models.TextChoices):
    MESSAGE = "message", "Messages"
    CONTACT = "contact", "CRM contact"
    ACCOUNT = "account", "CRM account"
    TICKET = "ticket", "Ticket"
    CALENDAR = "calendar", "Calendar"
    ARTICLES = "articles", "Knowledge base articles"
    COBROWSE = "cobrowse", "Co-browsing"
    IFRAME = "iframe", "Page in iframe"


class QueueWidget(BaseModel):
    """One widget of the activity screen's layout for a queue, in position order.

    The activity screen always shows the message widget; listing it here only sets its place.
    """

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="widgets")
    kind = models.CharField(max_length=20, choices=WidgetKind)
    position = models.PositiveSmallIntegerField(default=0)
    url = models.URLField(max_length=500, blank=True, help_text="The page, for an iframe widget.")

    class Meta:
        ordering = ["queue", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=WidgetKind.values), name="queuewidget_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["queue", "kind"],
                condition=~Q(kind="iframe"),
                name="queuewidget_one_of_each_kind",
                violation_error_message="This widget is already in the queue's layout.",
            ),
            models.CheckConstraint(
                condition=(Q(kind="iframe") & ~Q(url="")) | (~Q(kind="iframe") & Q(url="")),
                name="queuewidget_url_only_for_iframe",
                violation_error_message="An iframe widget needs a URL; other widgets take none.",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()
