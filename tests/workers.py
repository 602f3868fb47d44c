"""A real Celery worker in the test process, safe beside the test's own database connection."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from celery.contrib.testing.worker import start_worker
from django.db import connections

from config.celery import app
from config.queues import QUEUES


@contextmanager
def celery_worker(queues: Sequence[str] = QUEUES) -> Iterator[None]:
    """A solo-pool worker on the suite's Redis and the test database, for the block; it
    consumes every queue unless told which (config/queues.py).

    The calling thread's connections are handed back to the pool first: starting a solo pool
    sends `worker_process_init`, on which Celery's Django fixup closes the file descriptors of
    this thread's open connections behind the driver's back and returns them to the pool, so a
    later query on one wrote into whichever socket reused the number and waited forever.
    """
    connections.close_all()
    with start_worker(app, pool="solo", perform_ping_check=False, queues=list(queues)):
        yield
