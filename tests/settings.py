"""The product's settings in development mode, plus what only tests need."""

import os

os.environ.setdefault("DEBUG", "1")
# The tests' webhook receivers listen on 127.0.0.1; in the environment, so that the workers
# tests start as subprocesses allow them too.
os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_TARGETS", "1")

from config.settings import *  # noqa: F403
from config.settings import DATABASES, VAR_DIR

# Tests create many users; the real hasher's deliberate slowness buys nothing here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that a daphne subprocess (browser tests) can open it too.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
