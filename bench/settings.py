"""The product's own settings, plus the bench's URLs (the product's and a bare view).

Nothing else differs, so the figures are the product's: DATABASE_URL, REDIS_URL and
DATABASE_POOL_SIZE choose the backends exactly as they do in production. bench/ingest.py
runs with DEBUG=1, as `make run` does, so the development SECRET_KEY applies.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
