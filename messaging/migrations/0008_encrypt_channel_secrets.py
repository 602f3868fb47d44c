# Channel accounts' credentials go encrypted at rest (contactcenter.encryption, keys from
# FIELD_ENCRYPTION_KEYS). The columns widen to text (a ciphertext is longer than its secret),
# the rows written before are encrypted in place while the fields are still plain text to the
# ORM, and only then do the fields become encrypted ones. Reversed, the rows are decrypted
# before the columns narrow again.

from django.db import migrations, models

from contactcenter.encryption import EncryptedTextField, decrypt, encrypt

SECRETS = ["access_token", "app_secret", "verify_token", "viber_auth_token"]


def _rewrite(apps, change) -> None:
    accounts = apps.get_model("messaging", "ChannelAccount").objects
    for row in accounts.values("pk", *SECRETS).iterator():
        pk = row.pop("pk")
        accounts.filter(pk=pk).update(
            **{name: change(value) if value else value for name, value in row.items()}
        )


def encrypt_rows(apps, schema_editor) -> None:
    _rewrite(apps, encrypt)


def decrypt_rows(apps, schema_editor) -> None:
    _rewrite(apps, decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0007_message_queued_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="channelaccount",
            name="app_secret",
            field=models.TextField(
                blank=True, help_text="Signs Meta's webhooks (X-Hub-Signature-256)."
            ),
        ),
        migrations.AlterField(
            model_name="channelaccount",
            name="verify_token",
            field=models.TextField(blank=True, help_text="Meta's webhook verification handshake."),
        ),
        migrations.AlterField(
            model_name="channelaccount",
            name="viber_auth_token",
            field=models.TextField(
                blank=True, help_text="Viber bot token: authenticates calls, signs webhooks."
            ),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
        migrations.AlterField(
            model_name="channelaccount",
            name="access_token",
            field=EncryptedTextField(blank=True, help_text="Graph API token (Meta providers)."),
        ),
        migrations.AlterField(
            model_name="channelaccount",
            name="app_secret",
            field=EncryptedTextField(
                blank=True, help_text="Signs Meta's webhooks (X-Hub-Signature-256).", max_length=128
            ),
        ),
        migrations.AlterField(
            model_name="channelaccount",
            name="verify_token",
            field=EncryptedTextField(
                blank=True, help_text="Meta's webhook verification handshake.", max_length=128
            ),
        ),
        migrations.AlterField(
            model_name="channelaccount",
            name="viber_auth_token",
            field=EncryptedTextField(
                blank=True,
                help_text="Viber bot token: authenticates calls, signs webhooks.",
                max_length=128,
            ),
        ),
    ]
