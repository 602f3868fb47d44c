"""The supervisors' report page, in the back office's look, and its tables as CSV."""

import csv

from django.contrib import admin
from django.contrib.auth.decorators import user_passes_test
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from contactcenter.permissions import is_supervisor
from supervision.forms import ReportForm
from supervision.presenting import CSV_COLUMNS, chart_data, csv_value
from supervision.reports import DEFINITIONS, Report, report_build

supervisor_page = user_passes_test(is_supervisor, login_url="admin:login")


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
        writer.writerows(report.statuses)
        return response
    writer.writerow([report.by, *(column for column, _ in CSV_COLUMNS)])
    for row in [*report.rows, report.total]:
        writer.writerow([row.label, *(csv_value(getattr(row, name)) for _, name in CSV_COLUMNS)])
    return response
