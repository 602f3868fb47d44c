import contextlib
import logging
from collections.abc import Iterator

import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from contactcenter.demo import load_demo
from contactcenter.redis_client import redis_client

# Where Django logs a callback run after the commit that failed (an event to publish, a task to
# queue): each is kept apart from the change it reports, and its failure logged.
ON_COMMIT_LOG = logging.getLogger("django.db.backends.base")


class Command(BaseCommand):
    help = "Create the demo queues, statuses, pause reasons, supervisor and agents (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo data even with DEBUG off.",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Demo data has well-known passwords; with DEBUG off pass --force to load it."
            )
        with self._quiet_without_redis():
            logins = load_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Logins:"))
        for login in logins:
            secret = login.password or f"API token {login.api_token}"
            self.stdout.write(f"  {login.role:<11} {login.username:<12} {secret}")

    @contextlib.contextmanager
    def _quiet_without_redis(self) -> Iterator[None]:
        """`make run` loads the demo before it starts Redis: the live events and timers of the
        demo's changes then have nowhere to go, and nobody misses them (no page is open yet;
        the workers' sweeps start the timers). One line says so, not a traceback for each."""
        try:
            redis_client().ping()
        except redis.RedisError:
            self.stdout.write(
                "Redis is not running yet: the demo's changes send no live events (no page is "
                "open) and their timers start with the workers' sweeps."
            )
            level = ON_COMMIT_LOG.level
            ON_COMMIT_LOG.setLevel(logging.CRITICAL)
            try:
                yield
            finally:
                ON_COMMIT_LOG.setLevel(level)
        else:
            yield
