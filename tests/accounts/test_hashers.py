"""Passwords: new ones are hashed with Argon2id at the cost docs/deployment.md documents; the PBKDF2 hashes
stored before still let their owners in, and are replaced at that login.

The other tests hash with MD5 for speed (tests/conftest.py); these put the project's own list back.
"""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher
from django.urls import reverse

import config.settings as project_settings
from tests.conftest import PASSWORD
from tests.factories import UserFactory


def test_new_passwords_are_hashed_with_argon2id_at_the_documented_cost(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    hasher = get_hasher("default")
    assert (hasher.algorithm, hasher.time_cost, hasher.memory_cost, hasher.parallelism) == ("argon2", 2, 19456, 1)
    assert hasher.encode(PASSWORD, hasher.salt()).startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.django_db
def test_a_password_stored_with_pbkdf2_still_logs_in_and_is_rehashed_with_argon2id(settings, client):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = UserFactory(username="hashed-before")
    # As Django's default stored it (with fewer iterations than its 1.5 million, so that the test stays quick).
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "an-old-salt", iterations=1000)
    user.save(update_fields=["password"])

    response = client.post(reverse("login"), {"username": "hashed-before", "password": PASSWORD})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password(PASSWORD)
