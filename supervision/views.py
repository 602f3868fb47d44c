"""The supervisors' pages, in the back office's look: the live monitor, a chat watched
silently, and the reports (with their tables as CSV)."""

import csv
from functools import wraps

from django.contrib import admin
from django.contrib.auth.decorators import user_passes_test
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from contactcenter.exceptions import ApplicationError
from contactcenter.models import Activity
from contactcenter.page_urls import page_urls
from contactcenter.permissions import is_supervisor
from contactcenter.selectors import events_of
from contactcenter.services.activities import activity_monitored
from messaging.selectors import messages_of
from messaging.serializers import author_name
from supervision.forms import ReportForm
from supervision.presenting import CSV_COLUMNS, chart_data, csv_value
from supervision.reports import DEFINITIONS, Report, report_build


def supervisor_page(view):
    """Supervisors only: anyone else signed in is told there is no such page (404), someone
    not signed in is sent to the back office's login."""
    signed_in = user_passes_test(lambda user: user.is_authenticated, login_url="admin:login")

    @signed_in
    @wraps(view)
    def page(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_supervisor(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return page


@supervisor_page
@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    form = ReportForm.of(request.GET)
    report = report_build(**form.cleaned_data) if form.is_valid() else None
    export = request.GET.get("export")
    if report is not None and export in ("figures", "statuses"):
        return _csv(report, export)
    context = {
        **admin.site.each_context(request),
        "title": "Reports",
        "form": form,
        "report": report,
        "definitions": DEFINITIONS,
        "chart": chart_data(report) if report else None,
        "query": request.GET.urlencode(),
    }
    return render(request, "supervision/report.html", context)


def _csv(report: Report, table: str) -> HttpResponse:
    name = f"{table}-{report.by}-{report.start}-{report.end}.csv"
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
    writer = csv.writer(response)
    if table == "statuses":
        writer.writerow(["status", "chats"])
        writer.writerows((csv_value(name), count) for name, count in report.statuses)
        return response
    writer.writerow([report.by, *(column for column, _ in CSV_COLUMNS)])
    for row in [*report.rows, report.total]:
        figures = (csv_value(getattr(row, name)) for _, name in CSV_COLUMNS)
        writer.writerow([csv_value(row.label), *figures])
    return response


@supervisor_page
@require_GET
def monitor_page(request: HttpRequest) -> HttpResponse:
    """The page; its script draws what the monitor's socket sends."""
    context = {
        **admin.site.each_context(request),
        "title": "Live monitor",
        "urls": page_urls(),
        "script": "supervision/monitor.js",
    }
    return render(request, "supervision/monitor.html", context)


@supervisor_page
@require_GET
def watch_page(request: HttpRequest, activity_id: int) -> HttpResponse:
    """A chat as it happens, read-only: opening it is recorded in its audit history, and
    nobody taking part is told."""
    try:
        activity = activity_monitored(activity_id=activity_id, supervisor=request.user)
    except ApplicationError as exc:
        raise Http404(str(exc)) from exc
    context = {
        **admin.site.each_context(request),
        "title": f"Watching: {activity}",
        "activity": activity,
        "lines": _lines(activity),
        "urls": page_urls(),
        "script": "supervision/watch.js",
    }
    return render(request, "supervision/watch.html", context)


@supervisor_page
@require_GET
def watch_lines(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The watched chat's lines again, for the page to swap in when the chat changed."""
    activity = get_object_or_404(Activity, pk=activity_id)
    return render(request, "supervision/watch_lines.html", {"lines": _lines(activity)})


def _lines(activity) -> list[dict]:
    """Messages and history lines, oldest first."""
    lines = [
        {"at": message.created_at, "kind": message.direction,
         "who": author_name(message) or "Customer",
         "text": message.text or ", ".join(a.filename for a in message.attachments.all())}
        for message in messages_of(activity)
    ] + [
        {"at": event.created_at, "kind": "event", "who": str(event.actor or ""),
         "text": event.get_kind_display() + (f": {event.agent}" if event.agent else "")}
        for event in events_of(activity, audit=True)
    ]  # fmt: skip
    return sorted(lines, key=lambda line: line["at"])
