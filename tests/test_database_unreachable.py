"""PostgreSQL unreachable: /healthz, the webhooks and the REST API answer 503 within seconds,
not after the 30 s psycopg's pool waits by default, so a load balancer sees the fault, a
provider retries and an integrator's client knows to try again.

The product runs in a fresh interpreter (as daphne would) against a port on this machine where
PostgreSQL is not: nothing listens there (the connection is refused), or something listens and
never answers (the connection hangs)."""

import json
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.processes import PRODUCTION_SECRETS, product_environ

CALL_EACH = """
import json, time
import django
django.setup()
from django.test import Client

client = Client()
calls = {
    "healthz": lambda: client.get("/healthz"),
    "webhook": lambda: client.post("/webhooks/whatsapp/any-key/", b"{}", "application/json"),
    "api": lambda: client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token " + "0" * 40),
}
answers = {}
for name, call in calls.items():
    started = time.monotonic()
    response = call()
    answers[name] = {
        "status": response.status_code,
        "body": response.content.decode(),
        "seconds": time.monotonic() - started,
        "retry_after": response.get("Retry-After"),
    }
print(json.dumps(answers))
"""


@pytest.fixture(params=["refused", "silent"])
def dead_port(request) -> Iterator[int]:
    """A port on 127.0.0.1 held by this test: not listening (connections are refused), or
    listening without ever accepting (connections hang)."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        if request.param == "silent":
            holder.listen(1)
        yield holder.getsockname()[1]


def test_healthz_the_webhooks_and_the_api_answer_503_fast(tmp_path, redis_url, dead_port):
    # given
    environ = product_environ(
        tmp_path,
        DEBUG="0",
        **PRODUCTION_SECRETS,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{dead_port}/contactcenter",
        DATABASE_CONNECT_TIMEOUT="1",
        REDIS_URL=redis_url,
    )
    # when
    result = subprocess.run(
        [sys.executable, "-c", CALL_EACH], env=environ, capture_output=True, text=True, timeout=25
    )
    # then
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    assert answers["healthz"]["status"] == 503
    assert json.loads(answers["healthz"]["body"]) == {
        "database": "error: OperationalError",
        "redis": "ok",
    }
    assert answers["webhook"]["status"] == 503
    assert answers["api"]["status"] == 503
    assert json.loads(answers["api"]["body"])["code"] == "database_unavailable"
    assert answers["api"]["retry_after"] == "5"
    assert answers["healthz"]["seconds"] < 5
    assert answers["webhook"]["seconds"] < 5
