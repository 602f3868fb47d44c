"""Every row lock of the calendar, in one place: an agent's settings, or one event.

`no_key=True` but where the row is deleted: events are updated under the lock, never re-keyed."""

from contactcenter.models import Agent
from schedule.models import CalendarEvent, CalendarSettings


def event_for_update(event_id: int, *, deleting: bool = False) -> CalendarEvent | None:
    """With `deleting`, the stronger lock a delete takes (it removes the row's key)."""
    return (
        CalendarEvent.objects.filter(pk=event_id)
        .select_for_update(of=("self",), no_key=not deleting)
        .first()
    )


def settings_for_update(agent: Agent) -> CalendarSettings:
    """The agent's settings row, made on first use, locked."""
    CalendarSettings.objects.get_or_create(agent=agent)
    return (
        CalendarSettings.objects.filter(agent=agent)
        .select_for_update(of=("self",), no_key=True)
        .get()
    )
