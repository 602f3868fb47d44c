from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from contactcenter.models.agents import Agent
from contactcenter.models.base import BaseModel, feed_position_field
from contactcenter.models.queues import Queue, Status


class ActivityState(models.TextChoices):
    WAITING = "waiting", "Waiting"
    OPEN = "open", "Open"
    POSTPONED = "postponed", "Postponed"
    CLOSED = "closed", "Closed"


class Activity(BaseModel):
    """One conversation with a customer, from the moment it queues until it is closed."""

    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="activities")
    channel_account = models.ForeignKey(
        "messaging.ChannelAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    identity = models.ForeignKey(
        "messaging.ExternalIdentity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        help_text="The customer on the channel.",
    )
    owner = models.ForeignKey(
        Agent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_activities",
    )
    contact = models.ForeignKey(
        "crm.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        help_text="The CRM contact the activity is paired with.",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    state = models.CharField(max_length=20, choices=ActivityState, default=ActivityState.WAITING)
    title = models.CharField(max_length=200, blank=True)
    important = models.BooleanField(default=False)
    status = models.ForeignKey(
        Status,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    queued_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    started_by_agent = models.BooleanField(
        default=False, help_text="An agent wrote first: the activity was never offered."
    )
    first_accepted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When an agent first accepted it; `accepted_at` moves on with each transfer.",
    )
    first_customer_message_at = models.DateTimeField(null=True, blank=True)
    first_reply_at = models.DateTimeField(
        null=True, blank=True, help_text="When an agent first wrote to the customer."
    )
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    awaiting_reply_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The customer's first message since an agent last wrote; empty when answered.",
    )
    postponed_until = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["queue", "state", "queued_at"], name="activity_queue_state"),
            models.Index(fields=["owner", "state"], name="activity_owner_state"),
            models.Index(fields=["queued_at"], name="activity_arrived"),  # reports, by range
            models.Index(
                fields=["postponed_until"],
                condition=Q(state="postponed", postponed_until__isnull=False),
                name="activity_postponed_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ActivityState.values), name="activity_state_valid"
            ),
            models.UniqueConstraint(
                fields=["identity"],
                condition=~Q(state="closed"),
                name="activity_one_unclosed_per_identity",
                violation_error_message="This customer already has an activity that is not closed.",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["open", "postponed"]) | Q(owner__isnull=False),
                name="activity_open_has_owner",
                violation_error_message="An open or postponed activity belongs to an agent.",
            ),
            models.CheckConstraint(
                condition=~Q(state="waiting") | Q(owner__isnull=True),
                name="activity_waiting_has_no_owner",
                violation_error_message="A waiting activity belongs to no agent yet.",
            ),
            models.CheckConstraint(
                condition=Q(state="closed", closed_at__isnull=False)
                | (~Q(state="closed") & Q(closed_at__isnull=True)),
                name="activity_closed_at_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(postponed_until__isnull=True) | Q(state="postponed"),
                name="activity_postponed_until_only_postponed",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Activity {self.pk}"


class OfferKind(models.TextChoices):
    ROUTE = "route", "Routed from the queue"
    TRANSFER = "transfer", "Transferred by an agent"
    INVITE = "invite", "Invitation to join"


class OfferOutcome(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class Offer(BaseModel):
    """A notification ringing one agent for one activity until its deadline.

    At most one offer per activity is pending at any time (a partial unique index): that is what
    makes "one agent at a time" hold even when routing runs twice.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="offers")
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="offers")
    kind = models.CharField(max_length=20, choices=OfferKind, default=OfferKind.ROUTE)
    sent_by = models.ForeignKey(
        Agent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The agent who transferred or invited.",
    )
    invited_queue = models.ForeignKey(
        Queue,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For an invitation to a queue: where the next agent is found if this one "
        "declines.",
    )
    outcome = models.CharField(max_length=20, choices=OfferOutcome, default=OfferOutcome.PENDING)
    deadline = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["deadline"],
                condition=Q(outcome="pending"),
                name="offer_pending_deadline",
            ),
            models.Index(fields=["agent", "outcome"], name="offer_agent_outcome"),
            models.Index(fields=["created_at"], name="offer_created"),  # reports, by range
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["activity"],
                condition=Q(outcome="pending"),
                name="offer_one_pending_per_activity",
                violation_error_message="This activity is already being offered.",
            ),
            models.CheckConstraint(condition=Q(kind__in=OfferKind.values), name="offer_kind_valid"),
            models.CheckConstraint(
                condition=Q(outcome__in=OfferOutcome.values), name="offer_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome="pending", decided_at__isnull=True)
                | (~Q(outcome="pending") & Q(decided_at__isnull=False)),
                name="offer_decided_at_iff_decided",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=F("created_at")),
                name="offer_deadline_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} to {self.agent} ({self.outcome})"


class ParticipantRole(models.TextChoices):
    OWNER = "owner", "Owner"
    INVITED = "invited", "Invited"


class Participant(BaseModel):
    """An agent taking part in an activity: its owner, or an invited colleague."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participants")
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(max_length=20, choices=ParticipantRole)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "agent"],
                condition=Q(left_at__isnull=True),
                name="participant_once_at_a_time",
                violation_error_message="The agent is already in this activity.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=ParticipantRole.values),
                name="participant_role_valid",
            ),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=F("joined_at")),
                name="participant_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} in {self.activity}"


class EventKind(models.TextChoices):
    QUEUED = "queued", "Queued"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Notification expired"
    REVOKED = "revoked", "Notification withdrawn"
    TRANSFERRED = "transferred", "Transferred"
    INVITED = "invited", "Invited"
    JOINED = "joined", "Joined"
    LEFT = "left", "Left"
    POSTPONED = "postponed", "Postponed"
    RESUMED = "resumed", "Resumed"
    STATUS = "status", "Status set"
    IMPORTANT = "important", "Importance changed"
    PAIRED = "paired", "Paired with a contact"
    UNPAIRED = "unpaired", "Unpaired from its contact"
    TICKET = "ticket", "Assigned to a ticket"
    STARTED = "started", "Started by an agent"
    MONITORED = "monitored", "Watched by a supervisor"
    COBROWSE = "cobrowse", "Video room"
    CLOSED = "closed", "Closed"


class ActivityEvent(BaseModel):
    """One line of an activity's event history, shown inline in the chat ("transferred by ...")."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who did it; empty for the system.",
    )
    agent = models.ForeignKey(
        Agent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The agent it concerns (offered to, transferred to, ...).",
    )
    data = models.JSONField(default=dict, blank=True)
    txid = feed_position_field()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["activity", "created_at"], name="activityevent_history"),
            models.Index(fields=["txid", "id"], name="activityevent_feed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values), name="activityevent_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.activity})"
