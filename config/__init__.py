from config import asyncio_compat

asyncio_compat.install()

from config.celery import app as celery_app  # noqa: E402  (after the fix above)

__all__ = ["celery_app"]
