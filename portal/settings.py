"""The portal's one settings module: everything that differs between machines comes from the
environment (django-environ); the defaults run a development portal with no server at all
(SQLite and a filesystem Celery broker under var/)."""

import secrets
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# DEBUG is off unless the environment turns it on (`python3 dev.py run` and the tests do): a
# person trying the image sees the portal's Chinese error pages, never Django's debug pages.
env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "[::1]", "testserver"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DEBUG")


def _secret_key() -> str:
    """Production must bring its key (SECRET_KEY), or name a file to keep a generated one in
    (SECRET_KEY_FILE: the image does, so that a bare `docker run` starts); a local run with
    DEBUG on, or `manage.py` on a checkout (makemigrations, a backup), keeps one generated key
    under var/."""
    if "SECRET_KEY" in env.ENVIRON:
        return env("SECRET_KEY")
    if "SECRET_KEY_FILE" in env.ENVIRON:
        key_file = Path(env.str("SECRET_KEY_FILE"))
    elif DEBUG or env.bool("PORTAL_COMMAND_LINE", default=False):
        key_file = VAR_DIR / "secret_key"
    else:
        raise environ.ImproperlyConfigured(
            "DEBUG 关闭时必须通过环境变量 SECRET_KEY（或 SECRET_KEY_FILE）提供密钥"
        )
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal",
    "enterprises",
    "reviews",
    "enforcement",
    "outreach",
    "lookback",
    "integrity",
    "reports",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "import_export",
    "axes",
]

MIDDLEWARE = [
    "portal.middleware.request_body_limit",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.PortalErrorPagesMiddleware",
    "portal.security.SecurityEventMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "portal.middleware.private_no_store",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.login.AbsoluteSessionLifetimeMiddleware",
    "portal.login.IdleSessionMiddleware",
    "portal.login.ForcePasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.shell",
                "portal.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite under var/ unless DATABASE_URL is set (postgres://user@host:5432/name).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the Celery worker write at once: WAL, immediate transactions and a
    # busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# --- Cache ----------------------------------------------------------------------------
# Costly figures read by many pages (portal/caching.py): Redis when there is one (CACHE_URL, or
# the Celery broker's Redis), else a file cache under var/ that needs no server.
_cache_url = env.str("CACHE_URL", default="")
if not _cache_url and env.str("CELERY_BROKER_URL", default="").startswith("redis://"):
    _cache_url = env.str("CELERY_BROKER_URL")
if _cache_url.startswith("redis://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": "portal",
            "TIMEOUT": 600,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "TIMEOUT": 600,
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The password policy (portal/passwords.py, close to 等保 2.0 level 3), messages in Chinese.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "portal.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "portal.passwords.CharacterKindsValidator", "OPTIONS": {"min_kinds": 3}},
    {"NAME": "portal.passwords.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "portal.passwords.PublishedPasswordValidator",
        "OPTIONS": {"published": ["reports.demo.DEMO_PASSWORD"]},
    },
    {"NAME": "portal.passwords.PasswordHistoryValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after 30 minutes without a request (等保 2.0: session timeout).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
# The idle limit is kept by saving a signed-in session at most once a minute
# (portal.login.IdleSessionMiddleware), not on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
# Database sessions whose lost connection answers the 503 page, not a 400 (portal/sessions.py).
SESSION_ENGINE = "portal.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# ...and 12 hours after the login however active they are (portal.login).
SESSION_ABSOLUTE_AGE = env.int("SESSION_ABSOLUTE_AGE", default=12 * 60 * 60)

# Login throttling (portal.login): 5 failures of one user name from one address (county
# offices share one address), or 20 from one address across all user names, lock for 30 min.
AXES_HANDLER = "portal.login.LoginThrottleHandler"
AXES_FAILURE_LIMIT = 5
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
# How many reverse proxies stand in front of gunicorn (docker-compose: 1, nginx); with 0 the
# socket's address is the client's and X-Forwarded-For is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "portal.login.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# The security event log (portal.security) is kept at least six months (Cybersecurity Law,
# art. 21); the nightly prune removes what is older.
SECURITY_LOG_RETENTION_DAYS = env.int("SECURITY_LOG_RETENTION_DAYS", default=190)
if SECURITY_LOG_RETENTION_DAYS < 183:
    raise environ.ImproperlyConfigured("SECURITY_LOG_RETENTION_DAYS 不得少于 183 天（六个月）")

# The programme's rules the city sets: a review's total above the firm's own self-assessment
# by more than this many points needs the review team's explanation.
REVIEW_SCORE_GAP_POINTS = env.int("REVIEW_SCORE_GAP_POINTS", default=15)
# Who confirms which grade (reviews.rules): "county", "city", or "recommend" (the city
# recommends it upward to the province or the nation, 推荐上报). Defaults: 达标 the county,
# 三级 the city, 二级 and 一级 recommended upward.
REVIEW_CONFIRMING_LEVELS = {"pass": "county", "3": "city", "2": "recommend", "1": "recommend"}
# The 公示's objection period, in working days after the day of publication (reviews.rules).
PUBLICITY_WORKING_DAYS = env.int("PUBLICITY_WORKING_DAYS", default=5)
# The city's bureau, the issuer of what the city confirms (certificates, 公示, 公告).
CITY_SUPERVISOR = env.str("CITY_SUPERVISOR", default="烟台市安全生产监督管理局")

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Our own zh_Hans formats: dates read 2016年6月30日, and Django's broken input format is fixed.
FORMAT_MODULE_PATH = ["portal.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# The largest request body taken at all (the largest upload, an xlsx of 30 MB, and its form):
# larger ones are refused before they are read (portal.middleware.request_body_limit); the
# reverse proxy's client_max_body_size (deploy/nginx.conf) is the same.
MAX_REQUEST_BODY_BYTES = 32 * 1024 * 1024
# The largest file any form takes (the registry import: portal.xlsx.MAX_UPLOAD_BYTES): an
# upload passing it is stopped while it streams (portal.uploads.StreamedSizeLimit).
MAX_UPLOAD_FILE_BYTES = 30 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "portal.uploads.StreamedSizeLimit",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Security -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=3600)
    # An intranet host name: whether subdomains and the browsers' preload list apply is the
    # operator's decision, not ours.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
    SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
# X-Forwarded-Proto says "https" only if a proxy we trust set it: with no proxy configured
# (TRUSTED_PROXY_COUNT = 0) a client could send the header itself.
if TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts only from our own vendored files, never inline.
# Styles allow inline attributes (progress bars set their width that way).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# --- E-mail ---------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend" and env.str(
    "EMAIL_FILE_PATH", default=""
):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="标准化平台 <noreply@localhost>")

# --- Celery ---------------------------------------------------------------------------
# With CELERY_BROKER_URL unset, kombu's filesystem transport under var/ lets a real worker and
# beat run with no server at all.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    _processed_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "store_processed": False,
        # Otherwise kombu creates a control/ folder in the working directory.
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
else:
    # A web request that cannot reach the broker gives up quickly; the scan-based jobs pick
    # the work up later.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 1,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The reviewed schedule of periodic jobs, in Asia/Shanghai time. Every entry expires so that a
# backlog after an outage does not run a morning job in the afternoon.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "portal.tasks.heartbeat",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    # Jobs whose task could not be queued while the broker was down are sent once it is back.
    "dispatch-waiting-jobs": {
        "task": "portal.tasks.dispatch_waiting_jobs",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    # An import whose worker died mid-way says so (nothing was written) within five minutes.
    "recover-interrupted-imports": {
        "task": "enterprises.tasks.recover_interrupted_imports",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    # Every morning at 07:30: deadlines, rectification deadlines, certificates, list targets.
    "reports-daily-reminders": {
        "task": "reports.tasks.send_daily_reminders",
        "schedule": crontab(hour=7, minute=30),
        "options": {"expires": 4 * 60 * 60},
    },
    # Every Monday at 06:00: the weekly progress snapshot of every county.
    "reports-weekly-progress": {
        "task": "reports.tasks.build_weekly_progress_report",
        "schedule": crontab(hour=6, minute=0, day_of_week="mon"),
        "options": {"expires": 12 * 60 * 60},
    },
    # At 03:20 the security log loses what is older than its retention.
    "prune-security-events": {
        "task": "portal.tasks.prune_security_events",
        "schedule": crontab(hour=3, minute=20),
        "options": {"expires": 6 * 60 * 60},
    },
    # Grades valid until yesterday expire at 00:30; a missed run is caught up by the next one.
    "expire-grades": {
        "task": "reviews.tasks.expire_grades",
        "schedule": crontab(hour=0, minute=30),
        "options": {"expires": 6 * 60 * 60},
    },
    # 02:10: the integrity signals and the accidents' revocation candidates (integrity).
    "integrity-nightly": {
        "task": "integrity.tasks.nightly",
        "schedule": crontab(hour=2, minute=10),
        "options": {"expires": 6 * 60 * 60},
    },
    # 03:00: import previews nobody confirmed within a day are cleared with their files.
    "discard-stale-import-previews": {
        "task": "enterprises.tasks.discard_stale_previews",
        "schedule": crontab(hour=3, minute=0),
        "options": {"expires": 6 * 60 * 60},
    },
    # 03:40: uploads no row names any more (replaced documents) are removed from disk.
    "sweep-unreferenced-files": {
        "task": "portal.tasks.sweep_unreferenced_files",
        "schedule": crontab(hour=3, minute=40),
        "options": {"expires": 6 * 60 * 60},
    },
}

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- Portal ---------------------------------------------------------------------------
SITE_TITLE = "烟台市冶金等工贸行业安全生产标准化管理平台"
# Where each role lands after login (URL names; the domain apps provide the pages).
ROLE_START_PAGES = {
    "city": "reports:dashboard",
    "county": "reports:county_home",
    "enterprise": "enterprises:mine",
    "agency": "reviews:agency_home",
    "admin": "admin:index",
}
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
# Who receives the counties' submissions, shown on the submission pages (the notice's 联系人).
SUBMISSION_CONTACT = env.str(
    "SUBMISSION_CONTACT",
    default="市安监局工商贸科 王宏杰，电话：6789792，邮箱：ytajgsmk@163.com",
)
