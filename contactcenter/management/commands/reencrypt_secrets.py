from django.core.management.base import BaseCommand
from django.db import transaction

from contactcenter.encryption import encrypted_values_rewrite


class Command(BaseCommand):
    help = (
        "Encrypt every stored secret again with the first key of FIELD_ENCRYPTION_KEYS, so that "
        "the keys after it can be dropped (idempotent)."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            rows = encrypted_values_rewrite()
        self.stdout.write(self.style.SUCCESS(f"{rows} rows written with the first key."))
