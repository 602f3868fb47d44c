"""The product's settings in development mode, plus what only tests need."""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings import *  # noqa: F403
from config.settings import DATABASES, VAR_DIR

# Tests create many users; the real hasher's deliberate slowness buys nothing here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that a daphne subprocess (browser tests) can open it too.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
