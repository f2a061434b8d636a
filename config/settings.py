"""Settings for the minimum-standards system: one module, every deployment knob read from the environment.

DJANGO_ENV=development (default) | test | production decides the defaults; see docs/deployment.md.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("DJANGO_ENV", "development")
IS_PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DJANGO_DEBUG", not IS_PRODUCTION and ENVIRONMENT != "test")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise RuntimeError("DJANGO_SECRET_KEY must be set in production")
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if IS_PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "localstandards.accounts.admin_site.LocalStandardsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "config.apps.LoginLockoutsConfig",  # axes
    "django_otp",  # two-factor login (TOTP and recovery codes): accounts.two_factor
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "localstandards.core",
    "localstandards.accounts",
    "localstandards.registry",
    "localstandards.frameworks",
    "localstandards.assessments",
    "localstandards.progress",
    "localstandards.scoring",
    "localstandards.reports",
    "localstandards.analysis",
    "localstandards.subsidy",
    "localstandards.awards",
    "localstandards.committee",
    "localstandards.operations",
    "localstandards.public",
    "localstandards.api",
    "ninja",  # the API docs page's Swagger UI files, served from the package (no CDN)
    "localstandards.notices",
    "localstandards.pages",
    "localstandards.generator",
    "simple_history",
    "config.apps.BackgroundTasksConfig",  # django_tasks_db
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Text responses are gzipped here (the entry page: 80 KB of HTML → 9 KB); static files are precompressed by
    # whitenoise above, which answers before this runs. Why this is acceptable (BREACH): docs/deployment.md.
    "localstandards.core.middleware.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "localstandards.core.middleware.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: every view needs a login unless it is marked login_not_required (the public ones, one by
    # one: home, about, login and password reset, public results and progress, language and digit switches).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "localstandards.core.middleware.PrivateResponsesMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "localstandards.accounts.two_factor.TwoFactorMiddleware",  # national admins must pass the second factor
    "django.contrib.messages.middleware.MessageMiddleware",
    # A NUL character in a query or a posted field: a clear 400 before any view (PostgreSQL cannot hold one).
    "localstandards.core.middleware.RefuseNulCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "localstandards.core.context_processors.site",
            ],
            "builtins": [
                "localstandards.core.templatetags.thaidate",
                "localstandards.core.templatetags.utils",
                "localstandards.core.templatetags.icons",
            ],
        },
    },
]

# SQLite is the embedded default; set DATABASE_URL=postgres://… for PostgreSQL (see README).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Let concurrent writers wait instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file, not shared-cache memory: the browser tests' live server answers requests in parallel,
    # and only a file database honours the busy timeout (memory raises "table is locked").
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"localstandards-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache (Redis) when several app servers run; local memory is enough for one process in development.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "localstandards.accounts.backends.NationalAdminPermissionBackend",
]
# Argon2id at OWASP's minimum cost (75–125 ms a check here, was 1.1–1.4 s with PBKDF2); the PBKDF2 hashers stay
# so older hashes verify, and are upgraded at the next login. Why this cost: docs/deployment.md.
PASSWORD_HASHERS = [
    "localstandards.accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# How long an activation code (accounts.Invitation) stays usable after it is issued.
INVITATION_CODE_DAYS = int(os.environ.get("INVITATION_CODE_DAYS", "60"))
# Two-factor login (TOTP) is required of national administrators (the test suite turns it off except in its tests).
TWO_FACTOR_REQUIRED_FOR_NATIONAL_ADMINS = env_bool("TWO_FACTOR_REQUIRED_FOR_NATIONAL_ADMINS", True)
OTP_TOTP_ISSUER = "MSS"
LOGOUT_REDIRECT_URL = "home"

# Single sign-on by OpenID Connect (code flow + PKCE, mozilla-django-oidc) when OIDC_RP_CLIENT_ID is set: the
# identity is linked to an existing account, never creates one (localstandards/accounts/oidc.py; docs/deployment.md).
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
if OIDC_RP_CLIENT_ID:
    OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
    OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = os.environ["OIDC_OP_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = os.environ["OIDC_OP_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = os.environ["OIDC_OP_JWKS_ENDPOINT"]
    OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
    OIDC_USE_PKCE = True
    OIDC_CREATE_USER = False
    LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"
    AUTHENTICATION_BACKENDS.append("localstandards.accounts.oidc.LinkingBackend")

# Login throttling: lock a username + address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Password spraying: failed logins per client address (any usernames) in 15 minutes before that address must wait
# (localstandards.accounts.throttling; an office behind one NAT address shares the allowance).
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "30"))

# Thai first, English second; dates in the Buddhist era (see localstandards.core.thaidate).
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True
# Thai digits (๑๒๓) in dates and numbers when a visitor has not chosen; each visitor can switch.
THAI_DIGITS_DEFAULT = env_bool("THAI_DIGITS_DEFAULT", False)

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
# Node draws the committee report's charts with ECharts on the server (committee/charts/render.mjs); it is installed
# with npm by `make install`.
NODE_BINARY = os.environ.get("NODE_BINARY", "node")
# Front-end packages come from npm at install time (package.json); nothing is copied into the repository.
# Only the files the pages use are collected (localstandards/core/staticfiles.py): the packages' dist folders
# hold every build and source map (179 MB collected when whole folders were listed). A file a stylesheet refers
# to (fonts, source maps) must be listed too, or the hashed storage refuses it at collectstatic.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "localstandards.core.staticfiles.AppDirectoriesFinder",
    "localstandards.core.staticfiles.NpmFilesFinder",
]
STATICFILES_SKIP_APPS = ["django_htmx"]  # its bundled htmx builds; the pages load npm's htmx.org
# Of these apps' static files, only the ones listed (the API docs page: Swagger UI and the maps its files name).
STATICFILES_APP_FILES = {
    "ninja": [
        "ninja/swagger-ui.css",
        "ninja/swagger-ui.css.map",
        "ninja/swagger-ui-bundle.js",
        "ninja/swagger-ui-bundle.js.map",
        "ninja/swagger-ui-init.js",
        "ninja/favicon.*",
    ]
}
NPM_STATIC_FILES = [
    (
        "vendor/bootstrap",
        "bootstrap/dist",
        [
            "css/bootstrap.min.css",
            "css/bootstrap.min.css.map",
            "js/bootstrap.bundle.min.js",
            "js/bootstrap.bundle.min.js.map",
        ],
    ),
    (
        "vendor/sarabun",
        "@fontsource/sarabun",
        [
            "thai-400.css",
            "latin-400.css",
            "thai-600.css",
            "latin-600.css",
            "files/sarabun-thai-[46]00-normal.woff*",
            "files/sarabun-latin-[46]00-normal.woff*",
        ],
    ),
    ("vendor/htmx", "htmx.org/dist", ["htmx.min.js"]),
    ("vendor/echarts", "echarts/dist", ["echarts.min.js"]),
]
# Icons are inlined from node_modules/bootstrap-icons/icons by {% icon %} (core/templatetags/icons.py): no font.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production, serve static files straight from the finders (no collectstatic needed for `make run`).
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = not IS_PRODUCTION
# Production: whitenoise serves the hashed names with a far-future, immutable Cache-Control and their brotli/gzip
# variants (made at collectstatic; brotli needs the `brotli` package). The unhashed copies are never linked.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"

# Evidence files: accepted types (checked on the content, not the name) and the size limit.
EVIDENCE_ALLOWED_TYPES = env_list("EVIDENCE_ALLOWED_TYPES", "pdf,jpg,png,xlsx,docx")
EVIDENCE_MAX_BYTES = int(float(os.environ.get("EVIDENCE_MAX_MB", "10")) * 1024 * 1024)
# No upload request may be larger than the largest file a form takes (a framework workbook, 50 MiB) and its form
# fields: larger requests are stopped before they are received in full (core.uploads).
MAX_UPLOAD_REQUEST_BYTES = int(os.environ.get("MAX_UPLOAD_REQUEST_BYTES", str(51 * 1024 * 1024)))
FILE_UPLOAD_HANDLERS = [
    "localstandards.core.uploads.RequestSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Scale-out: what several app instances behind a load balancer share (docs/deployment.md, "Several app
# instances"). Without REDIS_URL and S3_BUCKET nothing in this block changes the one-process defaults that
# `make run` and the tests use (SQLite or PostgreSQL, local-memory cache, database sessions, files on disk).
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if os.environ.get("REDIS_URL"):
    # Redis is then a required service: short timeouts make an outage a quick error, not a hung worker.
    CACHES["default"].setdefault("OPTIONS", {}).update({"socket_connect_timeout": 2, "socket_timeout": 2})
    CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", "ls")
    # Sessions are read from the shared Redis and written through to the shared database: every instance sees
    # the same session, and a Redis restart (it may keep nothing on disk) logs nobody out on deadline day.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Login throttling counts failures in the database every instance shares (django-axes' database handler), so
# five failures spread over two instances lock the account as five on one would; the lockouts stay auditable in
# the admin. (axes' cache handler would need the shared Redis and would forget the count on a Redis restart.)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Behind the load balancer REMOTE_ADDR is the balancer for every officer: count against the address it saw.
AXES_CLIENT_IP_CALLABLE = "localstandards.accounts.throttling.client_ip"
# Evidence files on S3-compatible object storage when S3_BUCKET is set (django-storages + boto3), else on disk
# under MEDIA_ROOT. The bucket stays private: downloads go through the app's scoped view, which streams the file
# after the scope check; `.url` would only give a signed link valid for a minute (nothing uses it).
if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            # Without keys, boto3's own chain applies (AWS_ACCESS_KEY_ID, an instance role, …).
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("S3_PREFIX", ""),
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,
            "default_acl": None,  # the bucket's own (private) policy; never a public-read object
            "querystring_auth": True,
            "querystring_expire": 60,
            "signature_version": "s3v4",  # what AWS and the S3-compatible stores accept for signed requests
            "file_overwrite": False,
            # A download is buffered in memory up to 2 MB, on disk above that (evidence is at most EVIDENCE_MAX_MB).
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
# --- end of scale-out block.

# API requests per minute, per token and per logged-in user (docs/api.md); counted in the cache above, so shared by
# every instance when REDIS_URL is set. 0 turns the limit off.
API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("API_RATE_LIMIT_PER_MINUTE", "120"))

# E-mail: printed to the console unless an SMTP host is configured (Django 6.1 MAILERS).
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# The public address of the site, for links in e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@localstandards.invalid")

# Security headers; HTTPS-only cookies in production.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = IS_PRODUCTION
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = IS_PRODUCTION
# Forms and HTMX send the token from the page (csrfmiddlewaretoken), so no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = IS_PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = IS_PRODUCTION
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", IS_PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000" if IS_PRODUCTION else "0"))
# The site and its subdomains are HTTPS only (a government domain); turn off with DJANGO_HSTS_SUBDOMAINS=0 and
# DJANGO_HSTS_PRELOAD=0 where the domain is shared with plain-HTTP services (docs/deployment.md).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_SUBDOMAINS", IS_PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", IS_PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY", False) else None

# Background tasks (Django's tasks framework): stored in the database and run by `manage.py db_worker`
# (django-tasks-db). TASKS_BACKEND=immediate runs them at once, in-process (the default for DJANGO_ENV=test;
# tests/notices sets it explicitly).
# See docs/reminders.md.
_TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
TASKS = {
    "default": {
        "BACKEND": _TASKS_BACKENDS[
            os.environ.get("TASKS_BACKEND", "immediate" if ENVIRONMENT == "test" else "database")
        ],
        "QUEUES": ["default"],
    }
}
# The hour (Asia/Bangkok) at which `manage.py run_scheduler` enqueues the daily reminder run.
REMINDER_HOUR = int(os.environ.get("REMINDER_HOUR", "8"))

# The 77 province shapes for the choropleth maps (shared/data/README.md §2: OCHA/HDX COD-AB via mapthai). Read
# from the shared data beside the checkout, never copied into the repository; without it the maps are left out.
PROVINCES_GEOJSON = os.environ.get("PROVINCES_GEOJSON") or str(
    BASE_DIR.parent / "shared" / "data" / "th_provinces.geojson"
)

# Demo accounts are for development only: the command refuses to run when this is False.
DEMO_DATA_ALLOWED = not IS_PRODUCTION

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
