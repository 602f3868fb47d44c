"""The product's own settings, plus the bench's URLs (the product's and a bare view).

Nothing else differs, so the figures are the product's: DATABASE_URL, REDIS_URL and
DATABASE_POOL_SIZE choose the backends exactly as they do in production. bench/ingest.py
runs with DEBUG=1, as `make run` does, so the development SECRET_KEY applies. One exception,
asked for by name: BENCH_ONE_QUEUE (bench/burst.py --one-queue) puts back the setup before
the work queues were split, for the figures before and after.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import CELERY_BEAT_SCHEDULE

ROOT_URLCONF = "bench.urls"

if os.environ.get("BENCH_ONE_QUEUE"):
    # Every task in Celery's default queue, and every sweep kept however late it is taken.
    CELERY_TASK_ROUTES = {}
    CELERY_BEAT_SCHEDULE = {
        name: {"task": entry["task"], "schedule": entry["schedule"]}
        for name, entry in CELERY_BEAT_SCHEDULE.items()
    }
