"""The Calendar widget of the activity screen: the month, days with events in blue, the
selected day in bold with its events; and Follow up, which schedules a reminder to come back to
this chat and customer."""

from datetime import datetime, time, timedelta

from django.http import HttpRequest
from django.utils import timezone

from contactcenter.models import Activity, QueueWidget, WidgetKind
from contactcenter.widgets import Widget
from schedule.forms import FollowUpForm
from schedule.month import calendar_view


def calendar_widget_context(request: HttpRequest, activity: Activity, _: QueueWidget) -> dict:
    """The month and day a link asked for (`month`, `day`), or those the view that answers a
    follow-up chose (`request.calendar_params`); a follow-up form, for tomorrow 10:00."""
    view = calendar_view(request.agent, getattr(request, "calendar_params", request.GET))
    tomorrow = timezone.now().astimezone(view["zone"]).date() + timedelta(days=1)
    initial = {"starts_at": datetime.combine(tomorrow, time(10, 0))}
    # Each open chat has its screen on the page: ids of this one's own.
    form = FollowUpForm(initial=initial, auto_id=f"follow-up-{activity.pk}-%s")
    return {**view, "follow_up_form": form, "list_id": f"calendar-widget-{activity.pk}"}


WIDGETS = {
    WidgetKind.CALENDAR: Widget("schedule/widgets/calendar.html", calendar_widget_context),
}
