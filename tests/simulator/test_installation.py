"""The simulator is an app installed only while SIMULATOR is on: a site run with it off migrates
no simulator table and serves no simulator URL, as a production deploy would."""

import json
import subprocess
import sys

from config.environment import BASE_DIR
from tests.processes import product_environ

# What a started site has: its tables, whether /simulator/ is served, whether the app is in.
INSPECT = """
import json
from django.apps import apps
from django.db import connection
from django.urls import Resolver404, resolve
try:
    resolve("/simulator/")
    served = True
except Resolver404:
    served = False
print(json.dumps({
    "tables": connection.introspection.table_names(),
    "served": served,
    "installed": apps.is_installed("simulator"),
}))
"""


def run_manage(environ: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def migrated_site(tmp_path, redis_url: str, simulator: str) -> dict:
    """Migrate a fresh database with SIMULATOR set so, then inspect the site in a new process."""
    environ = product_environ(
        tmp_path,
        SIMULATOR=simulator,
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL=redis_url,
    )
    migrated = run_manage(environ, "migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    inspected = run_manage(environ, "shell", "-v0", "-c", INSPECT)
    assert inspected.returncode == 0, inspected.stderr
    return json.loads(inspected.stdout.strip().splitlines()[-1])


def simulator_tables(tables: list[str]) -> list[str]:
    return [name for name in tables if name.startswith(("simulator_", "messaging_simulator"))]


def test_with_the_simulator_off_there_are_no_simulator_tables_and_no_simulator_urls(
    tmp_path, redis_url
):
    site = migrated_site(tmp_path, redis_url, simulator="0")
    assert "messaging_channelaccount" in site["tables"]
    assert simulator_tables(site["tables"]) == []
    assert site["served"] is False
    assert site["installed"] is False


def test_with_the_simulator_on_its_tables_belong_to_its_own_app(tmp_path, redis_url):
    site = migrated_site(tmp_path, redis_url, simulator="1")
    assert simulator_tables(site["tables"]) == [
        "simulator_simulatorcall",
        "simulator_simulatorfailure",
        "simulator_simulatormedia",
        "simulator_simulatorwebhook",
    ]
    assert site["served"] is True
    assert site["installed"] is True
