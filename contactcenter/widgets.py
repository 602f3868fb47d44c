"""The activity screen's widgets, in the order the queue's layout sets.

Each kind is a template and a function giving its context; kinds whose app has not delivered
its widget yet are left out of the screen. The message widget is always there: a layout that
does not list it gets it first.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from contactcenter.models import Activity, Agent, QueueWidget, WidgetKind
from contactcenter.placeholders import activity_values, fill_url
from messaging.widget import message_widget_context


@dataclass(frozen=True)
class Widget:
    template: str
    context: Callable[[HttpRequest, Activity, Agent, QueueWidget], dict]


def _iframe(request: HttpRequest, activity: Activity, agent: Agent, widget: QueueWidget) -> dict:
    return {"url": fill_url(widget.url, activity_values(activity, agent))}


WIDGETS = {
    WidgetKind.MESSAGE: Widget(
        "messaging/widgets/message.html",
        lambda request, activity, agent, _: message_widget_context(request, activity, agent),
    ),
    WidgetKind.IFRAME: Widget("contactcenter/widgets/iframe.html", _iframe),
}


def screen_widgets(request: HttpRequest, activity: Activity, agent: Agent) -> list[SafeString]:
    """The activity's widgets rendered, in layout order."""
    layout = list(QueueWidget.objects.filter(queue_id=activity.queue_id))
    if not any(widget.kind == WidgetKind.MESSAGE for widget in layout):
        layout.insert(0, QueueWidget(queue_id=activity.queue_id, kind=WidgetKind.MESSAGE))
    rendered = []
    for widget in layout:
        spec = WIDGETS.get(widget.kind)
        if spec is None:
            continue
        context = {"widget": widget, **spec.context(request, activity, agent, widget)}
        rendered.append(render_to_string(spec.template, context, request=request))
    return rendered
