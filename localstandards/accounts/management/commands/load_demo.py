from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from localstandards.accounts.services import DemoDataError, load_demo_accounts


class Command(BaseCommand):
    help = "Create (or refresh) one demo user per role in Chiang Mai and print the logins. Never in production."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(_("Demo accounts are not allowed in production settings."))
        try:
            accounts = load_demo_accounts()
        except DemoDataError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(_("Demo logins (new passwords each run):")))
        width = max(len(a.username) for a in accounts)
        for account in accounts:
            self.stdout.write(
                f"  {account.username:<{width}}  {account.password}  {account.role_label} — {account.scope}"
            )
