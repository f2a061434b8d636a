"""What two app instances behind the load balancer must share: login throttling and sessions (docs/deployment.md).

Each test client below stands for a request that the balancer sent to another instance: it shares nothing with
the other client but the database and the cache backend, as two gunicorn instances share PostgreSQL and Redis.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
import redis
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _fail_login(client: Client, **extra) -> int:
    return client.post(reverse("login"), {"username": "staff", "password": "wrong"}, **extra).status_code


def test_login_failures_on_two_instances_add_up_to_one_lockout(users, settings):
    settings.AXES_FAILURE_LIMIT = 4
    first, second = Client(), Client()
    assert [_fail_login(first), _fail_login(second), _fail_login(first)] == [200, 200, 200]
    # The count lives in the database both instances share, not in either one's memory.
    assert AccessAttempt.objects.get(username="staff").failures_since_start == 3
    assert _fail_login(second) == 429
    assert Client().post(reverse("login"), {"username": "staff", "password": PASSWORD}).status_code == 429


def test_behind_the_balancer_failures_count_against_the_officers_address_not_the_balancer(users, settings):
    """Every request reaches the app from the balancer's address; X-Forwarded-For's last entry is the officer's."""
    settings.AXES_FAILURE_LIMIT = 2
    settings.BEHIND_PROXY = True
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert [_fail_login(Client(), **attacker), _fail_login(Client(), **attacker)] == [200, 429]
    # The officer, at another address through the same balancer, still logs in.
    officer = Client().post(
        reverse("login"), {"username": "staff", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert officer.status_code == 302
    # A forged first entry does not give the attacker a fresh count: only the balancer's own entry is believed.
    forged = {"HTTP_X_FORWARDED_FOR": "192.0.2.1, 203.0.113.9"}
    assert _fail_login(Client(), **forged) == 429


def test_without_a_balancer_the_forwarded_header_is_ignored(users, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.BEHIND_PROXY = False
    assert _fail_login(Client(), HTTP_X_FORWARDED_FOR="203.0.113.1") == 200
    assert _fail_login(Client(), HTTP_X_FORWARDED_FOR="203.0.113.2") == 429  # both are REMOTE_ADDR 127.0.0.1


@pytest.fixture(scope="module")
def redis_url():
    """A Redis server of this file's own on a free loopback port (the machine's shared one is left alone)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    connection = redis.Redis(port=port)
    for _ in range(100):
        try:
            connection.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    connection.close()
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def redis_sessions(redis_url, settings):
    """The settings REDIS_URL gives (config/settings.py): the Redis cache and cached_db sessions."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url, "KEY_PREFIX": "ls"}
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    connection = redis.Redis.from_url(redis_url)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


def _home_as(session_key: str) -> str:
    """The home page for a client that has only the session cookie (a request to another instance)."""
    client = Client()
    client.cookies["sessionid"] = session_key
    return client.get(reverse("home")).content.decode()


def test_a_session_opened_on_one_instance_is_read_on_the_other_and_survives_a_redis_restart(users, redis_sessions):
    first = Client()
    assert first.post(reverse("login"), {"username": "staff", "password": PASSWORD}).status_code == 302
    key = first.cookies["sessionid"].value
    assert any(key.encode() in k for k in redis_sessions.keys("*")), "the session is not in Redis"
    assert "หนองป่าครั่ง" in _home_as(key)

    # A Redis restart (it keeps nothing on disk) logs nobody out: the session was written through to the database.
    redis_sessions.flushdb()
    assert "หนองป่าครั่ง" in _home_as(key)

    # That read put it back in Redis, which now serves it even with the database row emptied.
    Session.objects.filter(session_key=key).update(session_data="")
    assert "หนองป่าครั่ง" in _home_as(key)
