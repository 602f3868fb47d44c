"""Demo calendars: each demo agent's own events around today (in their time zone), two shared
with a queue (one an agent's, one the supervisor's), and a follow-up of Sheena Nelson's order
chat for Carol. Created through the services when missing (found by agent and title)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from contactcenter.demo import DemoBase
from contactcenter.models import Activity, Agent
from crm.models import Contact
from schedule.models import CalendarEvent, CalendarSettings
from schedule.selectors import agent_zone
from schedule.services import calendar_settings_update, event_create

TIME_ZONES = {"alice": "Europe/Prague", "bob": "Europe/London"}
# username, title, days from today, start, minutes, queue number (None: private)
EVENTS = [
    ("alice", "Focus time: CRM clean-up", 0, time(11, 0), 60, None),
    ("alice", "Sales weekly review", 2, time(14, 0), 60, 100),
    ("alice", "1:1 with Sam", 3, time(10, 0), 30, None),
    ("bob", "Focus time: ticket backlog", 0, time(13, 0), 90, None),
    ("bob", "Dentist", 1, time(8, 0), 60, None),
    ("carol", "VIP account call: Acme Ltd", 0, time(15, 0), 45, None),
    ("carol", "Quarterly planning", 4, time(9, 30), 120, None),
]
SUPPORT_TRAINING = ("Training: the new returns policy", 1, time(13, 0), 60, 200)


def _at(agent: Agent | None, days: int, start: time) -> datetime:
    """`start` o'clock `days` from today, in the agent's time zone (None: the server's)."""
    zone = agent_zone(agent) if agent else ZoneInfo(settings.TIME_ZONE)
    day: date = timezone.now().astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(day, start, tzinfo=zone)


def demo_load(base: DemoBase) -> None:
    """Create what is missing. Idempotent."""
    agents = {agent.user.username: agent for agent in Agent.objects.select_related("user")}
    for username, name in TIME_ZONES.items():
        unset = not CalendarSettings.objects.filter(agent__user__username=username).exists()
        if username in agents and unset:
            calendar_settings_update(agent=agents[username], time_zone=name)
    for username, title, days, start, minutes, number in EVENTS:
        agent = agents.get(username)
        if agent is None or CalendarEvent.objects.filter(agent=agent, title=title).exists():
            continue
        starts_at = _at(agent, days, start)
        event_create(by=None, agent=agent, title=title, starts_at=starts_at,
                     ends_at=starts_at + timedelta(minutes=minutes),
                     queue=base.queues.get(number) if number else None)  # fmt: skip
    title, days, start, minutes, number = SUPPORT_TRAINING
    if not CalendarEvent.objects.filter(title=title, agent=None).exists() and number in base.queues:
        starts_at = _at(None, days, start)
        event_create(by=None, agent=None, queue=base.queues[number], title=title,
                     starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes),
                     description="For everyone in Support; bring your questions.")  # fmt: skip
    _follow_up(agents.get("carol"))


def _follow_up(agent: Agent | None) -> None:
    """Carol promised Sheena Nelson to check her delivery: tomorrow 10:00, reminded then."""
    if agent is None or CalendarEvent.objects.filter(agent=agent, remind=True).exists():
        return
    contact = Contact.objects.filter(first_name="Sheena", last_name="Nelson").first()
    activity = Activity.objects.filter(title__icontains="Sheena").order_by("-pk").first()
    starts_at = _at(agent, 1, time(10, 0))
    event_create(by=None, agent=agent, title="Follow up: Sheena Nelson", starts_at=starts_at,
                 ends_at=starts_at + timedelta(minutes=15), activity=activity, contact=contact,
                 description="Check that order #1042 arrived on Thursday.",
                 remind=True)  # fmt: skip
