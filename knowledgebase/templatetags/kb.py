from django import template
from django.utils.safestring import SafeString

from knowledgebase.search import highlighted

register = template.Library()


@register.filter
def kb_highlight(snippet: str | None) -> SafeString:
    """A search snippet, escaped, its matched words marked."""
    return highlighted(snippet)
