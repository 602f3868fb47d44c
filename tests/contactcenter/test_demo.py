"""`manage.py demo`: the demo data a new user logs in with, loaded any number of times."""

import subprocess
import sys

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory, override_settings

from config.environment import BASE_DIR
from contactcenter.models import Agent, PauseReason, Queue, QueueMembership, QueueWidget, Status
from tests.processes import product_environ

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    """Everything the demo writes, as comparable values."""
    users = get_user_model().objects.order_by("username")
    return {
        "users": list(users.values_list("username", "password", "is_staff", "groups__name")),
        "agents": list(Agent.objects.values_list("user__username", "display_name")),
        "memberships": list(
            QueueMembership.objects.values_list("agent__user__username", "queue__number")
        ),
        "queues": list(Queue.objects.values_list("number", "name", "accept_timeout", "statuses")),
        "widgets": list(QueueWidget.objects.values_list("queue__number", "kind", "position")),
        "statuses": list(Status.objects.values_list("name")),
        "pause_reasons": list(PauseReason.objects.values_list("name", "paid", "is_missed_offer")),
    }


@override_settings(DEBUG=True)
def test_loading_the_demo_twice_leaves_the_same_data(capsys):
    # given
    call_command("demo")
    first = snapshot()
    # when
    call_command("demo")
    # then
    assert snapshot() == first
    assert len(first["agents"]) == 3
    assert ("Missed notification", False, True) in first["pause_reasons"]


@override_settings(DEBUG=True)
def test_the_printed_logins_work(capsys):
    call_command("demo")
    printed = capsys.readouterr().out
    lines = [line for line in printed.splitlines() if line.startswith("  ")]
    logins = [line.split()[1:] for line in lines if "API token" not in line]
    assert [username for username, _ in logins] == ["supervisor", "alice", "bob", "carol"]
    login_page = RequestFactory().post("/login/")  # what the login form authenticates with
    assert all(authenticate(login_page, username=u, password=p) for u, p in logins)


@override_settings(DEBUG=True)
def test_the_demo_supervisor_may_manage_queues_and_agents():
    call_command("demo")
    supervisor = get_user_model().objects.get(username="supervisor")
    assert supervisor.is_staff
    assert supervisor.has_perms(["contactcenter.add_queue", "auth.change_user"])


@override_settings(DEBUG=False)
def test_the_demo_is_refused_with_debug_off():
    with pytest.raises(CommandError, match="--force"):
        call_command("demo")
    assert not Queue.objects.exists()


def test_the_demo_loads_before_redis_is_up(tmp_path):
    """`make run` loads the demo data before it starts Redis and the workers: loading works,
    and says once that its live events and timers go nowhere yet, without a traceback each."""
    environ = product_environ(
        tmp_path,
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL=f"unix://{tmp_path / 'nobody.sock'}",
    )
    for command in (["migrate", "--noinput", "-v0"], ["demo"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=BASE_DIR, env=environ, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    assert "Demo data is ready" in done.stdout
    assert "Redis is not running yet" in done.stdout
    assert "Traceback" not in done.stderr  # one line says it, not a traceback per change
