"""Steward settings: one module, configured from the environment.

Environment variables (see `.env.example`):
- STEWARD_ENV: "development" (default) or "production". Production turns on HTTPS-only cookies,
  HSTS and the SSL redirect, and refuses to start without STEWARD_SECRET_KEY.
- STEWARD_SECRET_KEY: the secret key. Outside production a key is generated once into var/.
- STEWARD_DEBUG: "1" to turn on Django's debug pages (never in production).
- DATABASE_URL: a PostgreSQL URL; unset means SQLite at var/steward.sqlite3.
- STEWARD_DATABASE_REPLICA_URL: a read replica of that database; reports and exports read
  from it (steward/core/replica.py). Unset means every read goes to the primary.
- STEWARD_ALLOWED_HOSTS: comma-separated host names (default: localhost names).
- STEWARD_MAX_UPLOAD_MB: largest document accepted (default 20).
- STEWARD_MAX_IMPORT_MB: largest register or returns import accepted (default 100).
- STEWARD_TRUSTED_PROXIES: reverse proxies whose X-Forwarded-For is believed (addresses or
  networks, comma-separated; default none).
- STEWARD_SQLITE_TIMEOUT: seconds a write waits for SQLite's lock (default 20).
- STEWARD_SITE_URL: the address people open Steward at, for the links in emails (default
  http://127.0.0.1:8000).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("STEWARD_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


class ImproperlyConfiguredEnv(RuntimeError):
    """A setting read from the environment has a value we cannot use."""


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfiguredEnv(f"environment variable {name} is required")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfiguredEnv(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfiguredEnv(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str) -> str:
    """An http(s) address without a trailing slash (links are made by adding a path)."""
    raw = os.environ.get(name) or default
    scheme, _, rest = raw.partition("://")
    if scheme not in {"http", "https"} or not rest.strip("/"):
        raise ImproperlyConfiguredEnv(f"{name} must be an http:// or https:// address, not {raw!r}")
    return raw.rstrip("/")


STEWARD_ENV = env_str("STEWARD_ENV", "development")
if STEWARD_ENV not in {"development", "production"}:
    raise ImproperlyConfiguredEnv("STEWARD_ENV must be 'development' or 'production'")
PRODUCTION = STEWARD_ENV == "production"


def _secret_key() -> str:
    if PRODUCTION:
        return env_str("STEWARD_SECRET_KEY")
    if os.environ.get("STEWARD_SECRET_KEY"):
        return os.environ["STEWARD_SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("STEWARD_DEBUG", False) and not PRODUCTION
ALLOWED_HOSTS = env_list("STEWARD_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("STEWARD_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "mozilla_django_oidc",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "steward.core",
    "steward.parties",
    "steward.contracts",
    "steward.performance",  # before risk: its demo returns feed the risk assessment
    "steward.risk",
    "steward.pricing",
    "steward.procurement",
    "steward.evaluations",
    "steward.monitoring",
    "steward.commissioning",  # above monitoring: the strategic level it feeds (seed 003)
    "steward.workspace",  # above every area: home, directory, demo, the daily job
    "steward.opendata",  # above every area too: the register as open contracting data (OCDS)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "steward.core.middleware.RequestHygieneMiddleware",  # NUL refused; /api/ errors in JSON
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "steward.parties.accounts.TwoFactorRequiredMiddleware",
    "steward.parties.time_zones.AgencyTimeZoneMiddleware",  # the agency's "today"
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Login throttling: must be last (django-axes docs).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "steward.urls"
WSGI_APPLICATION = "steward.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "steward.core.context_processors.steward",
                "steward.workspace.context_processors.work",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'steward.sqlite3'}",
        conn_max_age=env_int("STEWARD_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite behind a web server with several workers (docs/security.md §5): write-ahead log
    # (readers never block the writer), wait up to 20 s for the write lock instead of failing
    # with "database is locked", and take the write lock when a transaction begins (IMMEDIATE)
    # so that a reader never has to upgrade to a writer mid-transaction (which cannot wait).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("STEWARD_SQLITE_TIMEOUT", 20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
_replica_url = os.environ.get("STEWARD_DATABASE_REPLICA_URL", "").strip()
if _replica_url:
    # Reports and exports read from this replica (steward/core/replica.py); writes never do.
    # In the test run the alias mirrors the primary's test database.
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=env_int("STEWARD_DB_CONN_MAX_AGE", 60)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["steward.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "parties.User"
AUTHENTICATION_BACKENDS = [
    # Throttling first, then object-level rules, then the ordinary model backend.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Two factors (django-otp): administrators, agency administrators and oversight officers
# confirm a code from an authenticator app after their password. Off only for a local demo.
STEWARD_TWO_FACTOR_REQUIRED = env_bool("STEWARD_TWO_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = "Steward"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # the invitation and reset links work for three days

# Single sign-on over OpenID Connect (mozilla-django-oidc), on when STEWARD_OIDC_CLIENT_ID is
# set. docs/accounts.md gives the values for Login.gov, GOV.UK One Login and Microsoft Entra ID.
OIDC_RP_CLIENT_ID = os.environ.get("STEWARD_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("STEWARD_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("STEWARD_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("STEWARD_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("STEWARD_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("STEWARD_OIDC_JWKS_ENDPOINT", "") or None
OIDC_RP_SIGN_ALGO = os.environ.get("STEWARD_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("STEWARD_OIDC_SCOPES", "openid email")
OIDC_USE_PKCE = env_bool("STEWARD_OIDC_USE_PKCE", True)
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10
OIDC_AUTH_REQUEST_EXTRA_PARAMS = json.loads(os.environ.get("STEWARD_OIDC_EXTRA_PARAMS", "{}"))
LOGIN_REDIRECT_URL_FAILURE = "/login/?sso=failed"
# "client_secret_post" (Entra ID) or "private_key_jwt" (Login.gov, GOV.UK One Login).
STEWARD_OIDC_CLIENT_AUTH = os.environ.get("STEWARD_OIDC_CLIENT_AUTH", "client_secret_post")
STEWARD_OIDC_PRIVATE_KEY = (
    Path(os.environ["STEWARD_OIDC_PRIVATE_KEY_FILE"]).read_text()
    if os.environ.get("STEWARD_OIDC_PRIVATE_KEY_FILE")
    else ""
)
STEWARD_OIDC_PRIVATE_KEY_ID = os.environ.get("STEWARD_OIDC_PRIVATE_KEY_ID", "")
STEWARD_OIDC_PROVIDER_NAME = os.environ.get("STEWARD_OIDC_PROVIDER_NAME", "your organisation")
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.append("steward.parties.accounts.StewardOIDCBackend")

LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "core:login"

# Login throttling (django-axes; docs/security.md §15): failures are counted per username across
# addresses, and per address across usernames; either reaching the limit locks for 30 minutes.
AXES_FAILURE_LIMIT = env_int("STEWARD_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The client's address: X-Forwarded-For is believed only from these reverse proxies (addresses
# or networks, comma-separated); without any, the connection's own address is used.
STEWARD_TRUSTED_PROXIES = env_list("STEWARD_TRUSTED_PROXIES", [])
AXES_CLIENT_IP_CALLABLE = "steward.core.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "en-gb"
# One date format on every page and email: "16 March 2027" (steward/formats/en_GB/formats.py).
FORMAT_MODULE_PATH = ["steward.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "steward" / "static"]
# Uploaded files (imports waiting for their job, reports, evidence): the local folder, or an
# S3-compatible bucket shared by every web server and worker when STEWARD_S3_BUCKET is set
# (django-storages; `pip install 'steward[s3]'` brings boto3). See docs/background-jobs.md.
STEWARD_S3_BUCKET = os.environ.get("STEWARD_S3_BUCKET", "")
DEFAULT_STORAGE: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if STEWARD_S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STEWARD_S3_BUCKET,
            "endpoint_url": os.environ.get("STEWARD_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("STEWARD_S3_REGION") or None,
            "access_key": os.environ.get("STEWARD_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("STEWARD_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("STEWARD_S3_PREFIX", ""),
            "default_acl": None,  # private: files are served through permission-checked views
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"  # documents are served through a permission-checked view, never directly

STEWARD_MAX_UPLOAD_BYTES = env_int("STEWARD_MAX_UPLOAD_MB", 20) * 1024 * 1024
# Register and returns imports (addresses ending in /import): refused before reading beyond this.
STEWARD_MAX_IMPORT_BYTES = env_int("STEWARD_MAX_IMPORT_MB", 100) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security headers. Content Security Policy (django-csp 4): no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("STEWARD_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("STEWARD_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

EMAIL_BACKEND = os.environ.get(
    "STEWARD_EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("STEWARD_FROM_EMAIL", "steward@localhost")
# Where people open Steward: emails link to records as STEWARD_SITE_URL + the page's path.
STEWARD_SITE_URL = env_url("STEWARD_SITE_URL", "http://127.0.0.1:8000")

# Background work (Django's Tasks API through the django-tasks backport; see
# docs/background-jobs.md). The database backend by default (`make run` starts one worker,
# `steward db_worker`); Redis and RQ workers when STEWARD_TASKS_REDIS_URL is set; the immediate
# backend (the task runs inside the call that enqueues it) under pytest, or when asked for.
STEWARD_TASKS_REDIS_URL = os.environ.get("STEWARD_TASKS_REDIS_URL", "")
STEWARD_TASKS_BACKEND = os.environ.get("STEWARD_TASKS_BACKEND") or (
    "immediate"
    if "PYTEST_VERSION" in os.environ
    else "rq"
    if STEWARD_TASKS_REDIS_URL
    else "database"
)
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
if STEWARD_TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfiguredEnv(
        f"STEWARD_TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}, "
        f"not {STEWARD_TASKS_BACKEND!r}."
    )
TASKS = {
    "default": {
        "BACKEND": TASK_BACKENDS[STEWARD_TASKS_BACKEND],
        "QUEUES": ["default"],
    }
}
if STEWARD_TASKS_REDIS_URL or STEWARD_TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
RQ_QUEUES = {
    "default": {
        "URL": STEWARD_TASKS_REDIS_URL or "redis://127.0.0.1:6379/0",
        "DEFAULT_TIMEOUT": env_int("STEWARD_TASKS_TIMEOUT", 3600),
    }
}
# A job whose worker stopped (killed, machine lost) is marked failed, with a retry, once it
# has shown no sign of life for this long (the import reports progress every few seconds).
STEWARD_JOB_STALE_AFTER_SECONDS = env_int("STEWARD_JOB_STALE_AFTER_SECONDS", 15 * 60)
# `steward daily` deletes the stored files (uploads, reports) of jobs finished longer ago than
# this, and the database backend's finished task results; the job rows stay.
STEWARD_JOB_RETENTION_DAYS = env_int("STEWARD_JOB_RETENTION_DAYS", 30)
# A register export of more contracts than this runs as a background job (its file is the
# job's download); a smaller one is sent at once.
STEWARD_EXPORT_INLINE_MAX_ROWS = env_int("STEWARD_EXPORT_INLINE_MAX_ROWS", 2000)

# Audit reasons can be long (a termination reason); keep them whole.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("STEWARD_LOG_LEVEL", "WARNING")},
}
