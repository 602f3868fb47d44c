"""Demo ticket categories."""

from contactcenter.demo import DemoBase
from tickets.models import Category

CATEGORIES = ["Order", "Complaint", "Question"]


def demo_load(_: DemoBase) -> None:
    """Create the categories that are missing (found by name). Idempotent."""
    for name in CATEGORIES:
        Category.objects.get_or_create(name=name)
