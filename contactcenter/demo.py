"""Demo data for `make run` and `manage.py demo`: created when missing, never duplicated.

The core loads its own (statuses, pause reasons, queues, the supervisor and the agents), then
each app's loader (`demo_loader_register`, from its `AppConfig.ready`), in the order the apps
start; a loader may return logins of its own to print. Running it again adds what is missing
and leaves what is there (including changed passwords).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db import transaction

from contactcenter.models import (
    Agent,
    PauseReason,
    Queue,
    QueueWidget,
    ReminderMode,
    Status,
)
from contactcenter.services.configuration import agent_create, queue_create

SUPERVISOR_GROUP = "Supervisors"
# Supervisors manage everything of the product's own apps, and the users who are agents.
SUPERVISOR_APPS = [
    "contactcenter",
    "messaging",
    "crm",
    "tickets",
    "knowledgebase",
    "cobrowse",
]

STATUSES = ["Resolved", "Follow-up needed", "Not relevant", "Spam"]
PAUSE_REASONS = [
    # name, paid, is_missed_offer
    ("Break", True, False),
    ("Training", True, False),
    ("Lunch", False, False),
    ("Missed notification", False, True),
]
QUEUES = [
    {
        "number": 100,
        "name": "Sales",
        "accept_timeout": 30,
        "reminder_mode": ReminderMode.AFTER_FIRST_MESSAGE,
        "reminder_delay": 60,
        "admin_url_template": "https://crm.example.com/activities/{activity.id}",
        "statuses": ["Resolved", "Follow-up needed", "Not relevant"],
        "widgets": ["message", "contact", "account", "ticket"],
    },
    {
        "number": 200,
        "name": "Support",
        "accept_timeout": 45,
        "reminder_mode": ReminderMode.EVERY_MESSAGE,
        "statuses": STATUSES,
        "widgets": ["message", "contact", "ticket", "articles"],
    },
    {
        "number": 300,
        "name": "VIP",
        "accept_timeout": 20,
        "unpaid_pause_on_timeout": False,
        "statuses": ["Resolved", "Follow-up needed"],
        "widgets": ["message", "contact", "account", "calendar"],
    },
]
AGENTS = [
    # username, display name, queue numbers
    ("alice", "Alice Novak", [100, 200]),
    ("bob", "Bob Horvat", [200]),
    ("carol", "Carol Smith", [100, 300]),
]


@dataclass(frozen=True)
class Login:
    """A demo user to print: with a password, or (an integration account) an API token."""

    username: str
    password: str
    role: str
    api_token: str = ""


@dataclass(frozen=True)
class DemoBase:
    """What an app's demo data builds on: the demo queues by number, and the supervisor."""

    queues: dict[int, Queue]
    supervisor: AbstractBaseUser


Loader = Callable[[DemoBase], Iterable[Login] | None]
_loaders: list[Loader] = []


def demo_loader_register(loader: Loader) -> None:
    """An app adds its demo data, and may return logins to print; the loader must be
    idempotent, as `load_demo` is."""
    if loader not in _loaders:
        _loaders.append(loader)


def demo_password(username: str) -> str:
    return f"{username}-demo"


@transaction.atomic
def load_demo() -> list[Login]:
    """Create the demo data that is missing; return the logins to print."""
    statuses = {name: Status.objects.get_or_create(name=name)[0] for name in STATUSES}
    for name, paid, is_missed_offer in PAUSE_REASONS:
        PauseReason.objects.get_or_create(
            name=name, defaults={"paid": paid, "is_missed_offer": is_missed_offer}
        )
    queues = {spec["number"]: _queue(spec, statuses) for spec in QUEUES}
    supervisor = _supervisor()
    logins = [supervisor]
    for username, display_name, numbers in AGENTS:
        if not Agent.objects.filter(user__username=username).exists():
            agent_create(
                username=username,
                password=demo_password(username),
                display_name=display_name,
                queues=[queues[number] for number in numbers],
            )
        logins.append(Login(username, demo_password(username), "agent"))
    base = DemoBase(queues, get_user_model().objects.get(username=supervisor.username))
    for loader in _loaders:
        logins.extend(loader(base) or ())
    return logins


def _queue(spec: dict, statuses: dict[str, Status]) -> Queue:
    existing = Queue.objects.filter(number=spec["number"]).first()
    if existing:
        return existing
    fields = {key: value for key, value in spec.items() if key not in ("statuses", "widgets")}
    queue = queue_create(statuses=[statuses[name] for name in spec["statuses"]], **fields)
    for position, kind in enumerate(spec["widgets"]):
        QueueWidget.objects.create(queue=queue, kind=kind, position=position)
    return queue


def supervisors_group() -> Group:
    """The supervisors' group, made or brought up to date: they manage everything of the
    product's own apps, and the users who are agents."""
    group, _ = Group.objects.get_or_create(name=SUPERVISOR_GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=settings.PRODUCT_APPS)
        | Permission.objects.filter(content_type__app_label="auth", content_type__model="user")
    )
    return group


def _supervisor() -> Login:
    group = supervisors_group()
    username = "supervisor"
    user_model = get_user_model()
    if not user_model.objects.filter(username=username).exists():
        user = user_model.objects.create_user(
            username=username,
            password=demo_password(username),
            first_name="Sam Supervisor",
            is_staff=True,
        )
        user.groups.add(group)
    return Login(username, demo_password(username), "supervisor")
