"""The workspace's main menu: the dashboard, then the modules apps deliver, in menu order.

An app delivers its module from its `AppConfig.ready` (`module_register`); a module whose page is
not built yet is listed without one, and its screen says so.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Module:
    slug: str
    title: str
    position: int  # menu order
    url_name: str | None = None  # the page the module's screen loads; None: not built yet


_modules: dict[str, Module] = {}


def module_register(module: Module) -> None:
    _modules[module.slug] = module


def menu_modules() -> list[Module]:
    return sorted(_modules.values(), key=lambda module: module.position)
