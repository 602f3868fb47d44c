"""The floor plan holds: apps plug into the core, never the other way; no import circle spans two
apps; every provider difference stays in the connectors. Read from the source, as a reviewer
would check it."""

import ast
import re
from pathlib import Path

from django.conf import settings

from config.environment import BASE_DIR

CORE = "contactcenter"
APPS = [*settings.PRODUCT_APPS, "simulator"]
PROVIDER_COMPARISON = re.compile(
    r"provider (==|!=|in)\b|Provider\.(WHATSAPP|MESSENGER|INSTAGRAM|VIBER)|META_PROVIDERS"
)


def sources(app: str) -> list[Path]:
    return [
        path
        for path in sorted((BASE_DIR / app).rglob("*.py"))
        if "migrations" not in path.relative_to(BASE_DIR).parts
    ]


def imported_apps(path: Path) -> set[str]:
    """The apps a module imports, at its top or inside its functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {name.split(".")[0] for name in names} & set(APPS)


def app_arrows() -> dict[str, set[str]]:
    return {
        app: set().union(*(imported_apps(path) for path in sources(app))) - {app} for app in APPS
    }


def test_the_core_imports_no_other_app():
    importing = {
        str(path.relative_to(BASE_DIR)): imported_apps(path) - {CORE} for path in sources(CORE)
    }
    assert {path: apps for path, apps in importing.items() if apps} == {}


def test_no_import_circle_spans_two_apps():
    arrows = app_arrows()

    def reaches(start: str, goal: str, seen: frozenset = frozenset()) -> bool:
        return any(
            step == goal or (step not in seen and reaches(step, goal, seen | {step}))
            for step in arrows[start]
        )

    assert [app for app in APPS if reaches(app, app)] == []


def test_the_arrows_between_apps_are_the_planned_ones():
    """Each arrow here is a dependency someone chose; a new one is a decision to make here."""
    assert app_arrows() == {
        "contactcenter": set(),
        "messaging": {"contactcenter"},
        "crm": {"contactcenter", "messaging"},
        "tickets": {"contactcenter", "crm"},
        # The Articles widget suggests from the customer's messages; pictures are sniffed as
        # messaging's files are.
        "knowledgebase": {"contactcenter", "messaging"},
        # The room's link goes to the customer as the agent's message.
        "cobrowse": {"contactcenter", "messaging"},
        "schedule": {"contactcenter", "crm"},
        "simulator": {"contactcenter", "messaging"},
        "supervision": {"contactcenter", "messaging"},
        "integrations": {"contactcenter"},
    }


def test_provider_differences_live_only_in_the_connectors():
    """The simulator is left out: it plays each provider, so telling them apart is its job."""
    connectors = BASE_DIR / "messaging" / "connectors"
    found = [
        f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}"
        for app in APPS
        if app != "simulator"
        for path in sources(app)
        if connectors not in path.parents
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if PROVIDER_COMPARISON.search(line)
    ]
    assert found == []
