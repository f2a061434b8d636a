"""The password hasher: Argon2id at a cost chosen for this service (docs/deployment.md, "Password hashing").

Django's default, PBKDF2-SHA256 at 1.5 million iterations, took 1.1–1.4 s of one core per login on the 2-core
development machine: on deadline day that is CPU the app servers need for saving. Argon2id is memory-hard, so a
far smaller time cost resists GPU guessing as well. The parameters are OWASP's recommended minimum for Argon2id
(19 MiB of memory, 2 passes, 1 lane): 75–125 ms per check here, measured on the busy shared machine. Older
PBKDF2 hashes still verify (the hasher stays in PASSWORD_HASHERS) and are re-hashed with these parameters at the
user's next login.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    # The same algorithm name as Django's: hashes say their own parameters, so raising these later re-hashes
    # each password at its next login (Django's must_update), and nothing else changes.
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1  # one lane: a login uses one core, the other requests keep the rest
