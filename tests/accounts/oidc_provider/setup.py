"""Run once before the provider serves: a person with an e-mail address and the client the app is registered as."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.accounts.oidc_provider.settings")
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

call_command("migrate", verbosity=0, interactive=False)
client_id, client_secret, redirect_uri, people = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
for username, password, email in people:
    User.objects.create_user(username, email=email, password=password)
Application.objects.create(
    name="localstandards",
    client_id=client_id,
    client_secret=client_secret,
    client_type=Application.CLIENT_CONFIDENTIAL,
    authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
    redirect_uris=redirect_uri,
    algorithm=Application.RS256_ALGORITHM,
    skip_authorization=True,
)
