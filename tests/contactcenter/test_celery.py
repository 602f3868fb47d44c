"""The Celery app runs tasks on a real worker through the suite's Redis."""

from celery.contrib.testing.tasks import ping
from celery.contrib.testing.worker import start_worker

from contactcenter.celery import app


def test_a_real_worker_runs_a_task_through_redis_and_returns_its_result():
    with start_worker(app, pool="solo", perform_ping_check=False):
        assert ping.delay().get(timeout=10) == "pong"


def test_tasks_are_acknowledged_late_and_travel_as_json():
    assert app.conf.task_acks_late is True
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
