"""The Celery app: its broker on the same Redis as everything else (settings).

No result backend: every task's outcome is in the database. A backend cost each webhook
delivery a new Redis client, for the result nobody reads (Celery keeps one per thread, and
daphne runs each request in a thread of its own; bench/e2e_latency.py)."""

import functools
import os

from celery import Celery, signals
from celery.contrib.django.task import DjangoTask
from django.db import close_old_connections, transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class Task(DjangoTask):
    """Queued after the commit, and never at the commit's expense: with the broker down (Redis
    restarting), the task is lost and logged, while the change that queued it stands and its
    request or task answers as it succeeded. The work of every task that matters is found again
    by a sweep (offer deadlines, routing, postponed returns, deliveries, sends)."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        self._on_commit(self.delay, *args, **kwargs)

    def apply_async_on_commit(self, *args, **kwargs) -> None:
        self._on_commit(self.apply_async, *args, **kwargs)

    def _on_commit(self, send, *args, **kwargs) -> None:
        """The partial is given the name it lacks: Django logs a failing callback by its
        name, and without one the logging itself would fail, at the caller's expense."""
        send_after_commit = functools.partial(send, *args, **kwargs)
        send_after_commit.__qualname__ = f"{self.name}.{send.__name__}"
        transaction.on_commit(send_after_commit, robust=True)


app = Celery("contactcenter", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def _connections_back(task=None, **_) -> None:
    """Around each task, as around each request: a connection that failed or is past its age
    goes (back to the pool, with PostgreSQL), so no task inherits a broken one. Not around a
    task run eagerly: it runs inside its caller's transaction."""
    if task is not None and not task.request.is_eager:
        close_old_connections()
