"""manage.py issue_api_token USERNAME --scope province:50 [--days 90] [--write] [--name NAME]: print a new token.

The same service as the token page (api.services.issue_token): the scope is never wider than the user's own, and
the secret is printed once (only its SHA-256 is stored).
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from localstandards.accounts.models import User
from localstandards.api.models import TokenScope
from localstandards.api.services import TokenError, issue_token
from localstandards.registry.models import LocalGovernment, Province


class Command(BaseCommand):
    help = "Issue an API token for a user (scope: nation, province:CODE or local-government:DLA_CODE)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--scope", default="nation")
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--write", action="store_true", help="may write answers (a local government's token)")
        parser.add_argument("--name", default="command line")

    def handle(self, *args, username: str, scope: str, days: int, write: bool, name: str, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        level, _sep, code = scope.partition(":")
        kwargs: dict = {}
        if level == "nation":
            kwargs["scope_level"] = TokenScope.NATION
        elif level == "province":
            kwargs["scope_level"] = TokenScope.PROVINCE
            kwargs["province"] = Province.objects.filter(code=code).first()
        elif level == "local-government":
            kwargs["scope_level"] = TokenScope.LOCAL_GOVERNMENT
            kwargs["local_government"] = LocalGovernment.objects.filter(dla_code=code).first()
        else:
            raise CommandError("--scope is nation, province:CODE or local-government:DLA_CODE.")
        try:
            issued = issue_token(
                user, name=name, can_write=write, expires_on=timezone.localdate() + dt.timedelta(days=days), **kwargs
            )
        except TokenError as error:
            raise CommandError(error.message) from None
        self.stdout.write(issued.key)
