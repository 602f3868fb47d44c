"""The Celery app runs tasks on a real worker through the suite's Redis."""

import logging
import threading

import pytest
from celery import shared_task
from django.db import connection, transaction
from kombu.exceptions import OperationalError

from config.celery import app
from contactcenter.models import Queue
from tests.factories import QueueFactory
from tests.workers import celery_worker

_ran = threading.Event()
_counted: list[int] = []


@shared_task(ignore_result=True)
def _mark_ran() -> None:
    _ran.set()


@shared_task(ignore_result=True)
def _lose_the_connection() -> None:
    """What a database restart does to a worker's connection, behind Django's back."""
    connection.ensure_connection()
    connection.connection.close()


@shared_task(ignore_result=True)
def _count_queues() -> None:
    _counted.append(Queue.objects.count())
    _ran.set()


def test_a_real_worker_runs_a_task_sent_through_redis():
    _ran.clear()
    with celery_worker():
        _mark_ran.delay()
        assert _ran.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_task_after_one_whose_connection_broke_gets_a_working_one():
    _ran.clear()
    _counted.clear()
    with celery_worker():
        _lose_the_connection.delay()
        _count_queues.delay()
        assert _ran.wait(timeout=10)
    assert _counted == [0]


def test_tasks_are_acknowledged_late_and_travel_as_json():
    assert app.conf.task_acks_late is True
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]


def test_no_result_backend_is_configured():
    """Outcomes live in the database; a backend would cost every publish a Redis client."""
    assert app.conf.result_backend is None


@pytest.mark.parametrize("queue_it", ["delay_on_commit", "apply_async_on_commit"])
@pytest.mark.django_db(transaction=True)
def test_a_task_the_broker_refuses_after_the_commit_is_logged_and_the_commit_stands(
    monkeypatch, caplog, queue_it
):
    """Found making the demo with no broker: the failure's own log line failed (Django names
    the callback, and a functools.partial has no name), and the error reached the caller."""

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(_mark_ran, "delay", broker_down)
    monkeypatch.setattr(_mark_ran, "apply_async", broker_down)
    # when
    with caplog.at_level(logging.ERROR), transaction.atomic():
        queue = QueueFactory()
        getattr(_mark_ran, queue_it)()
    # then
    assert Queue.objects.filter(pk=queue.pk).exists()
    assert "Connection refused" in caplog.text
