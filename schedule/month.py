"""What the widget, the module and the dashboard show of the calendar: a month's grid and a
day's events, in the agent's time zone, from the `month` and `day` a link asks for."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from contactcenter.models import Agent
from schedule.selectors import agent_zone, events_on, month_weeks


def _parsed(value: str | None, pattern: str) -> date | None:
    try:
        return datetime.strptime(value or "", pattern).date()
    except ValueError:
        return None


def calendar_view(agent: Agent, params) -> dict:
    """`params` (a QueryDict, or a dict): `day` (YYYY-MM-DD) is the selected day, `month`
    (YYYY-MM) the month shown; by default today and its month. Three queries: the settings,
    the month's events, the day's."""
    zone = agent_zone(agent)
    today = timezone.now().astimezone(zone).date()
    selected = _parsed(params.get("day"), "%Y-%m-%d")
    month = _parsed(params.get("month"), "%Y-%m") or (selected or today).replace(day=1)
    if selected is None:
        in_month = today.replace(day=1) == month
        selected = today if in_month else month
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return {
        "zone": zone,
        "today": today,
        "month": month,
        "selected": selected,
        "previous_month": previous.strftime("%Y-%m"),
        "next_month": following.strftime("%Y-%m"),
        "weeks": month_weeks(agent, month=month, selected=selected, today=today),
        "day_events": list(events_on(agent, selected)),
        "state": {"month": month.strftime("%Y-%m"), "day": selected.isoformat()},
    }
