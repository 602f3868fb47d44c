"""Settings, read from the environment with safe defaults.

With nothing set, the product runs on its embedded defaults: a SQLite file and a real Redis on a
unix socket, both under var/. DEBUG is off unless asked for (`make run` asks), and with DEBUG off
a real SECRET_KEY and FIELD_ENCRYPTION_KEYS are required (README: Security).
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from kombu import Exchange, Queue

from config import queues
from config.environment import (
    BASE_DIR,
    embedded_redis_socket,
    env_bool,
    env_list,
    env_rate,
    field_encryption_keys,
    provider_api_url,
    redis_settings,
    secret_key,
    unix_redis_url,
    var_dir,
)

VAR_DIR = var_dir()

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = secret_key(debug=DEBUG, directory=VAR_DIR)
# Channel accounts' credentials are encrypted with these (contactcenter/encryption.py).
FIELD_ENCRYPTION_KEYS = field_encryption_keys(debug=DEBUG, directory=VAR_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front append to X-Forwarded-For: login and API throttling count the
# address the outermost one saw (config.security.client_ip). 0: the connection's address.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# HTTPS only, for browsers that once saw the site over HTTPS: off until a deploy opts in, as
# it cannot be taken back before the time runs out.
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", default=False)
# Django's error reports (the DEBUG page, mails to admins) hide the URLs with passwords too.
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.security.ExceptionReporterFilter"

# The product's own apps (supervisors get every permission of these).
PRODUCT_APPS = [
    "contactcenter",
    "messaging",
    "crm",
    "tickets",
    "knowledgebase",
    "cobrowse",
    "supervision",
    "integrations",
    "schedule",
]
# The provider simulator (fake Graph and Viber APIs and a customer page at /simulator/): on in
# development, off in production. An app of its own, installed only while it is on, so that a
# production database has none of its tables and a production site none of its URLs.
SIMULATOR_ENABLED = env_bool("SIMULATOR", default=DEBUG)
INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    *(app for app in PRODUCT_APPS if app not in ("supervision", "integrations", "schedule")),
    *(["simulator"] if SIMULATOR_ENABLED else []),
    # After the simulator: its demo history is of chats on the channel accounts the simulator's
    # demo makes.
    "supervision",
    "integrations",
    # After the simulator too: its demo follow-up is of a chat the simulator's demo makes.
    "schedule",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into the login page's answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The shell's overrides of other packages' templates (the API docs' page).
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Daphne, the Celery worker and beat share the file: WAL lets readers run beside a writer
    # (NORMAL sync is safe with WAL), IMMEDIATE makes a writer wait for the lock up front
    # instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # Under ASGI every request runs in a thread of its own, so persistent connections would
    # pile up; a pool hands each request a ready connection and takes it back. With the
    # database unreachable, a connection attempt and a wait for the pool give up after
    # DATABASE_CONNECT_TIMEOUT seconds (libpq would wait for ever, psycopg's pool 30 s), so
    # /healthz and the webhooks answer 503 at once and the provider retries.
    _connect_timeout = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "3"))
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": _connect_timeout,
        "pool": {
            "min_size": 2,
            "max_size": int(os.environ.get("DATABASE_POOL_SIZE", "10")),
            "timeout": _connect_timeout,
        },
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One Redis for the cache, the channel layer and Celery (broker and results).
_redis = redis_settings(os.environ.get("REDIS_URL") or unix_redis_url(embedded_redis_socket()))
REDIS_URL = _redis["REDIS_URL"]
CACHES = _redis["CACHES"]
CHANNEL_LAYERS = _redis["CHANNEL_LAYERS"]
CELERY_BROKER_URL = _redis["CELERY_BROKER_URL"]

# Where the product is reached from outside: webhook URLs shown to supervisors, and the signed
# file links Messenger, Instagram and Viber fetch our attachments from.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Co-browsing video rooms (cobrowse/): the ICE servers browsers use, as JSON RTCIceServer objects
# (empty: host candidates only, which serve loopback and a LAN); TURN servers listed without a
# username get a credential made per join from TURN_SECRET (coturn's use-auth-secret), valid
# for TURN_CREDENTIAL_TTL seconds.
ICE_SERVERS = json.loads(os.environ.get("ICE_SERVERS") or "[]")
TURN_SECRET = os.environ.get("TURN_SECRET", "")
TURN_CREDENTIAL_TTL = int(os.environ.get("TURN_CREDENTIAL_TTL", str(12 * 3600)))

# With the simulator on, the provider APIs default to it.
WHATSAPP_API_URL = provider_api_url(
    "WHATSAPP_API_URL", "https://graph.facebook.com/v25.0", "/simulator/graph/v25.0",
    site_url=SITE_URL, simulator=SIMULATOR_ENABLED,
)  # fmt: skip
MESSENGER_API_URL = provider_api_url(
    "MESSENGER_API_URL", "https://graph.facebook.com/v25.0", "/simulator/graph/v25.0",
    site_url=SITE_URL, simulator=SIMULATOR_ENABLED,
)  # fmt: skip
INSTAGRAM_API_URL = provider_api_url(
    "INSTAGRAM_API_URL", "https://graph.instagram.com/v25.0", "/simulator/instagram/v25.0",
    site_url=SITE_URL, simulator=SIMULATOR_ENABLED,
)  # fmt: skip
VIBER_API_URL = provider_api_url(
    "VIBER_API_URL", "https://chatapi.viber.com/pa", "/simulator/viber/pa",
    site_url=SITE_URL, simulator=SIMULATOR_ENABLED,
)  # fmt: skip
PROVIDER_HTTP_TIMEOUT = float(os.environ.get("PROVIDER_HTTP_TIMEOUT", "10"))
# Customers' files are fetched from public addresses only (the URLs come from webhooks). These
# host:port pairs are fetched whatever their address, e.g. a local fake provider; with the
# simulator on, its own (SITE_URL's) is one of them too (messaging/fetching.py).
PROVIDER_FETCH_ALLOW = env_list("PROVIDER_FETCH_ALLOW", "")
# Outgoing webhooks to integrators (integrations/): an endpoint whose host resolves to a
# loopback, private, link-local or reserved address is refused, when it is saved and at each
# delivery, unless this allows it (a receiver on this machine or the local network).
WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False)
# Seconds a receiver has to answer a delivery, all told.
WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "15"))
# An endpoint whose deliveries have all failed for this many days is disabled, with why.
WEBHOOK_DISABLE_AFTER_DAYS = float(os.environ.get("WEBHOOK_DISABLE_AFTER_DAYS", "5"))
# Events, their deliveries and the attempts' log are kept this many days.
WEBHOOK_RETENTION_DAYS = float(os.environ.get("WEBHOOK_RETENTION_DAYS", "30"))
# WhatsApp webhook bodies reach 3 MB; Django refuses bodies over 2.5 MB by default.
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker waits out a broker outage however long it lasts (Celery gives up after 100 tries
# by default, and a worker that exits stops every deadline and send).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TIMEZONE = "UTC"
# Time-critical tasks, inbound applies and outbound sends each wait in a queue of their own
# (config/queues.py says why). Declared, so a worker without -Q consumes all of them.
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in queues.QUEUES]
CELERY_TASK_ROUTES = queues.ROUTES
# Celery's Django fixup closes every database connection after each task unless this is set,
# and in a prefork worker the whole pool too: each task then paid for two new PostgreSQL
# connections (bench/e2e_latency.py). Set beyond reach; `config.celery` gives each
# task's connection back to the pool instead, as Django does after a request.
CELERY_DB_REUSE_MAX = 2**62
# Sweeps behind the timers, by task name and period in seconds: each catches what a lost task
# missed, through the same service. A sweep not started within its period is dropped (the next
# one does its work), so a worker that was down does not come back to a pile of them.
_SWEEPS = {
    "webhook-deliveries-requeue-stale": ("messaging.tasks.webhook_events_requeue_stale", 30.0),
    "messages-requeue-stale": ("messaging.tasks.messages_requeue_stale", 30.0),
    "offers-expire-overdue": ("contactcenter.tasks.offers_expire_overdue", 1.0),
    "activities-route-waiting": ("contactcenter.tasks.activities_route_waiting", 5.0),
    "activities-resume-due": ("contactcenter.tasks.activities_resume_due", 10.0),
    "agents-presence-sweep": ("contactcenter.tasks.presence_sweep", 30.0),
    "webhooks-sweep": ("integrations.tasks.webhooks_sweep", 30.0),
    "calendar-reminders-due": ("schedule.tasks.events_remind_due", 10.0),
    "webhooks-prune": ("integrations.tasks.webhooks_prune", 3600.0),
}
CELERY_BEAT_SCHEDULE = {
    name: {"task": task, "schedule": every, "options": {"expires": every}}
    for name, (task, every) in _SWEEPS.items()
}

# Seconds an agent stays online after their last workspace page disconnects (a reload, a blip).
AGENT_OFFLINE_GRACE = float(os.environ.get("AGENT_OFFLINE_GRACE", "10"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes, on the login page and the admin's): after LOGIN_FAILURE_LIMIT
# failed sign-ins in a row for one username from one address, that username is locked out at
# that address for LOGIN_LOCKOUT_MINUTES (even the right password is refused), and the login
# page says so (config.security.login_locked_out). A success forgets the failures.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lockout lasts LOGIN_LOCKOUT_MINUTES from the last failure before it, as the page says;
# tries during it are refused without being counted.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "config.security.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # failures are what it is for; successes cost no write
AXES_VERBOSE = False  # no banner in the log of every process that starts
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
# The country a phone number written without its +code belongs to (ISO 3166 code, e.g. "CZ");
# empty: numbers must be written with their country code.
PHONE_REGION = os.environ.get("PHONE_REGION", "").upper() or None
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens first: an unauthenticated call then gets 401 with WWW-Authenticate, not 403.
        # API tokens (Bearer, or Token cct_…); DRF's own keys under Token after them.
        "integrations.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "contactcenter.rest.PageNumberPagination",
    "DEFAULT_PARSER_CLASSES": [
        "contactcenter.rest.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "contactcenter.openapi.AutoSchema",
    # Per user (a session or an integrator's token) and per address for anonymous calls; far
    # above what an agent's pages or a well-behaved integration do, kept in the Redis cache.
    "DEFAULT_THROTTLE_CLASSES": [
        "contactcenter.rest.AnonRateThrottle",
        "contactcenter.rest.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_rate("API_THROTTLE_USER", "600/min"),
        "anon": env_rate("API_THROTTLE_ANON", "60/min"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "contactcenter.rest.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Contact center API",
    "DESCRIPTION": "Queues, agents, activities and messages of the omnichannel contact center.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets of fields that share a name ("state", "kind"): each its own name.
    "ENUM_NAME_OVERRIDES": {
        "StateEnum": "contactcenter.models.ActivityState",
        "WebhookDeliveryStateEnum": "integrations.models.DeliveryState",
        "EventKindEnum": "contactcenter.models.EventKind",
    },
}

# Content-Security-Policy (django-csp) on every page: scripts and styles from this site, or
# inline with the page's nonce (the import map, the API docs' style); no inline style
# attributes (htmx's own indicator styles are off, see base.html). Images may be data: URLs
# (the favicon, the admin's and the API docs' icons); the iframe widget shows whatever page a
# supervisor set; connections go to this site and its websocket (added per request by
# config.security.ContentSecurityPolicyMiddleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF, "https:", "http:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
