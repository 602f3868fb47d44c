"""With DEBUG on, Django's error page lists the settings and the request's environment: the URLs
that carry passwords (Redis, the broker, the database) are hidden there."""

import secrets

import pytest
from django.test import Client
from django.urls import path

pytestmark = pytest.mark.django_db

PASSWORD = secrets.token_hex(8)
REDIS = f"redis://:{PASSWORD}@redis.internal:6379/0"


def boom(request):
    raise RuntimeError("something broke")


urlpatterns = [path("boom/", boom)]


@pytest.fixture
def credentials_in_settings(settings) -> None:
    settings.DEBUG = True
    settings.ROOT_URLCONF = __name__
    settings.REDIS_URL = REDIS
    settings.CELERY_BROKER_URL = REDIS
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS}
    }
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS}]},
        }
    }


def test_the_debug_error_page_shows_no_password_from_a_url(credentials_in_settings):
    # when: a page fails, on a server whose environment names the database by URL
    response = Client(raise_request_exception=False).get(
        "/boom/", DATABASE_URL=f"postgres://cc:{PASSWORD}@db.internal/cc"
    )
    # then: Django's error page, with those settings and variables hidden
    page = response.content.decode()
    assert response.status_code == 500
    assert "something broke" in page
    assert "REDIS_URL" in page
    assert "CELERY_BROKER_URL" in page
    assert PASSWORD not in page
