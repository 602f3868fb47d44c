"""The calendar's events, moved from the core (contactcenter.CalendarEvent) with their table:
nothing is created in the database, and the content type (with the permissions given to groups)
is renamed to this app's."""

import django.db.models.deletion
from django.db import migrations, models


def content_type_moved(apps, schema_editor) -> None:
    """An existing installation's content type follows the model, unless this app has one."""
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label="schedule", model="calendarevent").exists():
        content_types.objects.filter(app_label="contactcenter", model="calendarevent").update(
            app_label="schedule"
        )


def content_type_back(apps, schema_editor) -> None:
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label="schedule", model="calendarevent").update(
        app_label="contactcenter"
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contactcenter", "0009_delete_calendarevent"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CalendarEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("title", models.CharField(max_length=200)),
                        ("description", models.TextField(blank=True)),
                        ("starts_at", models.DateTimeField()),
                        ("ends_at", models.DateTimeField()),
                        (
                            "agent",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="calendar_events",
                                to="contactcenter.agent",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "contactcenter_calendarevent",
                        "ordering": ["starts_at"],
                        "indexes": [
                            models.Index(
                                fields=["agent", "starts_at"], name="calendarevent_agent_day"
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("ends_at__gte", models.F("starts_at"))),
                                name="calendarevent_ends_after_start",
                                violation_error_message="An event cannot end before it starts.",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_moved, content_type_back),
    ]
