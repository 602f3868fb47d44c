"""The Calendar module of the workspace (month, day, event forms, the agent's settings and
private feed), its Dashboard card, the Calendar widget's Follow up, and the feed itself. Pages
are fragments loaded with htmx, in the agent's time zone; every change goes through
`schedule.services`."""

from datetime import timedelta
from functools import cache
from zoneinfo import available_timezones

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from contactcenter.exceptions import ApplicationError
from contactcenter.pages import agent_page
from contactcenter.selectors import activities_of_agent
from contactcenter.widgets import widget_render
from schedule import services
from schedule.feed import feed_calendar
from schedule.forms import EventForm, FollowUpForm, TimeZoneForm
from schedule.models import CalendarSettings
from schedule.month import calendar_view
from schedule.selectors import agent_for_feed, agent_zone, events_between, events_visible_to

FEED_PAST_DAYS = 90


@agent_page
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The module: the month, the selected day's events, the agent's settings."""
    return _page(request, request.GET)


def _page(request: HttpRequest, params, **extra) -> HttpResponse:
    agent = request.agent
    row = CalendarSettings.objects.filter(agent=agent).first() or CalendarSettings(agent=agent)
    context = {
        **calendar_view(agent, params),
        "zone_form": TimeZoneForm(initial={"time_zone": row.time_zone}),
        "zone_names": _zone_names(),
        "server_zone": settings.TIME_ZONE,
        "has_feed": bool(row.feed_token_hash),
        "editable": True,
        **extra,
    }
    return render(request, "schedule/calendar.html", context)


@cache
def _zone_names() -> list[str]:
    return sorted(available_timezones())


def _day_of(request: HttpRequest, event) -> QueryDict:
    day = event.starts_at.astimezone(agent_zone(request.agent)).date()
    return QueryDict(f"day={day.isoformat()}")


@agent_page
def event_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """New (for `?day=`, at 09:00) or edit; saved, the module shows the event's day."""
    agent = request.agent
    event = get_object_or_404(events_visible_to(agent), pk=pk) if pk else None
    with timezone.override(agent_zone(agent)):
        if event:
            initial = {name: getattr(event, name) for name in EventForm.base_fields}
        else:
            day = request.GET.get("day") or timezone.localdate().isoformat()
            initial = {"starts_at": f"{day}T09:00", "ends_at": f"{day}T09:30"}
        form = EventForm(request.POST or None, initial=initial, agent=agent)
        if request.method == "POST" and form.is_valid():
            try:
                if event:
                    event = services.event_update(event_id=event.pk, by=agent, **form.cleaned_data)
                else:
                    event = services.event_create(by=agent, agent=agent, **form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                return _page(request, _day_of(request, event))
        return render(request, "schedule/event_form.html", {"form": form, "event": event})


@agent_page
@require_POST
def event_delete(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(events_visible_to(request.agent), pk=pk)
    params = _day_of(request, event)
    services.event_delete(event_id=pk, by=request.agent)
    return _page(request, params, notice=f"Deleted {event.title}.")


@agent_page
@require_POST
def settings_save(request: HttpRequest) -> HttpResponse:
    form = TimeZoneForm(request.POST)
    notice = error = ""
    if form.is_valid():
        try:
            services.calendar_settings_update(
                agent=request.agent, time_zone=form.cleaned_data["time_zone"]
            )
            notice = "Time zone saved."
        except ApplicationError as exc:
            error = exc.message
    return _page(request, request.GET, notice=notice, error=error)


@agent_page
@require_POST
def feed_reset(request: HttpRequest) -> HttpResponse:
    """A new secret address for the agent's feed, shown once; the previous one stops working."""
    token = services.feed_token_reset(agent=request.agent)
    feed_url = request.build_absolute_uri(reverse("schedule:feed", args=[token]))
    return _page(request, request.GET, feed_url=feed_url)


@agent_page
@require_GET
def today_card(request: HttpRequest) -> HttpResponse:
    """The Dashboard's card: today's events."""
    agent = request.agent
    view = calendar_view(agent, {})
    return render(request, "schedule/today.html", view)


@agent_page
@require_POST
def follow_up(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The Calendar widget's Follow up: the event, then the widget on its day."""
    activity = get_object_or_404(activities_of_agent(request.agent), pk=activity_id)
    zone = agent_zone(request.agent)
    with timezone.override(zone):
        form = FollowUpForm(request.POST)
        valid = form.is_valid()
    extra = {}
    if valid:
        try:
            event = services.follow_up_create(
                agent=request.agent, activity_id=activity_id, **form.cleaned_data
            )
        except ApplicationError as exc:
            extra = {"error": exc.message, "follow_up_open": True}
        else:
            request.calendar_params = _day_of(request, event)
            when = event.starts_at.astimezone(zone).strftime("%a %-d %b %H:%M")
            extra = {"notice": f"Follow-up set for {when}."}
    else:
        extra = {"error": "Choose a date and time.", "follow_up_open": True}
    return HttpResponse(widget_render(request, activity, "calendar", **extra))


@never_cache
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The agent's private iCalendar feed (no sign-in: the secret address is the key), from
    FEED_PAST_DAYS ago on."""
    agent = agent_for_feed(token)
    if agent is None:
        return HttpResponse("No such feed.", status=404, content_type="text/plain")
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    events = events_between(agent, since, None).order_by("starts_at", "pk")
    body = feed_calendar(events, agent=agent, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    return response
