"""The activity screen's widgets, in the order the queue's layout sets.

Each kind is a template and a function giving its context. Apps deliver theirs as they start
(`widgets_register`, from their `AppConfig.ready`); kinds whose app has not delivered its widget
are left out of the screen. The message widget is always there, as the main column; the others
stand beside it in the layout's order. Every widget but the message widget can be rendered
again on its own (`widget_url`), when the activity changes.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from contactcenter.models import Activity, QueueWidget, WidgetKind
from contactcenter.placeholders import activity_values, fill_url


@dataclass(frozen=True)
class Widget:
    template: str
    context: Callable[[HttpRequest, Activity, QueueWidget], dict]


def _iframe(request: HttpRequest, activity: Activity, widget: QueueWidget) -> dict:
    return {"url": fill_url(widget.url, activity_values(activity, request.agent))}


WIDGETS: dict[str, Widget] = {
    WidgetKind.IFRAME: Widget("contactcenter/widgets/iframe.html", _iframe)
}


def widgets_register(widgets: dict[str, Widget]) -> None:
    """An app delivers its widgets, by kind (a `WidgetKind`), from its `AppConfig.ready`."""
    WIDGETS.update(widgets)


def widget_installed(kind: str) -> bool:
    """Whether a layout's widget of this kind reaches the screen: its app delivered it (the
    message widget is always there)."""
    return kind == WidgetKind.MESSAGE or kind in WIDGETS


def screen_widgets(request: HttpRequest, activity: Activity) -> tuple[SafeString, list[SafeString]]:
    """The message widget, and the others in layout order (the screen's side column)."""
    layout = QueueWidget.objects.filter(queue_id=activity.queue_id).exclude(kind=WidgetKind.MESSAGE)
    message = QueueWidget(queue_id=activity.queue_id, kind=WidgetKind.MESSAGE)
    side = [_render(request, activity, widget) for widget in layout if widget.kind in WIDGETS]
    return _render(request, activity, message), side


def widget_render(request: HttpRequest, activity: Activity, kind: str, **extra) -> SafeString:
    """One widget of the activity's screen (not the message widget, which stays live); `extra`
    goes into its context (an action's refusal, a ticket search)."""
    if kind not in WIDGETS or kind in (WidgetKind.MESSAGE, WidgetKind.IFRAME):
        raise Http404("No such widget.")
    widget = QueueWidget(queue_id=activity.queue_id, kind=kind)
    return _render(request, activity, widget, extra)


def _render(
    request: HttpRequest, activity: Activity, widget: QueueWidget, extra: dict | None = None
) -> SafeString:
    spec = WIDGETS[widget.kind]
    context = {
        "widget": widget,
        "activity": activity,
        "widget_url": reverse("activity-widget", args=[activity.pk, widget.kind]),
        **spec.context(request, activity, widget),
        **(extra or {}),
    }
    return render_to_string(spec.template, context, request=request)
