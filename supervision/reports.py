"""The supervisors' report: the standard contact-center figures for a date range, by queue,
agent, channel, day or hour.

Every figure comes from aggregate queries, a constant number whatever the range (one each for
activities, notifications, messages, pauses and statuses). Averages are kept as sums and counts
until the end, so a total row is the true average over every activity, never an average of the
rows' averages. The definitions the page shows (`DEFINITIONS`) are the ones computed here.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least, TruncDate, TruncHour
from django.utils import timezone

from contactcenter.models import (
    Activity,
    ActivityState,
    Agent,
    Offer,
    OfferKind,
    OfferOutcome,
    Pause,
    Queue,
)
from messaging.models import Direction, Message, Provider

GROUPINGS = ("queue", "agent", "channel", "day", "hour")
NOBODY = "Not accepted"

DEFINITIONS = {
    "Offered": "Customers who arrived in a queue in the range (chats an agent started are left "
    "out: nobody was offered them). A chat transferred to another queue counts in the queue it "
    "is in now.",
    "Accepted": "Of those, the ones an agent accepted.",
    "Unanswered": "Offered but never accepted: the customer is still waiting, or the chat was "
    "closed before anyone accepted it.",
    "Rejected": "Notifications an agent rejected (routing and transfer notifications created "
    "in the range; invitations to join are left out).",
    "Missed": "Notifications that ran out without an answer.",
    "ASA": "Average speed of answer (ASA): from arriving in the queue to the first acceptance, "
    "averaged over the accepted.",
    "Service level": "Service level: the share of offered chats accepted within their queue's "
    "target seconds. Chats still waiting or never accepted count against it.",
    "First response": "First response time: from the customer's first message to the first "
    "agent reply, averaged over the chats that had both.",
    "Handle time": "Average handle time (AHT): from the first acceptance to closing, averaged "
    "over the accepted chats that were closed.",
    "Messages": "Messages written in the range, by customers (in) and agents (out). By agent: "
    "an agent's replies count for them, customers' messages for the chat's owner.",
    "Unpaid pause": "By agent: the time spent on unpaid pauses within the range.",
    "Statuses chosen": "The statuses chosen on closing the offered chats.",
}


@dataclass
class Figures:
    """One row of the report."""

    key: object
    label: str
    offered: int = 0
    accepted: int = 0
    in_time: int = 0
    rejected: int = 0
    missed: int = 0
    messages_in: int = 0
    messages_out: int = 0
    answer_total: timedelta = timedelta(0)
    handled: int = 0
    handle_total: timedelta = timedelta(0)
    responded: int = 0
    response_total: timedelta = timedelta(0)
    unpaid_pause: timedelta = timedelta(0)
    target: int | None = None  # a queue's service level target, %

    @property
    def unanswered(self) -> int:
        return self.offered - self.accepted

    @property
    def asa(self) -> timedelta | None:
        return _average(self.answer_total, self.accepted)

    @property
    def handle_time(self) -> timedelta | None:
        return _average(self.handle_total, self.handled)

    @property
    def first_response(self) -> timedelta | None:
        return _average(self.response_total, self.responded)

    @property
    def service_level(self) -> float | None:
        """Percent of the offered answered in time; None when nothing was offered."""
        return round(100 * self.in_time / self.offered, 1) if self.offered else None

    @property
    def below_target(self) -> bool:
        return None not in (self.target, self.service_level) and self.service_level < self.target

    def add(self, other: "Figures") -> None:
        for name in SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))


SUMMED = [
    "offered", "accepted", "in_time", "rejected", "missed", "messages_in", "messages_out",
    "answer_total", "handled", "handle_total", "responded", "response_total", "unpaid_pause",
]  # fmt: skip


def _average(total: timedelta, count: int) -> timedelta | None:
    return total / count if count else None


@dataclass
class Report:
    start: date
    end: date
    tz: ZoneInfo
    by: str
    rows: list[Figures]
    total: Figures
    statuses: list[tuple[str, int]] = field(default_factory=list)


def report_build(*, start: date, end: date, by: str, tz: ZoneInfo, live: bool = False) -> Report:
    """The figures from `start` to `end` (both whole days in `tz`), one row per `by` value;
    `live`: only those the live monitor shows, read again after every change (no messages,
    pauses or statuses, whose tables are the largest)."""
    since = datetime.combine(start, time.min, tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    rows: dict[object, Figures] = {}

    def row(key) -> Figures:
        if key not in rows:
            rows[key] = Figures(key=key, label="")
        return rows[key]

    _activity_figures(row, by, tz, since, until)
    _offer_figures(row, by, tz, since, until)
    if not live:
        _message_figures(row, by, tz, since, until)
    if by == "agent" and not live:
        _pause_figures(row, since, until)
    ordered = sorted(rows.values(), key=_order)
    _label(ordered, by, tz)
    total = Figures(key=None, label="Total")
    for figures in ordered:
        total.add(figures)
    return Report(
        start=start,
        end=end,
        tz=tz,
        by=by,
        rows=ordered,
        total=total,
        statuses=[] if live else _statuses(since, until),
    )


def _group(by: str, tz: ZoneInfo, *, time_field: str, prefix: str = "", agent: str = ""):
    """The expression rows are grouped by: a queue's or agent's id, a provider, a day or hour."""
    if by == "queue":
        return F(f"{prefix}queue")
    if by == "agent":
        return F(agent or f"{prefix}owner")
    if by == "channel":
        return F(f"{prefix}channel_account__provider")
    if by == "day":
        return TruncDate(time_field, tzinfo=tz)
    return TruncHour(time_field, tzinfo=tz)


def _activity_figures(row, by, tz, since, until) -> None:
    wait = _duration(F("first_accepted_at") - F("queued_at"))
    seconds = ExpressionWrapper(F("queue__service_level_seconds"), output_field=IntegerField())
    target = _duration(seconds * Value(timedelta(seconds=1)))
    answered = Q(first_accepted_at__isnull=False)
    handled = answered & Q(state=ActivityState.CLOSED)
    responded = Q(first_reply_at__gte=F("first_customer_message_at"))
    offered = Activity.objects.filter(
        queued_at__gte=since, queued_at__lt=until, started_by_agent=False
    )
    grouped = (
        offered.annotate(key=_group(by, tz, time_field="queued_at"))
        .values("key")
        .annotate(
            offered=Count("pk"),
            accepted=Count("pk", filter=answered),
            in_time=Count(
                "pk", filter=answered & Q(first_accepted_at__lte=F("queued_at") + target)
            ),
            answer_total=Sum(wait, filter=answered),
            handled=Count("pk", filter=handled),
            handle_total=Sum(_duration(F("closed_at") - F("first_accepted_at")), filter=handled),
            responded=Count("pk", filter=responded),
            response_total=Sum(
                _duration(F("first_reply_at") - F("first_customer_message_at")), filter=responded
            ),
        )
    )
    for values in grouped:
        figures = row(values.pop("key"))
        for name, value in values.items():
            if value is not None:  # a sum over no rows
                setattr(figures, name, value)


def _offer_figures(row, by, tz, since, until) -> None:
    offers = Offer.objects.filter(
        created_at__gte=since,
        created_at__lt=until,
        kind__in=[OfferKind.ROUTE, OfferKind.TRANSFER],
        outcome__in=[OfferOutcome.REJECTED, OfferOutcome.EXPIRED],
    )
    grouped = (
        offers.annotate(
            key=_group(by, tz, time_field="created_at", prefix="activity__", agent="agent")
        )
        .values("key")
        .annotate(
            rejected=Count("pk", filter=Q(outcome=OfferOutcome.REJECTED)),
            missed=Count("pk", filter=Q(outcome=OfferOutcome.EXPIRED)),
        )
    )
    for values in grouped:
        figures = row(values["key"])
        figures.rejected, figures.missed = values["rejected"], values["missed"]


def _message_figures(row, by, tz, since, until) -> None:
    messages = Message.objects.filter(created_at__gte=since, created_at__lt=until)
    key = _group(by, tz, time_field="created_at", prefix="activity__", agent="author")
    if by == "agent":  # an agent's replies count for them, customers' messages for the owner
        key = Coalesce("author", "activity__owner")
    grouped = (
        messages.annotate(key=key)
        .values("key")
        .annotate(
            messages_in=Count("pk", filter=Q(direction=Direction.IN)),
            messages_out=Count("pk", filter=Q(direction=Direction.OUT)),
        )
    )
    for values in grouped:
        figures = row(values["key"])
        figures.messages_in, figures.messages_out = values["messages_in"], values["messages_out"]


def _pause_figures(row, since, until) -> None:
    """Unpaid pause time per agent, of the pauses' parts that fall within the range (a pause
    still running counts up to now)."""
    now = timezone.now()
    ends = Least(Coalesce("ended_at", Value(now)), Value(until))
    pauses = Pause.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=since),
        started_at__lt=until,
        reason__paid=False,
    )
    grouped = pauses.values("agent").annotate(
        unpaid=Sum(_duration(ends - Greatest("started_at", Value(since))))
    )
    for values in grouped:
        row(values["agent"]).unpaid_pause = max(values["unpaid"] or timedelta(0), timedelta(0))


def _statuses(since, until) -> list[tuple[str, int]]:
    chosen = (
        Activity.objects.filter(
            queued_at__gte=since, queued_at__lt=until, started_by_agent=False, status__isnull=False
        )
        .values("status__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "status__name")
    )
    return [(values["status__name"], values["count"]) for values in chosen]


def _duration(expression) -> ExpressionWrapper:
    return ExpressionWrapper(expression, output_field=DurationField())


def _order(figures: Figures):
    """Times in order; queues, agents and channels by name once labelled (ids until then)."""
    return (figures.key is None, str(figures.key))


def _label(rows: list[Figures], by: str, tz: ZoneInfo) -> None:
    """Names for the rows' keys: one query for the queues or agents shown."""
    keys = [figures.key for figures in rows if figures.key is not None]
    targets = {}
    if by == "queue":
        queues = Queue.objects.filter(pk__in=keys)
        names = {queue.pk: str(queue) for queue in queues}
        targets = {queue.pk: queue.service_level_target for queue in queues}
    elif by == "agent":
        names = dict(Agent.objects.filter(pk__in=keys).values_list("pk", "display_name"))
    else:
        names = {}
    for figures in rows:
        figures.label = _key_label(figures.key, by, names, tz)
        figures.target = targets.get(figures.key)
    if by in ("queue", "agent", "channel"):
        rows.sort(key=lambda figures: (figures.key is None, figures.label.lower()))


def _key_label(key, by: str, names: dict, tz: ZoneInfo) -> str:
    if key is None:
        return NOBODY if by == "agent" else "—"
    if by in ("queue", "agent"):
        return names.get(key, f"#{key}")
    if by == "channel":
        return Provider(key).label if key in Provider.values else key
    if by == "day":
        return key.isoformat()
    return key.astimezone(tz).strftime("%Y-%m-%d %H:00")
