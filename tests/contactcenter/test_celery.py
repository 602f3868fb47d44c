"""The Celery app runs tasks on a real worker through the suite's Redis."""

import threading

from celery import shared_task

from contactcenter.celery import app
from tests.workers import celery_worker

_ran = threading.Event()


@shared_task(ignore_result=True)
def _mark_ran() -> None:
    _ran.set()


def test_a_real_worker_runs_a_task_sent_through_redis():
    _ran.clear()
    with celery_worker():
        _mark_ran.delay()
        assert _ran.wait(timeout=10)


def test_tasks_are_acknowledged_late_and_travel_as_json():
    assert app.conf.task_acks_late is True
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]


def test_no_result_backend_is_configured():
    """Outcomes live in the database; a backend would cost every publish a Redis client."""
    assert app.conf.result_backend is None
