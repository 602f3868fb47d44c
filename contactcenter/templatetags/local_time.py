"""`{% local_time value %}`: a time on a server-rendered page, shown in the one format the
workspace's scripts use (the agent's own locale, through Intl: `clockTime` in dom.js). The
server's text stands only until the page's script formats it."""

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def local_time(value, empty: str = "—") -> str:
    if not value:
        return empty
    text = date_format(timezone.localtime(value), "j M Y H:i")
    return format_html('<time datetime="{}" data-local>{}</time>', value.isoformat(), text)
