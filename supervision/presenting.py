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


def csv_value(value):
    """Durations as whole seconds, a figure that has no value as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, timedelta):
        return round(value.total_seconds())
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
