"""Settings for the campaign site: one module, every value from the environment.

With no variable set it runs embedded on a laptop: an SQLite file, Celery on a
filesystem broker, a local-memory cache and mail printed to the console. With
PRODUCTION=true it requires SECRET_KEY, ADDRESS_HMAC_KEY, DATABASE_URL, REDIS_URL,
CACHE_REDIS_URL, ALLOWED_HOSTS and EMAIL_URL, and stops start-up with a message naming
any missing or malformed one.
README.md, "Configuration", lists every variable.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from campaign.lib import stylesheet
from campaign.lib.envconfig import Config

BASE_DIR = Path(__file__).resolve().parent.parent
# Local state of the embedded set-up (SQLite file, broker folders, collected static files).
(BASE_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)

_bootstrap = Config(os.environ, production=False)
PRODUCTION = _bootstrap.bool("PRODUCTION", False)
env = Config(os.environ, production=PRODUCTION)

# --- Core -------------------------------------------------------------------
# https://docs.djangoproject.com/en/6.1/ref/settings/#secret-key
_EMBEDDED_SECRET = "embedded-default-not-secret-only-for-a-laptop-0123456789abcdef"  # noqa: S105 - refused in production below
SECRET_KEY = env.secret("SECRET_KEY", _EMBEDDED_SECRET)

DEBUG = env.bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG=true is refused when PRODUCTION=true: it would show stack traces to posters.")

ALLOWED_HOSTS = env.hosts("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "campaign.lib.errors.csrf_failure"
# The public address, for links in mail and feeds.
SITE_URL = env.str("SITE_URL", "http://127.0.0.1:8000", required_in_production=True).rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "django_countries",
    "django_comments_xtd",
    "django_comments",
    "django_ratelimit",
    "campaign.lib",
    "campaign.organisations",
    "guidance",
    "comments",
    "campaign.pages",
    "campaign.subscriptions",
]

MIDDLEWARE = [
    # Outermost, so that every response carries "X-Frame-Options: DENY": static files and page cache hits too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # As outer, for the Permissions-Policy header (campaign/lib/headers.py).
    "campaign.lib.headers.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL in an address is refused before any lookup can pass it to the database (campaign/lib/errors.py).
    "campaign.lib.errors.RefuseControlCharacters",
    # Answers the page cache's hits (anonymous readers) before everything below (campaign/lib/cache.py).
    "campaign.lib.cache.PageCacheMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The address's language prefix picks the language, nothing else (campaign/lib/i18n.py).
    "campaign.lib.i18n.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "campaign.urls"
WSGI_APPLICATION = "campaign.wsgi.application"

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
                "campaign.lib.context_processors.site",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {"default": env.database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'campaign.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0, minimum=0)
# A kept connection is checked before a request (or a task) first uses it, so after PostgreSQL restarts
# each process reconnects instead of failing its next request on the dead connection.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_MAX_AGE"] > 0
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded set-up runs gunicorn and a Celery worker on one SQLite file: write-ahead logging
    # lets readers and one writer work together, and IMMEDIATE transactions wait for the write
    # lock instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The Celery broker (below) must never lose a queued task, so its Redis never evicts; the cache may
# drop whatever it likes, so its Redis evicts the least recently used keys within a bounded memory.
# One eviction policy cannot serve both: in production they are two Redis servers, so that a full
# cache can never refuse a comment's tasks (docker-compose.yml; README, "Configuration").
REDIS_URL = env.redis_url("REDIS_URL")
CACHE_REDIS_URL = env.redis_url("CACHE_REDIS_URL") or REDIS_URL  # required in production, like REDIS_URL


def _redis_server(url: str) -> tuple:
    parts = urlsplit(url)
    return parts.hostname, parts.port or 6379


if PRODUCTION and _redis_server(CACHE_REDIS_URL) == _redis_server(REDIS_URL):
    raise ImproperlyConfigured(
        "CACHE_REDIS_URL must name another Redis server than REDIS_URL: the cache evicts keys, the broker must not."
    )
if CACHE_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", "campaign"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "campaign"}}
# The page cache of public pages (campaign/lib/cache.py), in the cache above. Every moderation decision,
# withdrawal and new version invalidates it at once; these bound everything else: how long the server
# keeps a page, and how long a browser or a proxy may keep an anonymous page.
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE", True)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", 60, minimum=1)
PAGE_CACHE_MAX_AGE = env.int("PAGE_CACHE_MAX_AGE", 30, minimum=0)
# Each process also keeps the pages it served last (up to this many bytes), and trusts its copy of the
# generation number for this many seconds: a decision taken in another process shows within that time.
PAGE_CACHE_LOCAL_BYTES = env.int("PAGE_CACHE_LOCAL_BYTES", 32 * 1024 * 1024, minimum=0)
PAGE_CACHE_GENERATION_SECONDS = env.float("PAGE_CACHE_GENERATION_SECONDS", 1.0)
# A local-memory cache is one per process: the cache's generation number then lives in this file.
PAGE_CACHE_GENERATION_FILE = BASE_DIR / "var" / "page-cache-generation"

# --- Language and time ------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------
# https://whitenoise.readthedocs.io/en/stable/django.html
# collectstatic writes every file with a hash of its content in its name (css/site.3f2a9c81b0d4.css),
# plus gzip and brotli copies; whitenoise serves the compressed copy the browser accepts, and hashed
# names with "Cache-Control: max-age=315360000, public, immutable" (a new file gets a new name).
# The manifest needs a collectstatic first, so it is used in production (and the Docker image) and
# whenever STATIC_MANIFEST=true; otherwise, as in the tests, names stay plain (tests/campaign/
# test_static.py collects with the manifest into a temporary folder and checks what is served).
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
# Files without a hash in their name (only when STATIC_MANIFEST is off) are kept an hour.
WHITENOISE_MAX_AGE = 3600

# --- Mail ---------------------------------------------------------------------
_email = env.email("EMAIL_URL", "consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
if "EMAIL_FILE_PATH" in _email:
    # django-environ drops the leading slash of filemail:///abs/path (it reads "abs/path", relative to
    # wherever the process runs): an empty host means the path is absolute, as written.
    _absolute_file = (env.str("EMAIL_URL", "") or "").startswith("filemail:///")
    EMAIL_FILE_PATH = ("/" if _absolute_file else "") + _email["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Guidance Note campaign <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -----------------------------------------------------------------
# No page loads anything from another host: every source is this site only. Inline code runs only
# with the nonce of its response (Django's admin uses it; the public pages have no inline code, and
# the page cache refuses to keep a page that used a nonce: campaign/lib/cache.py). The nonce appears in
# the header only on responses whose template asked for one.
# The stylesheet every page carries in its head (campaign/lib/stylesheet.py). Off, pages link it instead:
# `make bench` measures the first paint both ways on a slow link.
SITE_STYLESHEET = BASE_DIR / "static" / "css" / "site.css"
SITE_STYLESHEET_INLINE = env.bool("SITE_STYLESHEET_INLINE", True)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # The site's stylesheet is written into each page (campaign/lib/stylesheet.py): allowed by its hash.
    "style-src": [CSP.SELF, CSP.NONCE, stylesheet.csp_hash(SITE_STYLESHEET)],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
# Browser features no page uses, refused on every response (Permissions-Policy: feature=()).
PERMISSIONS_POLICY_DENIED = [
    "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture", "fullscreen", "geolocation",
    "gyroscope", "magnetometer", "microphone", "midi", "payment", "usb",
]  # fmt: skip
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Cookies: Secure in production, where their names take the "__Host-" prefix, which a browser accepts
# only on a Secure cookie for the whole site (Path=/) set by this host itself (no Domain): no
# subdomain and no plain-HTTP page can plant or overwrite them. Development and tests run over HTTP,
# where a browser would refuse such names, so they keep Django's.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-language"
# Only members and coordinators have sessions (anonymous posters never sign in). A session ends when
# the browser closes, and after SESSION_HOURS whatever happens: a forgotten desk on a shared computer
# does not stay signed in. Expired sessions are deleted every night (comments.tasks.clear_sessions).
SESSION_COOKIE_AGE = env.int("SESSION_HOURS", 8, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", False)
# gunicorn runs behind a proxy that terminates TLS and sets this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
# How many proxies in front of gunicorn append to X-Forwarded-For: the client's address is read that
# many entries from its end (campaign/lib/privacy.py). 0: REMOTE_ADDR is the client (no proxy).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 0, minimum=0)
SILENCED_SYSTEM_CHECKS = ["security.W021"] if not SECURE_HSTS_PRELOAD else []

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "desk-sign-in"

# Posters' client addresses are stored only as a keyed HMAC (campaign/lib/privacy.py); this is the key.
# A secret of its own, never derived from SECRET_KEY: rotating that one (after a leak, say) must not
# silently re-key every stored hash, and a leaked SECRET_KEY must not give the hashes away too.
_EMBEDDED_ADDRESS_KEY = "embedded-address-key-not-secret-only-for-a-laptop-fedcba9876543210"
ADDRESS_HMAC_KEY = env.str("ADDRESS_HMAC_KEY", _EMBEDDED_ADDRESS_KEY, required_in_production=True)
_weak_address_key = len(ADDRESS_HMAC_KEY) < 32 or len(set(ADDRESS_HMAC_KEY)) < 5
if PRODUCTION and (ADDRESS_HMAC_KEY in (_EMBEDDED_ADDRESS_KEY, SECRET_KEY) or _weak_address_key):
    raise ImproperlyConfigured(
        "ADDRESS_HMAC_KEY must be a random value of at least 32 characters in production, not SECRET_KEY."
    )
# After this many days a comment's address hash is erased (comments.tasks.purge_personal_data).
ADDRESS_RETENTION_DAYS = env.int("ADDRESS_RETENTION_DAYS", 30, minimum=1)

# Rate limits (django-ratelimit), counted per keyed hash of the client address, never the address
# itself, in the default cache: Redis, shared by every web process, in production. Rates read
# "count/period" (s, m, h, d; "5/15m" is 5 per 15 minutes); see campaign/lib/ratelimits.py.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_POST_COMMENT = env.rate("RATELIMIT_POST_COMMENT", "20/h")
RATELIMIT_CONFIRM = env.rate("RATELIMIT_CONFIRM", "30/h")
RATELIMIT_SIGN_IN = env.rate("RATELIMIT_SIGN_IN", "30/h")
# Subscriptions to news by email (campaign/subscriptions): each sent form may mail an address, so fewer.
RATELIMIT_SUBSCRIBE = env.rate("RATELIMIT_SUBSCRIBE", "10/h")
# Failed sign-ins to one account from one address before that pair is locked out for the period.
RATELIMIT_SIGN_IN_FAILURES = env.rate("RATELIMIT_SIGN_IN_FAILURES", "5/15m")
# django-ratelimit names django-redis and memcached as the shared caches it knows; Django's own
# RedisCache, used here, is shared too, and its add (SET NX) and incr (INCRBY) are atomic: all it needs.
SILENCED_SYSTEM_CHECKS += ["django_ratelimit.W001"]
if not CACHE_REDIS_URL:
    # A local-memory cache is not shared between processes: on a laptop (the embedded set-up) each
    # gunicorn worker counts for itself, which is enough there.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003"]

# --- Celery -------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_DIR = BASE_DIR / "var" / "celery-broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Longer than any task's retry wait plus its time limit, so a waiting retry is never delivered twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "out"),
        "data_folder_out": str(CELERY_BROKER_DIR / "out"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fix-up closes the database connection after every task unless this is set (then
# every 2 x N tasks), whatever CONN_MAX_AGE says: a new PostgreSQL connection per task costs more than
# most of our tasks. Django still drops a connection older than CONN_MAX_AGE or found broken.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", 100, minimum=0)
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES_NAMES = ("default", "screening", "mail", "training")
CELERY_TASK_ROUTES = {
    "comments.tasks.screen_*": {"queue": "screening"},
    "comments.tasks.sweep_*": {"queue": "screening"},
    "comments.tasks.send_*": {"queue": "mail"},
    "comments.tasks.mail_*": {"queue": "mail"},
    "comments.tasks.notify_*": {"queue": "mail"},
    "comments.tasks.noop_*": {"queue": "screening"},
    "comments.tasks.train_*": {"queue": "training"},
    "campaign.subscriptions.tasks.send_*": {"queue": "mail"},
}
CELERY_BEAT_SCHEDULE = {
    "sweep-pending-comments": {"task": "comments.tasks.sweep_pending", "schedule": timedelta(minutes=2)},
    "review-digest": {"task": "comments.tasks.send_review_digest", "schedule": timedelta(minutes=30)},
    "purge-personal-data": {
        "task": "comments.tasks.purge_personal_data",
        "schedule": crontab(minute=17, hour=3),
    },
    "clear-expired-sessions": {"task": "comments.tasks.clear_sessions", "schedule": crontab(minute=47, hour=3)},
    # News by email: consultations that closed, versions and official replies whose mail was not sent yet.
    "announce-due-news": {"task": "campaign.subscriptions.tasks.announce_due", "schedule": crontab(minute=23)},
    "purge-unconfirmed-subscribers": {
        "task": "campaign.subscriptions.tasks.purge_unconfirmed",
        "schedule": crontab(minute=37, hour=3),
    },
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Comments (django-comments-xtd) ---------------------------------------------
COMMENTS_APP = "django_comments_xtd"
COMMENTS_XTD_MAX_THREAD_LEVEL = 3
COMMENTS_XTD_CONFIRM_EMAIL = True
COMMENTS_XTD_THREADED_EMAILS = False
COMMENTS_XTD_SALT = SECRET_KEY[:16].encode()
COMMENTS_XTD_FROM_EMAIL = DEFAULT_FROM_EMAIL
COMMENTS_XTD_CONTACT_EMAIL = DEFAULT_FROM_EMAIL
# django-contrib-comments' own COMMENT_MAX_LENGTH stays at its default: changing it would
# need a migration inside that package. Our form and services enforce this limit instead.
COMMENTS_TEXT_MAX_LENGTH = 20000

# --- Request size ---------------------------------------------------------------
# https://docs.djangoproject.com/en/6.1/ref/settings/#data-upload-max-memory-size
# The longest form is a comment: COMMENTS_TEXT_MAX_LENGTH characters, at worst 4 bytes each in UTF-8
# and 3 characters per byte once URL-encoded (%F0%9F...), so 240,000 bytes; its other fields and a
# coordinator's forms add a few kilobytes. A larger body is refused with a 413 page
# (campaign.lib.errors.bad_request) before any view reads it. No form takes a file.
DATA_UPLOAD_MAX_MEMORY_SIZE = COMMENTS_TEXT_MAX_LENGTH * 4 * 3 + 32 * 1024
# The admin's list of 100 rows, each with its tick box, is the form with the most fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 300
DATA_UPLOAD_MAX_NUMBER_FILES = 0
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
COMMENTS_PAGE_SIZE = env.int("COMMENTS_PAGE_SIZE", 50, minimum=1)
# How long each link mailed to a poster works; past it, the link tells nothing, as a forged one
# (comments/services.py). Confirmation: counted from posting, also once the comment is confirmed.
COMMENTS_CONFIRMATION_DAYS = env.int("COMMENTS_CONFIRMATION_DAYS", 7, minimum=1)
# Withdraw, and see, download or erase one's data (the same link), counted from the mail that carries it.
COMMENTS_WITHDRAW_LINK_DAYS = env.int("COMMENTS_WITHDRAW_LINK_DAYS", 90, minimum=1)
# Stop follow-up mail for a discussion, counted from the follow-up mail that carries it.
COMMENTS_MUTE_LINK_DAYS = env.int("COMMENTS_MUTE_LINK_DAYS", 90, minimum=1)
# The coordinators' address that reads replies (the Reply-To of decisions and private answers).
# Unset, mail never asks a poster to reply: the sender address (DEFAULT_FROM_EMAIL) reads nothing.
COMMENTS_REPLY_TO = env.str("COMMENTS_REPLY_TO", "")
# manage.py import_wordpress keeps the commenters' emails of a WordPress export only when this is
# true (a private answer can then reach them; no page shows them). By default it keeps none.
COMMENTS_IMPORT_KEEP_EMAIL = env.bool("COMMENTS_IMPORT_KEEP_EMAIL", False)

# --- Logging --------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Every handler takes redact_tokens: no poster's link may reach a log (campaign/lib/logredact.py).
    "filters": {
        "redact_tokens": {"()": "campaign.lib.logredact.RedactTokens"},
        "without_traceback": {"()": "campaign.lib.errors.WithoutTraceback"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    # kombu's filesystem transport warns about a missing hostname on every connection. Django's own
    # handlers (console, mail_admins, django.server) are taken off: their records go to ours, filtered.
    "loggers": {
        "django": {"handlers": []},
        "django.server": {"handlers": [], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "kombu.connection": {"level": "ERROR"},
        # WeasyPrint (the report's PDF) logs each step of every rendering, and warns of every rule of the
        # stylesheet meant for browsers alone (screen widths, SVG fills); what it cannot fetch is logged
        # by campaign.pages.pdf, which refuses it.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
    },
}
# Django logs each request it refuses as suspicious (a Host not in ALLOWED_HOSTS, a body over the
# limits below) on its own logger, with a traceback: one line says enough about the client's mistake.
for _refusal in ("DisallowedHost", "RequestDataTooBig", "TooManyFieldsSent", "TooManyFilesSent"):
    LOGGING["loggers"][f"django.security.{_refusal}"] = {"filters": ["without_traceback"]}

# --- The campaign -------------------------------------------------------------
# The document the home page presents (its slug); the first document when unset.
CAMPAIGN_DOCUMENT = env.str("CAMPAIGN_DOCUMENT", "")
# Guidance asks this function (dotted path) which sections must not be removed by an import.
GUIDANCE_SECTIONS_IN_USE = "comments.selectors.sections_in_use"
COMMENTS_XTD_MODEL = "comments.models.OrgComment"
COMMENTS_XTD_FORM_CLASS = "comments.forms.OrgCommentForm"
# The models people may comment on ("app_label.model"); each needs get_absolute_url().
COMMENTS_TARGET_MODELS = ["guidance.document", "guidance.section"]
# The task a comment's id is sent to when it becomes pending (the screening queue; empty: none).
COMMENTS_ON_PENDING = "comments.tasks.screen_comment"
# Screening: the checks' scores add up; spam at or above the high threshold, automatic approval at
# or below the low one (trusted posters only), a coordinator's review in between.
COMMENTS_SPAM_THRESHOLD = env.float("COMMENTS_SPAM_THRESHOLD", 6.0)
COMMENTS_APPROVE_THRESHOLD = env.float("COMMENTS_APPROVE_THRESHOLD", 1.0)
if COMMENTS_APPROVE_THRESHOLD >= COMMENTS_SPAM_THRESHOLD:
    raise ImproperlyConfigured("COMMENTS_APPROVE_THRESHOLD must be lower than COMMENTS_SPAM_THRESHOLD.")
# Coordinators get one digest mail per period when comments wait for review, never one per comment.
# How long a screening process keeps the coordinators' keyword rules and the classifier's document
# totals before reading them again (a change made in the same process applies at once).
COMMENTS_SCREENING_CACHE_SECONDS = env.int("COMMENTS_SCREENING_CACHE_SECONDS", 10, minimum=0)
# The spam classifier (comments/classifier.py). Below this many examples of spam or of ham it abstains.
COMMENTS_CLASSIFIER_MIN_EXAMPLES = env.int("COMMENTS_CLASSIFIER_MIN_EXAMPLES", 20, minimum=1)
# At this calibrated probability, and with this many examples of each label, it sends a comment to
# the spam folder on its own (recoverable there); below, its score adds to the others'.
COMMENTS_CLASSIFIER_SPAM_PROBABILITY = env.float("COMMENTS_CLASSIFIER_SPAM_PROBABILITY", 0.98)
COMMENTS_CLASSIFIER_DECIDE_EXAMPLES = env.int("COMMENTS_CLASSIFIER_DECIDE_EXAMPLES", 100, minimum=1)
if not 0.5 < COMMENTS_CLASSIFIER_SPAM_PROBABILITY <= 1.0:
    raise ImproperlyConfigured("COMMENTS_CLASSIFIER_SPAM_PROBABILITY must be above 0.5 and at most 1.")
# A comment (of a dozen words or more) sharing fewer of its words with the note than this seems unrelated.
COMMENTS_RELEVANCE_MIN_SHARE = env.float("COMMENTS_RELEVANCE_MIN_SHARE", 0.3)
# Seconds a retrain waits after a decision, so that a burst of decisions gives one retrain.
COMMENTS_CLASSIFIER_RETRAIN_SECONDS = env.int("COMMENTS_CLASSIFIER_RETRAIN_SECONDS", 30, minimum=0)
# A retrain measures the new model on a held-out share only up to this many examples (time).
COMMENTS_CLASSIFIER_EVALUATE_UP_TO = env.int("COMMENTS_CLASSIFIER_EVALUATE_UP_TO", 5000, minimum=0)
COMMENTS_DIGEST_MINUTES = env.int("COMMENTS_DIGEST_MINUTES", 30, minimum=1)
CELERY_BEAT_SCHEDULE["review-digest"]["schedule"] = timedelta(minutes=COMMENTS_DIGEST_MINUTES)
# Akismet is asked only when a key is set; only the text is sent, never an email or an address.
AKISMET_API_KEY = env.str("AKISMET_API_KEY", "")
AKISMET_CLIENT_CLASS = "akismet.SyncClient"
# Comments pending longer than this are handed to screening again by the beat sweep.
COMMENTS_SWEEP_AFTER_MINUTES = env.int("COMMENTS_SWEEP_AFTER_MINUTES", 3, minimum=1)
GUIDANCE_SECTION_COUNTS = "comments.selectors.section_counts"
# The task an official reply's id is sent to once it is published (news by email; '' for none).
COMMENTS_ON_OFFICIAL_REPLY = "campaign.subscriptions.tasks.announce_reply"
# The same, per passage of a section: {anchor: [(kind, label), ...]} (guidance.selectors.passage_views).
GUIDANCE_PASSAGE_COUNTS = "comments.selectors.passage_counts"
# What a version took up of the amendments: "changed in response to N amendments from M organisations".
GUIDANCE_VERSION_RESPONSES = "comments.selectors.version_responses"

# --- News by email (campaign/subscriptions) ----------------------------------------
# A subscription not confirmed from its mailbox within this many days is deleted, address included.
SUBSCRIPTIONS_CONFIRMATION_DAYS = env.int("SUBSCRIPTIONS_CONFIRMATION_DAYS", 7, minimum=1)
# One address is mailed at most once in this many minutes when it is subscribed again (pending or not):
# a stranger typing someone's address over and over cannot flood their mailbox.
SUBSCRIPTIONS_RESEND_MINUTES = env.int("SUBSCRIPTIONS_RESEND_MINUTES", 15, minimum=0)
# Subscribers per mail task: a piece of news goes out as one task per this many recipients.
SUBSCRIPTIONS_BATCH_SIZE = env.int("SUBSCRIPTIONS_BATCH_SIZE", 100, minimum=1)
# The hourly check mails news at most this many days old (a version, a closing, an official reply):
# news older than that when the feature is switched on, or after a long outage, is not mailed.
SUBSCRIPTIONS_NEWS_DAYS = env.int("SUBSCRIPTIONS_NEWS_DAYS", 3, minimum=1)
