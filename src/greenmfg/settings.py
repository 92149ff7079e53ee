"""Settings of the greenmfg platform. Everything that differs between a laptop, CI and production comes
from the environment; the defaults are the embedded demo (SQLite under var/, DEBUG off)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("GREENMFG_VAR_DIR", PROJECT_DIR / "var"))


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


DEBUG = _flag("GREENMFG_DEBUG")
# "demo" (the default: `make run`, the embedded demo with its published logins) or "production". In
# production the platform refuses to start with the public demo key, with DEBUG on, or with the demo's
# accounts present (system checks greenmfg.E001–E003, run by `serve` and `check --deploy`), and `serve`
# never creates the demo world.
GREENMFG_ENV = os.environ.get("GREENMFG_ENV", "demo").strip().lower()
PRODUCTION = GREENMFG_ENV == "production"
# The demo key is only for the embedded demo; production sets GREENMFG_SECRET_KEY (security CRY-08).
DEMO_SECRET_KEY = "greenmfg-demo-key-not-for-production-" + "x" * 20
SECRET_KEY = os.environ.get("GREENMFG_SECRET_KEY", DEMO_SECRET_KEY)
ALLOWED_HOSTS = os.environ.get("GREENMFG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
SECURE = _flag("GREENMFG_SECURE")  # behind TLS: secure cookies, HSTS, redirect

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "rules.apps.AutodiscoverRulesConfig",
    "greenmfg.core",
    "greenmfg.audit",
    "greenmfg.reference",
    "greenmfg.accounts",
    "greenmfg.orgs",
    "greenmfg.notifications",
    "greenmfg.schemes",
    "greenmfg.catalog",
    "greenmfg.benchmarks",
    "greenmfg.applications",
    "greenmfg.evidence",
    "greenmfg.evaluations",
    "greenmfg.reviews",
    "greenmfg.publication",
    "greenmfg.register",
    "greenmfg.reports",
    "greenmfg.supervision",
    "greenmfg.dashboards",
    "greenmfg.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "greenmfg.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Chinese unless English was chosen with the header switch; Accept-Language is not consulted
    "greenmfg.core.i18n.ChosenLanguageMiddleware",
    # a declared body over its URL's limit is refused before a byte of it is read
    "greenmfg.core.uploads.RequestSizeMiddleware",
    # before anything reads the session (its key is a cookie) or the body: hostile text answers 400 here
    "greenmfg.core.boundary.HostileInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # after authentication (an account is a logged-in user or the posted name) and the boundary check
    "greenmfg.web.middleware.RateLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "greenmfg.accounts.middleware.SessionPolicyMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # last: answers a locked-out login after the view ran
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "greenmfg.urls"
WSGI_APPLICATION = "greenmfg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "greenmfg.web.context.navigation",
            ],
        },
    }
]

# --- database: SQLite embedded by default, DATABASE_URL for PostgreSQL -----------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
_default_db = f"sqlite:///{VAR_DIR / 'greenmfg.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN, so two
    # submits of one dossier queue up instead of failing with "database is locked" mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache: shared by every process (rate-limit counters) -------------------------------------------
# Redis when GREENMFG_REDIS_URL (or CACHE_URL) names one, else a table in the database (core's migration
# creates it), so several web processes count one client together either way.
_CACHE_URL = os.environ.get("GREENMFG_REDIS_URL") or os.environ.get("CACHE_URL", "")
if _CACHE_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "greenmfg_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# --- client address and abuse limits ----------------------------------------------------------------
# The reverse proxies in front of the platform, as CIDRs ("10.0.0.0/8,::1"): only from them is
# X-Forwarded-For believed (greenmfg.core.middleware.client_ip); without any, REMOTE_ADDR is the client.
TRUSTED_PROXIES = [c for c in os.environ.get("GREENMFG_TRUSTED_PROXIES", "").split(",") if c.strip()]
_EXPORTS = [
    f"register:{name}"
    for name in (
        "export_csv",
        "export_xlsx",
        "announcements_csv",
        "announcements_xlsx",
        "notices_csv",
        "notices_xlsx",
        "quality_csv",
        "quality_xlsx",
    )
]
# (requests, seconds) per client address and per account (the posted username or e-mail, else the
# logged-in user); greenmfg.core.ratelimit answers 429 with Retry-After beyond them
RATE_LIMITS: dict[str, dict[str, Any]] = {
    # ASVS 2.2.1: no more than 100 failed attempts per hour on one account; axes locks earlier per address
    "login": {
        "views": ("accounts:login",),
        "methods": ("POST",),
        "per_address": (30, 300),
        "per_account": (100, 3600),
        "account_field": "username",
    },
    # the account of a registration is the organisation's credit code
    "register": {
        "views": ("accounts:register",),
        "methods": ("POST",),
        "per_address": (5, 3600),
        "per_account": (3, 3600),
        "account_field": "credit_code",
    },
    "objection": {
        "views": ("publication:notice",),
        "methods": ("POST",),
        "per_address": (5, 3600),
        "per_account": (3, 3600),
        "account_field": "contact",
    },
    # social-supervision reports (supervision) are limited as objections are
    "report": {
        "views": ("supervision:report_new",),
        "methods": ("POST",),
        "per_address": (5, 3600),
        "per_account": (3, 3600),
        "account_field": "contact",
    },
    "report_code": {
        "views": ("supervision:report_verify",),
        "methods": ("POST",),
        "per_address": (30, 3600),
        "per_account": None,
    },
    "objection_code": {
        "views": ("publication:verify",),
        "methods": ("POST",),
        "per_address": (30, 3600),
        "per_account": None,
    },
    # public documents rendered on request (a PDF costs about a second of CPU): anyone may fetch them,
    # no one may keep the workers busy with them
    "documents": {
        "views": ("reports:notice_pdf", "reports:announcement_pdf", "reports:published_list"),
        "methods": ("GET", "HEAD"),
        "per_address": (20, 600),
        "per_account": None,
    },
    # anyone may check a copy of an issued document (each check reads up to 100 MB and hashes it)
    "verify_copy": {
        "views": ("reports:verify_issued",),
        "methods": ("POST",),
        "per_address": (30, 3600),
        "per_account": None,
    },
    # a download is started by a POST (its GET is a confirmation form that starts nothing)
    "export": {
        "views": tuple(_EXPORTS),
        "methods": ("POST",),
        "per_address": (30, 600),
        "per_account": (10, 600),
    },
    "api": {
        "views": ("api:*",),
        "methods": ("GET", "HEAD"),
        "per_address": (300, 60),
        "per_account": (300, 60),
    },
}

# --- tasks ----------------------------------------------------------------------------------------
# a bureau's own document templates (same file names as greencore/documents/templates), over the shipped ones
DOCUMENT_TEMPLATES_DIR = os.environ.get("GREENMFG_DOCUMENT_TEMPLATES") or None
# the platform's public address (https://green.example.gov.cn), printed in the public documents (the 公示
# and 公告 PDFs give their page's address) and in e-mailed links; unset: the path alone
GREENMFG_SITE_URL = os.environ.get("GREENMFG_SITE_URL", "").strip()
# a document, issued document or certificate still running this long after its task started is failed by
# the sweep (`serve` runs it at start and whenever it restarts a worker)
REPORT_JOB_TIMEOUT_MINUTES = int(os.environ.get("GREENMFG_REPORT_JOB_TIMEOUT_MINUTES", "30"))

# GREENMFG_TASKS=redis: several machines' workers share one Redis queue (django-tasks-rq; workers run
# `manage.py rqworker default --with-scheduler`, the scheduler running the periodic tasks); otherwise
# the database queue (`manage.py db_worker`).
GREENMFG_TASKS = os.environ.get("GREENMFG_TASKS", "database")
if GREENMFG_TASKS not in {"database", "redis"}:
    raise ImproperlyConfigured("GREENMFG_TASKS must be 'database' or 'redis'")
_TASK_BACKEND = (
    "django_tasks_rq.RQBackend" if GREENMFG_TASKS == "redis" else "django_tasks_db.DatabaseBackend"
)
TASKS = {
    "default": {
        "BACKEND": os.environ.get("GREENMFG_TASK_BACKEND", _TASK_BACKEND),
        "QUEUES": ["default"],
    }
}
if GREENMFG_TASKS == "redis":
    INSTALLED_APPS.append("django_rq")
    # a job whose worker was killed is not run again by RQ (it goes to the failed registry), so no task
    # runs twice; the export and import jobs it left running are shown failed after their timeout
    RQ_QUEUES = {
        "default": {
            "URL": os.environ.get("GREENMFG_REDIS_URL", "redis://127.0.0.1:6379/0"),
            "DEFAULT_TIMEOUT": 1800,
        }
    }

# --- accounts and security (see docs/security.md) -------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "greenmfg.accounts.hashers.PBKDF2SM3PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    # the minimum length of the security policy in force (12 until the security administrator saves one)
    {"NAME": "greenmfg.accounts.policy.PolicyLengthValidator"},
    {"NAME": "greenmfg.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "greenmfg.accounts.passwords.ContextWordValidator"},
    {"NAME": "greenmfg.accounts.passwords.HistoryValidator", "OPTIONS": {"remember": 5}},
]
# the password's maximum age and the absolute session length are the security policy's
# (greenmfg.accounts.policy); these environment values are its defaults until a version is saved
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("GREENMFG_PASSWORD_MAX_AGE_DAYS", "90"))
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# the lockout of the security policy in force (greenmfg.accounts.policy), these until one is saved
AXES_DEFAULT_FAILURE_LIMIT = 5
AXES_DEFAULT_COOLOFF = timedelta(minutes=15)
AXES_FAILURE_LIMIT = "greenmfg.accounts.policy.failure_limit"
AXES_COOLOFF_TIME = "greenmfg.accounts.policy.cooloff"
# the attacker's address is slowed, never the account's owner: five failures lock that (username, address)
# pair and the address, not the username everywhere (anyone could lock the ministry's reviewer out)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]
AXES_CLIENT_IP_CALLABLE = "greenmfg.core.middleware.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "greenmfg.accounts.views.locked_out"
AXES_VERBOSE = False

SESSION_COOKIE_AGE = 30 * 60  # idle timeout: every request pushes expiry 30 minutes on
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("GREENMFG_SESSION_ABSOLUTE_HOURS", "12")) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
OTP_TOTP_ISSUER = "greenmfg"
# Roles that must pass a second factor (等保 level 3 §8.1.4.1d): bureau, expert, evaluator, admins.
SECOND_FACTOR_ROLES = {"reviewer", "signer", "expert", "evaluator", "sysadmin", "secadmin", "auditadmin"}
SECOND_FACTOR_REQUIRED = _flag("GREENMFG_SECOND_FACTOR", True)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# --- signatures and the audit log (docs/adr/0008-signatures-and-audit.md) ------------------------
# Keys live outside the database they protect: files created on first use with mode 0600, or the same
# JSON in GREENMFG_SM2_KEY / GREENMFG_AUDIT_KEY when several machines must share them.
SM2_KEY_FILE = Path(os.environ.get("GREENMFG_SM2_KEY_FILE", VAR_DIR / "keys" / "platform-sm2.key"))
AUDIT_KEY_FILE = Path(os.environ.get("GREENMFG_AUDIT_KEY_FILE", VAR_DIR / "keys" / "audit-hmac.key"))
# every signed checkpoint is also appended here, outside the database (ship it to another machine)
AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("GREENMFG_AUDIT_CHECKPOINT_FILE", VAR_DIR / "audit" / "checkpoints.jsonl")
)
AUDIT_CHECKPOINT_MINUTES = int(os.environ.get("GREENMFG_AUDIT_CHECKPOINT_MINUTES", "10"))

# background downloads (register.export_jobs): a run's claim lasts this long unless renewed by its
# progress writes; the worker's periodic sweep re-queues (once) or fails the jobs whose claim ran out
EXPORT_LEASE_SECONDS = float(os.environ.get("GREENMFG_EXPORT_LEASE_SECONDS", "120"))
EXPORT_SWEEP_SECONDS = float(os.environ.get("GREENMFG_EXPORT_SWEEP_SECONDS", "60"))
# tests only (scripts/multi_machine.py): seconds a run waits after its claim, so that a worker can be
# killed mid-build; ignored in production mode
EXPORT_TEST_DELAY = 0.0 if PRODUCTION else float(os.environ.get("GREENMFG_TEST_EXPORT_DELAY", "0"))
AUDIT_LOG_ORIGIN = os.environ.get("GREENMFG_AUDIT_ORIGIN", "greenmfg.local/audit")

# --- e-mail: objection codes (publication) -------------------------------------------------------------
# Written to files under var/mail unless a server is configured; tests use Django's in-memory outbox.
EMAIL_BACKEND = os.environ.get("GREENMFG_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("GREENMFG_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("GREENMFG_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("GREENMFG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("GREENMFG_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("GREENMFG_EMAIL_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("GREENMFG_EMAIL_FROM", "greenmfg@localhost")
OBJECTION_CODE_MINUTES = int(os.environ.get("GREENMFG_OBJECTION_CODE_MINUTES", "30"))
OBJECTION_CODE_ATTEMPTS = 5

# --- uploads (greenmfg.core.uploads) -----------------------------------------------------------------
# Files stream to temporary files beyond 256 KB and are counted as they arrive; a request over its URL's
# limit is refused before its body is read. Form fields (not files) stay under 5 MB, 4000 fields: the annual
# filing's raw-data form posts every row each table takes (1,164 cells for the 2025 factory scheme).
DATA_UPLOAD_MAX_NUMBER_FILES = 10
DATA_UPLOAD_MAX_NUMBER_FIELDS = 4000
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
FILE_UPLOAD_HANDLERS = [
    "greenmfg.core.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
EVIDENCE_MAX_BYTES = int(os.environ.get("GREENMFG_EVIDENCE_MAX_BYTES", str(50 * 1024 * 1024)))
_MiB = 1024 * 1024
# URL name -> (bytes per request, bytes per file); any other URL: DATA_UPLOAD_MAX_MEMORY_SIZE for both
UPLOAD_LIMITS = {
    # anonymous: five files of proof, 10 MB each, 20 MB together
    "publication:notice": (20 * _MiB, 10 * _MiB),
    "evidence:upload": (EVIDENCE_MAX_BYTES + _MiB, EVIDENCE_MAX_BYTES),
    "evaluations:finding": (EVIDENCE_MAX_BYTES + _MiB, EVIDENCE_MAX_BYTES),
    "applications:import": (21 * _MiB, 20 * _MiB),
    "reviews:credit": (21 * _MiB, 20 * _MiB),
    "benchmarks:import": (6 * _MiB, 5 * _MiB),
}
# Images are checked from their header against this before decoding (greenmfg.core.images); Pillow's
# MAX_IMAGE_PIXELS follows it. An A4 page scanned at 600 dpi is 35 million pixels.
IMAGE_MAX_PIXELS = int(os.environ.get("GREENMFG_IMAGE_MAX_PIXELS", "36000000"))
MEDIA_ROOT = Path(os.environ.get("GREENMFG_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if _flag("GREENMFG_PLAIN_STATIC", DEBUG):
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# --- language, time, static -----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# front-end packages from npm (package-lock.json), copied by `make install` (scripts/vendor_static.py)
VENDOR_DIR = PROJECT_DIR / "build" / "vendor"
STATICFILES_DIRS = [BASE_DIR / "static", *([VENDOR_DIR] if VENDOR_DIR.is_dir() else [])]
WHITENOISE_USE_FINDERS = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GREENMFG_LOG_LEVEL", "WARNING")},
}
