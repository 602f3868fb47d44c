"""What other apps add to the CRM's contact and account pages: a section each, below the
record's own (the tickets app lists the record's tickets). Apps register theirs from their
`AppConfig.ready`."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model
from django.http import HttpRequest
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Section:
    title: str
    render: Callable[[HttpRequest, Model], SafeString]  # the record's section, as HTML


_sections: dict[str, list[Section]] = {"contact": [], "account": []}


def section_register(record: str, section: Section) -> None:
    """Add `section` to the pages of `record` ("contact" or "account")."""
    if section not in _sections[record]:
        _sections[record].append(section)


def sections_of(request: HttpRequest, record: str, instance: Model) -> list[tuple[str, SafeString]]:
    """Each section of the record's page: its title and its HTML."""
    return [(section.title, section.render(request, instance)) for section in _sections[record]]
