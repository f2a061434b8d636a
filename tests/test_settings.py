"""The deployment knobs of config/settings.py that scale the app out (docs/deployment.md): read from the
environment, and without them the one-process defaults `make run` and the tests use."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType
from unittest import mock

SETTINGS_FILE = Path(__file__).resolve().parents[1] / "config" / "settings.py"
SCALE_OUT_VARIABLES = (
    "REDIS_URL",
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
)


def settings_with(**environment: str) -> ModuleType:
    """config/settings.py as a process started with this environment would read it."""
    spec = importlib.util.spec_from_file_location("settings_under_test", SETTINGS_FILE)
    module = importlib.util.module_from_spec(spec)
    clean = {k: v for k, v in os.environ.items() if k not in SCALE_OUT_VARIABLES}
    with mock.patch.dict(os.environ, {**clean, **environment}, clear=True):
        spec.loader.exec_module(module)
    return module


def test_without_redis_or_a_bucket_one_process_keeps_memory_cache_database_sessions_and_files_on_disk():
    settings = settings_with()
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert getattr(settings, "SESSION_ENGINE", "django.contrib.sessions.backends.db").endswith(".db")
    assert settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_with_redis_the_cache_and_sessions_are_shared_by_every_instance():
    settings = settings_with(REDIS_URL="redis://cache.internal:6379/1")
    cache = settings.CACHES["default"]
    assert (cache["BACKEND"], cache["LOCATION"]) == (
        "django.core.cache.backends.redis.RedisCache",
        "redis://cache.internal:6379/1",
    )
    assert cache["OPTIONS"]["socket_timeout"] <= 5  # an outage is a quick error, not a hung worker
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"


def test_login_throttling_counts_in_the_shared_database_whatever_the_cache():
    for environment in ({}, {"REDIS_URL": "redis://cache.internal:6379/1"}):
        assert settings_with(**environment).AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"


def test_with_a_bucket_evidence_goes_to_private_object_storage():
    settings = settings_with(
        S3_BUCKET="evidence",
        S3_ENDPOINT_URL="https://s3.internal",
        S3_REGION="ap-southeast-7",
        S3_ACCESS_KEY_ID="key",
        S3_SECRET_ACCESS_KEY="secret",
    )
    storage = settings.STORAGES["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "evidence",
        "https://s3.internal",
        "ap-southeast-7",
    )
    assert (options["access_key"], options["secret_key"]) == ("key", "secret")
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    # The static files keep their own storage.
    assert settings.STORAGES["staticfiles"] == settings_with().STORAGES["staticfiles"]
