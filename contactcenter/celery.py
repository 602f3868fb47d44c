"""The Celery app: broker and result backend on the same Redis as everything else (settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings")

app = Celery("contactcenter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The simulator's webhook deliveries: a package inside an app, which autodiscovery misses.
app.autodiscover_tasks(["messaging.simulator"])
