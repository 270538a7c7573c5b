"""Leveller's one settings module. Every value comes from the environment through leveller.env.

See docs/configuration.md for each variable. With nothing set, Leveller runs embedded: SQLite in
LEVELLER_DATA_DIR, an in-process channel layer, a local-memory cache and a database task queue.
"""

from __future__ import annotations

from pathlib import Path

from leveller.env import (
    env_bool,
    env_database,
    env_email,
    env_float,
    env_int,
    env_list,
    env_path,
    env_redis,
    env_str,
    secret_key,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("LEVELLER_DATA_DIR", "./var")
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("LEVELLER_DEBUG", False)
SECRET_KEY = secret_key(DATA_DIR)
SITE_URL = env_str("LEVELLER_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("LEVELLER_SITE_NAME", "Leveller")
ALLOWED_HOSTS = env_list("LEVELLER_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("LEVELLER_CSRF_TRUSTED_ORIGINS", [])
SECURE_COOKIES = env_bool("LEVELLER_SECURE_COOKIES", SITE_URL.startswith("https://"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",  # two-factor sign-in (accounts/two_factor.py): TOTP apps and recovery codes
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",  # serves /api/docs' swagger-ui from its own static files, not a CDN
    "leveller.core",
    "leveller.realtime",
    "leveller.accounts",
    "leveller.chat",
    "leveller.phonebank",
    "leveller.groups",
    "leveller.events",
    "leveller.elections",
    "leveller.newsletter",
    "leveller.lobbying",
    "leveller.privacy",
    "leveller.push",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "leveller.core.static.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "leveller.accounts.two_factor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "leveller.core.middleware.TimezoneMiddleware",
    "leveller.core.middleware.PageCacheMiddleware",
    "axes.middleware.AxesMiddleware",
    "leveller.core.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "leveller.urls"
ASGI_APPLICATION = "leveller.asgi.application"
WSGI_APPLICATION = None

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
                "leveller.core.context.site",
            ],
        },
    }
]

# --- Database: embedded SQLite unless DATABASE_URL selects PostgreSQL -------------------------------
SQLITE_PATH = DATA_DIR / "leveller.sqlite3"
_database = env_database("DATABASE_URL")
if _database is None or _database["ENGINE"].endswith("sqlite3"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": (_database or {}).get("NAME") or str(SQLITE_PATH),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("LEVELLER_SQLITE_BUSY_TIMEOUT", 20, minimum=1),
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-20000;"
                    "PRAGMA mmap_size=134217728;"
                    # The server's checkpoint thread keeps the WAL short (core/sqlite_wal.py); this is the
                    # safety valve for processes without it, and the WAL file is cut back to 64 MiB after.
                    f"PRAGMA wal_autocheckpoint={env_int('LEVELLER_SQLITE_AUTOCHECKPOINT_PAGES', 10000, minimum=0)};"
                    "PRAGMA journal_size_limit=67108864;"
                ),
            },
            # Request threads live as long as the process (core/request_threads.py), so each keeps its
            # connection instead of reopening the file and re-running the PRAGMAs on every request.
            "CONN_MAX_AGE": env_int("LEVELLER_DB_CONN_MAX_AGE", 600, minimum=0),
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }
else:
    _database.setdefault("OPTIONS", {})
    # Fail fast when PostgreSQL is away: seconds to connect, then TCP keepalives to notice a dead peer.
    _db_timeout = env_float("LEVELLER_DB_TIMEOUT", 1.5, minimum=0.1)
    _database["OPTIONS"].setdefault("connect_timeout", max(int(_db_timeout), 1))
    _database["OPTIONS"].setdefault("keepalives", 1)
    _database["OPTIONS"].setdefault("keepalives_idle", 5)
    _database["OPTIONS"].setdefault("keepalives_interval", 2)
    _database["OPTIONS"].setdefault("keepalives_count", 2)
    # Let psycopg prepare the statements a connection runs again and again (Django turns this off by default
    # for transaction-mode connection poolers). Django's own ORM cursors bind on the client and never prepare;
    # the hot paths' plain statements (core/rawload.py) do.
    if env_bool("LEVELLER_DB_PREPARED_STATEMENTS", True):
        _database["OPTIONS"]["prepare_threshold"] = 5
    # A connection pool per server process (psycopg_pool). Under ASGI each request runs its sync code on a
    # fresh thread, so CONN_MAX_AGE cannot keep connections and every request paid for a new PostgreSQL
    # connection (measured in docs/architecture.md). 0 turns the pool off (then CONN_MAX_AGE applies).
    _pool_size = env_int("LEVELLER_DB_POOL_SIZE", 10, minimum=0, maximum=200)
    if _pool_size:
        # A request waits at most LEVELLER_DB_TIMEOUT for a connection, so an outage fails fast (503), and the
        # pool retries connecting quickly so requests succeed again soon after the database is back
        # (docs/operations.md, "The database goes away").
        _database["OPTIONS"]["pool"] = {
            "min_size": min(2, _pool_size),
            "max_size": _pool_size,
            "timeout": _db_timeout,
            "reconnect_timeout": 0,
        }
    _database["CONN_MAX_AGE"] = 0 if _pool_size else env_int("LEVELLER_DB_CONN_MAX_AGE", 0, minimum=0)
    # With the pool, this makes it check each connection as it hands it out (one round trip), so a connection
    # broken by a database restart is replaced instead of failing a request.
    _database["CONN_HEALTH_CHECKS"] = env_bool("LEVELLER_DB_HEALTH_CHECKS", True)
    DATABASES = {"default": _database}
DATABASE_IS_SQLITE = DATABASES["default"]["ENGINE"].endswith("sqlite3")
# SQLite: seconds between the server's background WAL checkpoints (core/sqlite_wal.py); 0 leaves checkpoints to
# the committing requests (at LEVELLER_SQLITE_AUTOCHECKPOINT_PAGES).
SQLITE_CHECKPOINT_SECONDS = env_float("LEVELLER_SQLITE_CHECKPOINT_SECONDS", 0.5, minimum=0)
# HTTP requests run their sync code on this many long-lived threads (leveller/core/request_threads.py);
# 0 gives Django's default of a new thread per request.
REQUEST_THREADS = env_int("LEVELLER_REQUEST_THREADS", 8, minimum=0, maximum=256)
# The local fan-out writes a push to a socket at once, running the send until it would wait (realtime/fanout.py);
# off: a task per push and socket, as asyncio would by default (kept to measure the difference).
FANOUT_EAGER_WRITES = env_bool("LEVELLER_FANOUT_EAGER_WRITES", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Email is unique case-insensitively (a functional unique constraint), which auth.W004 cannot see.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

# --- Realtime and cache: in-process unless REDIS_URL is set -----------------------------------------
REDIS_URL = env_redis("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env_str("LEVELLER_REDIS_PREFIX", "leveller")},
        }
    }
    CACHES = {
        "default": {
            # A miss, not a 500, while Redis is unreachable (leveller/core/cache.py).
            "BACKEND": "leveller.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("LEVELLER_REDIS_PREFIX", "leveller"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # Channels' InMemoryChannelLayer with fan-out linear in the number of sockets (see leveller/realtime/layers.py).
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "leveller.realtime.layers.LinearInMemoryChannelLayer", "CONFIG": {"capacity": 1000}}
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks: one durable database queue ------------------------------------------------
TASKS = {"default": {"BACKEND": env_str("LEVELLER_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}
LEVELLER_WORKER_IN_SERVE = env_bool("LEVELLER_WORKER_IN_SERVE", True)
LEVELLER_EVENT_RETENTION_HOURS = env_int("LEVELLER_EVENT_RETENTION_HOURS", 72, minimum=1)
# A RUNNING task whose worker has not beaten for this long is requeued (core/worker.py).
LEVELLER_WORKER_LEASE_SECONDS = env_float("LEVELLER_WORKER_LEASE_SECONDS", 10.0, minimum=1)
# /healthz is 503 when a due task has waited longer than this for a worker (core/health.py).
LEVELLER_HEALTH_TASK_DELAY_SECONDS = env_int("LEVELLER_HEALTH_TASK_DELAY_SECONDS", 300, minimum=1)
# How long the first response to a request with an Idempotency-Key is kept (core/idempotency.py).
LEVELLER_IDEMPOTENCY_HOURS = env_int("LEVELLER_IDEMPOTENCY_HOURS", 24, minimum=1)
# Costly pages (home panels, the chat page) are cached per session this long (0: off); see core/page_cache.py.
PAGE_CACHE_SECONDS = env_int("LEVELLER_PAGE_CACHE_SECONDS", 10, minimum=0, maximum=3600)

# --- Accounts ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.Member"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Two-factor sign-in (accounts/two_factor.py; which roles need it is set by admins at /manage/security/).
OTP_TOTP_ISSUER = SITE_NAME
TWO_FACTOR_ATTEMPTS_PER_10_MINUTES = env_int("LEVELLER_2FA_ATTEMPTS_PER_10_MINUTES", 10, minimum=0)
TWO_FACTOR_PENDING_SECONDS = 300  # between the password and the code
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
INVITATION_DAYS = env_int("LEVELLER_INVITATION_DAYS", 14, minimum=1, maximum=90)
AVATAR_MAX_MB = env_int("LEVELLER_AVATAR_MAX_MB", 5, minimum=1, maximum=20)

AXES_FAILURE_LIMIT = env_int("LEVELLER_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("LEVELLER_LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
LEVELLER_PROXY_COUNT = env_int("LEVELLER_PROXY_COUNT", 0, minimum=0, maximum=10)
# Lock out per normalised email (any case) and client address, the address read as every limit reads it.
AXES_USERNAME_CALLABLE = "leveller.accounts.login.lockout_username"
AXES_CLIENT_IP_CALLABLE = "leveller.core.limits.client_ip"

SESSION_COOKIE_AGE = env_int("LEVELLER_SESSION_DAYS", 14, minimum=1) * 24 * 3600
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # read from the cache, kept in the database
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "leveller.core.errors.csrf_failure"
if SECURE_COOKIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# With an https site URL: plain-http requests are redirected (except the probes load balancers send) and
# browsers are told to use https only (HSTS), for a year by default.
_HTTPS = SITE_URL.startswith("https://")
SECURE_SSL_REDIRECT = env_bool("LEVELLER_SSL_REDIRECT", _HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^ping$"]
SECURE_HSTS_SECONDS = env_int("LEVELLER_HSTS_SECONDS", 365 * 24 * 3600 if _HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("LEVELLER_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("LEVELLER_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Preloading is a promise made to browser vendors (hstspreload.org), for the operator to opt into.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Content-Security-Policy (django-csp): scripts only from this site (inline ones carry the request's nonce),
# no plugins, no framing, forms post only here, images only from here (no tracking pixels in pages).
# Styles allow inline attributes (progress bars set --pct); nothing else inline runs.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

_WS_ORIGIN = SITE_URL.replace("https://", "wss://").replace("http://", "ws://")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF, _WS_ORIGIN],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Email ------------------------------------------------------------------------------------------
globals().update(env_email("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env_str("LEVELLER_FROM_EMAIL", f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Files ------------------------------------------------------------------------------------------
MEDIA_ROOT = DATA_DIR / "uploads"
MEDIA_URL = "/media/"  # never served publicly: each domain serves its files through an access check
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_KEEP_ONLY_HASHED_FILES = True  # plain names are still served from the apps' folders (the finders)
# Content-hashed names, gzip and brotli copies, a year's immutable cache (leveller/core/static.py); `leveller serve`
# collects them into STATIC_ROOT before serving. Without a collected manifest (tests, a bare runserver) pages link
# the plain names, which the finders serve.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "leveller.core.static.HashedCompressedStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LEVELLER_LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
    },
}

# --- Chat -------------------------------------------------------------------------------------------
CHAT_MAX_ATTACHMENT_MB = env_int("LEVELLER_CHAT_MAX_ATTACHMENT_MB", 10, minimum=1, maximum=100)
CHAT_EMAIL_DELAY_MINUTES = env_int("LEVELLER_CHAT_EMAIL_DELAY_MINUTES", 15, minimum=1, maximum=24 * 60)
CHAT_WELCOME_DAYS = env_int("LEVELLER_CHAT_WELCOME_DAYS", 14, minimum=1, maximum=365)
# Addresses one member may look up an hour through the API's email-addressed operations (open a DM, add to a
# channel): each answer says whether the address is a member's, so a list cannot be tested. 0: no limit.
CHAT_EMAIL_LOOKUPS_PER_HOUR = env_int("LEVELLER_CHAT_EMAIL_LOOKUPS_PER_HOUR", 60, minimum=0)

# --- Newsletter ---------------------------------------------------------------------------------------
NEWSLETTER_RATE = env_float("LEVELLER_NEWSLETTER_RATE", 10.0, minimum=0)  # messages a second; 0 = no limit
NEWSLETTER_FROM_EMAIL = env_str("LEVELLER_NEWSLETTER_FROM", DEFAULT_FROM_EMAIL)
NEWSLETTER_MAX_ATTEMPTS = env_int("LEVELLER_NEWSLETTER_MAX_ATTEMPTS", 5, minimum=1, maximum=20)
NEWSLETTER_RETRY_SECONDS = env_int("LEVELLER_NEWSLETTER_RETRY_SECONDS", 60, minimum=1)
# A sender holds an issue this long (renewed every 2 s): a killed sender's issue is resumed soon after.
NEWSLETTER_LEASE_SECONDS = env_float("LEVELLER_NEWSLETTER_LEASE_SECONDS", 10.0, minimum=1)
NEWSLETTER_SIGNUPS_PER_HOUR = env_int("LEVELLER_NEWSLETTER_SIGNUPS_PER_HOUR", 10, minimum=1)

# --- Lobbying ---------------------------------------------------------------------------------------
LOBBYING_DAILY_CAP = env_int("LEVELLER_LOBBYING_DAILY_CAP", 20, minimum=1)  # letters per writer per 24 hours
LOBBYING_FOLLOW_UP_DAYS = env_int("LEVELLER_LOBBYING_FOLLOW_UP_DAYS", 14, minimum=1, maximum=365)
LOBBYING_DATA_DIR = env_path("LEVELLER_LOBBYING_DATA_DIR", str(DATA_DIR / "lobbying"))

# --- phonebank ---------------------------------------------------------------------------------------
PHONEBANK_LEASE_MINUTES = env_int("LEVELLER_PHONEBANK_LEASE_MINUTES", 10, minimum=1, maximum=240)
PHONEBANK_SYNC_IMPORT_ROWS = env_int("LEVELLER_PHONEBANK_SYNC_IMPORT_ROWS", 2000, minimum=0)
PHONEBANK_PROGRESS_SECONDS = env_float("LEVELLER_PHONEBANK_PROGRESS_SECONDS", 1.0, minimum=0)
# Abuse limits per caller (phonebank/limits.py; 0 switches one off): `next` calls a minute, releases an hour,
# different contacts handed out an hour, and how long a released contact is kept for the caller who released it.
PHONEBANK_NEXT_PER_MINUTE = env_int("LEVELLER_PHONEBANK_NEXT_PER_MINUTE", 30, minimum=0)
PHONEBANK_RELEASES_PER_HOUR = env_int("LEVELLER_PHONEBANK_RELEASES_PER_HOUR", 20, minimum=0)
PHONEBANK_CONTACTS_PER_HOUR = env_int("LEVELLER_PHONEBANK_CONTACTS_PER_HOUR", 120, minimum=0)
PHONEBANK_RELEASE_COOLDOWN_MINUTES = env_int("LEVELLER_PHONEBANK_RELEASE_COOLDOWN_MINUTES", 10, minimum=0)
PHONEBANK_PRESENCE_MINUTES = 5  # a caller seen this recently counts as online (call-backs wait for them)
PHONEBANK_CALLBACK_GRACE_MINUTES = 15  # then a call-back promised to an online caller goes to anyone

# --- Elections --------------------------------------------------------------------------------------
# Votes with at most this many ballots are counted as soon as they close; larger ones in a background task.
ELECTIONS_SYNC_COUNT_LIMIT = env_int("LEVELLER_ELECTIONS_SYNC_COUNT_LIMIT", 5000, minimum=0)
# Seconders a member motion needs when it belongs to no process (a process sets its own).
ELECTIONS_MOTION_SECONDERS = env_int("LEVELLER_ELECTIONS_MOTION_SECONDERS", 2, minimum=0, maximum=1000)
ELECTIONS_AMENDMENT_SECONDERS = env_int("LEVELLER_ELECTIONS_AMENDMENT_SECONDERS", 1, minimum=0, maximum=1000)
# The reminder to members who have not voted goes this many hours before voting closes.
ELECTIONS_REMINDER_HOURS = env_int("LEVELLER_ELECTIONS_REMINDER_HOURS", 48, minimum=1, maximum=24 * 30)

# --- Events -----------------------------------------------------------------------------------------
# The reminder sweep re-queues itself for the next reminder due, and at least this often as a safety net.
LEVELLER_REMINDER_SWEEP_MAX_MINUTES = env_int("LEVELLER_REMINDER_SWEEP_MAX_MINUTES", 15, minimum=1, maximum=1440)

# --- Data protection (leveller/privacy, docs/data-protection.md) -----------------------------------
# The key of the suppression list's hashes; set it (32+ characters) if you ever rotate LEVELLER_SECRET_KEY,
# or erased people's addresses stop being recognised.
PRIVACY_SUPPRESSION_KEY = env_str("LEVELLER_SUPPRESSION_KEY", "")
PRIVACY_ERASURE_GRACE_DAYS = env_int("LEVELLER_ERASURE_GRACE_DAYS", 30, minimum=1, maximum=30)
PRIVACY_EXPORT_DAYS = env_int("LEVELLER_EXPORT_DAYS", 7, minimum=1, maximum=30)
PRIVACY_EXPORT_DIR = DATA_DIR / "exports"
PRIVACY_RETENTION_HOUR = env_int("LEVELLER_RETENTION_HOUR", 3, minimum=0, maximum=23)
