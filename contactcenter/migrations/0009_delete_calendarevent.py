"""The calendar moved to its own app (schedule): the model leaves the core's state, its table and
rows stay, and schedule's first migration takes them over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("contactcenter", "0008_activityevent_feed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CalendarEvent")],
            database_operations=[],
        ),
    ]
