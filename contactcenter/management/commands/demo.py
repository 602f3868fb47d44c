from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from contactcenter.demo import load_demo


class Command(BaseCommand):
    help = "Create the demo queues, statuses, pause reasons, supervisor and agents (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo data even with DEBUG off.",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Demo data has well-known passwords; with DEBUG off pass --force to load it."
            )
        logins = load_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Logins:"))
        for login in logins:
            secret = login.password or f"API token {login.api_token}"
            self.stdout.write(f"  {login.role:<11} {login.username:<12} {secret}")
