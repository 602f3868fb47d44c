"""How the report's figures are shown: the columns, durations in seconds for files and
machines, and the chart's series."""

from datetime import timedelta

from supervision.reports import Report

# (heading, Figures attribute), in the order the page and the CSV show them
CSV_COLUMNS = [
    ("offered", "offered"),
    ("accepted", "accepted"),
    ("unanswered", "unanswered"),
    ("rejected", "rejected"),
    ("missed", "missed"),
    ("service_level_percent", "service_level"),
    ("asa_seconds", "asa"),
    ("first_response_seconds", "first_response"),
    ("handle_time_seconds", "handle_time"),
    ("messages_in", "messages_in"),
    ("messages_out", "messages_out"),
    ("unpaid_pause_seconds", "unpaid_pause"),
]


# A cell starting with one of these is a formula to a spreadsheet: a name such as
# "=HYPERLINK(...)" would run when the supervisor opens the file.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_value(value):
    """Durations as whole seconds, a figure that has no value as an empty cell, and a name
    that a spreadsheet would read as a formula kept as text."""
    if value is None:
        return ""
    if isinstance(value, timedelta):
        return round(value.total_seconds())
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def chart_data(report: Report) -> dict:
    """Offered, accepted and unanswered per row, and the service level beside them."""
    rows = report.rows
    return {
        "labels": [row.label for row in rows],
        "offered": [row.offered for row in rows],
        "accepted": [row.accepted for row in rows],
        "unanswered": [row.unanswered for row in rows],
        "service_level": [row.service_level for row in rows],
    }
