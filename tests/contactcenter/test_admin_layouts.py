"""A queue's layout in the admin says which of its widgets reach the activity screen: one whose
app is not installed is listed with the reason instead of silently missing from the screen."""

import pytest
from django.urls import reverse

from contactcenter.models import QueueWidget, WidgetKind
from contactcenter.widgets import WIDGETS
from tests.factories import QueueFactory, SupervisorFactory

pytestmark = pytest.mark.django_db


def test_a_widget_whose_app_is_not_installed_says_so_on_the_queues_page(client, monkeypatch):
    # given: a layout with the ticket widget and the calendar's, whose app is gone
    queue = QueueFactory()
    QueueWidget.objects.create(queue=queue, kind=WidgetKind.TICKET, position=1)
    QueueWidget.objects.create(queue=queue, kind=WidgetKind.CALENDAR, position=2)
    monkeypatch.delitem(WIDGETS, WidgetKind.CALENDAR)
    client.force_login(SupervisorFactory(is_superuser=True))
    # when
    page = client.get(reverse("admin:contactcenter_queue_change", args=[queue.pk]))
    # then
    text = page.content.decode()
    assert page.status_code == 200
    assert "Not shown: the app of the Calendar widget is not installed" in text
    assert text.count("Not shown") == 1
    assert "Shown" in text
