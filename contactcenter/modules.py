"""The workspace's main menu: the dashboard, then the modules apps deliver, in menu order; at its
foot, links to pages of the user's own apart from the workspace (which users who are not agents
are shown too).

An app delivers its module from its `AppConfig.ready` (`module_register`); a module whose page is
not built yet is listed without one, and its screen says so. A module may put a card of its own
on the dashboard. It adds a user's page the same way
(`user_link_register`).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Module:
    slug: str
    title: str
    position: int  # menu order
    url_name: str | None = None  # the page the module's screen loads; None: not built yet
    # A card of the module's on the dashboard (a page loaded into it, and again on the page
    # event "cc:refresh-<slug>"); None: none.
    card_url_name: str | None = None


_modules: dict[str, Module] = {}


def module_register(module: Module) -> None:
    _modules[module.slug] = module


def menu_modules() -> list[Module]:
    return sorted(_modules.values(), key=lambda module: module.position)


@dataclass(frozen=True)
class PageLink:
    title: str
    url_name: str


_user_links: list[PageLink] = []


def user_link_register(link: PageLink) -> None:
    if link not in _user_links:
        _user_links.append(link)


def user_links() -> list[PageLink]:
    return list(_user_links)
