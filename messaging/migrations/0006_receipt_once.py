# A status a provider reports again (retries, replays) is kept once: the copies kept so far go,
# the first of each stays, then the database refuses new ones.

from django.db import migrations, models
from django.db.models import Min


def drop_copies(apps, schema_editor):
    receipts = apps.get_model("messaging", "DeliveryReceipt")
    first = (
        receipts.objects.values("channel_account", "provider_message_id", "status")
        .annotate(first=Min("id"))
        .values("first")
    )
    receipts.objects.exclude(pk__in=first).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0005_delete_simulator_models"),
    ]

    operations = [
        migrations.RunPython(drop_copies, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="deliveryreceipt",
            name="receipt_lookup",
        ),
        migrations.AddConstraint(
            model_name="deliveryreceipt",
            constraint=models.UniqueConstraint(
                fields=("channel_account", "provider_message_id", "status"), name="receipt_once"
            ),
        ),
    ]
