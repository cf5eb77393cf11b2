"""Settings for homeoffice: one module, driven by environment variables with local defaults.

`DATABASE_URL` defaults to a SQLite file in the project (`db.sqlite3`), so a newcomer needs
nothing else; production points it at PostgreSQL (`postgres://user@host:5432/name`).
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from homeoffice.security import secret_key_problem

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, True),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "testserver"]),
    RECEIPT_MAX_BYTES=(int, 20 * 1024 * 1024),
)
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DEBUG")
# The default key is for local use only; production (DEBUG off) must set SECRET_KEY.
_DEV_KEY = "dev-only-insecure-key-homeoffice-change-me"
SECRET_KEY = env("SECRET_KEY", default=_DEV_KEY)
if not DEBUG and (problem := secret_key_problem(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"{problem}. DEBUG is off: set SECRET_KEY to a long random value, for example the "
        "output of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "import_export",
    "simple_history",
    "ledger",
    "forms8829",
    "review",
    "interface",
]

MIDDLEWARE = [
    # Outermost: the request runs in a roomy chunk of the interpreter's frame stack, so no loop
    # of a page pays a system call a call at a chunk's boundary (homeoffice.frame_stack).
    "homeoffice.frame_stack.roomy_frame_stack",
    # Then: under /api/ every error answer is JSON, whoever made it (a 404 off the routes,
    # a 500, a body too large); bodies above REQUEST_MAX_BYTES are refused before they are read.
    "interface.middleware.api_errors_as_json",
    "interface.middleware.request_size_limit",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "interface.middleware.user_time_zone",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it answers a locked-out login (interface.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "homeoffice.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "homeoffice" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "interface.accounts.accounts_context",
                "interface.admin_scope.admin_scope_notice",
            ],
        },
    },
]

WSGI_APPLICATION = "homeoffice.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# No transaction per request: a read runs in autocommit and takes no lock; every write opens its
# own transaction (forms8829.filing.ledger_write and the services), which on SQLite starts
# IMMEDIATE, so two writers queue for the write lock instead of deadlocking on it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# Receipts are private: stored outside any public media path and served only through
# authenticated views that check the owner.
RECEIPTS_ROOT = Path(env("RECEIPTS_ROOT", default=str(BASE_DIR / "var" / "receipts")))
RECEIPT_MAX_BYTES = env("RECEIPT_MAX_BYTES")
# Several app servers: receipts in an S3 bucket (or an S3-compatible server) instead of the
# folder above. Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the
# machine's role); the bucket stays private: files leave only through the download view.
RECEIPTS_S3_BUCKET = env("RECEIPTS_S3_BUCKET", default="")
RECEIPTS_S3_ENDPOINT_URL = env("RECEIPTS_S3_ENDPOINT_URL", default="")
RECEIPTS_S3_REGION = env("RECEIPTS_S3_REGION", default="us-east-1")
RECEIPTS_S3_PREFIX = env("RECEIPTS_S3_PREFIX", default="receipts")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(BASE_DIR / "var" / "media")},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

LOGIN_URL = "admin:login"

# Accounts (interface.accounts): the sign-up page is off unless SIGNUP_ENABLED is set; password
# reset mails go through EMAIL_BACKEND (locally the console backend prints them).
SIGNUP_ENABLED = env.bool("SIGNUP_ENABLED", default=False)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="homeoffice <noreply@localhost>")

REST_FRAMEWORK = {
    # Token first: an anonymous request is answered 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Bodies are JSON only (a form-encoded body is a 415 in the one error shape); the views
    # that take a file (receipts, the bills CSV, the ledger file, statements) add multipart.
    # JSON numbers are read as written, as the ledger reads them everywhere (ledger.fields).
    "DEFAULT_PARSER_CLASSES": ["interface.api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",  # the API test client speaks what the API takes
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "interface.api.filters.StableOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "interface.api.exceptions.api_exception_handler",
    # Per client address, in the shared cache (interface.api.throttling).
    "DEFAULT_THROTTLE_RATES": {"auth-token": env("AUTH_TOKEN_RATE", default="30/minute")},
    "COERCE_DECIMAL_TO_STRING": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "homeoffice API",
    "DESCRIPTION": "A multi-year ledger for the US home office deduction (IRS Form 8829). "
    "Every endpoint but `auth/token/` needs login: a session, or `Authorization: Token <token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # 415 for every body, empty optional query parameters (interface.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "interface.api.schema.document_the_wire",
    ],
    # Swagger UI's assets come from the installed drf-spectacular-sidecar, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "MethodEnum": "ledger.models.TaxYearHome.Method",
        "YearMethodEnum": ["regular", "simplified", "mixed"],
    },
}


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# --------------------------------------------------------------------------------------------
# Production hardening (docs/production.md). Each value comes from the environment; the default
# is safe when DEBUG is off and convenient when it is on (local use over plain HTTP).

# Client addresses: X-Forwarded-For is read only when TRUSTED_PROXY_COUNT says how many proxies
# of ours stand in front of the app (each appends the address it saw); with 0, REMOTE_ADDR.
# The throttles and the login lockout both ask `interface.client_ip.client_ip`.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT > 0:  # the proxy terminates TLS and says so
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no page script reads it: forms carry the token in a field
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp) on every page: scripts, styles, images and fonts from this
# site only; no inline script or style anywhere (the review's CSS is a static file, its charts
# are inline SVG without style attributes, Swagger UI loads its setup as a script file).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# The cache holds the throttles' counters (and the admin's pending CSV imports): shared by every
# worker and server. The database cache by default (its table is made by `migrate`, see
# interface/migrations), Redis when CACHE_URL is set (redis://host:6379/0).
CACHE_URL = env("CACHE_URL", default="")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis:// or rediss:// URL.")
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "homeoffice_cache",
        }
    }
# The review pages as last rendered, per browser session and ledger version (review.page_cache):
# each process's own memory, bounded; a restart empties it, and no read writes to the database.
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "review-pages",
    "TIMEOUT": env.int("REVIEW_PAGE_SECONDS", default=3600),
    "OPTIONS": {"MAX_ENTRIES": env.int("REVIEW_PAGES_KEPT", default=200)},
}

# Admin (and API token) logins: django-axes locks a username, and separately a client address,
# after LOGIN_FAILURE_LIMIT failures, for LOGIN_LOCKOUT_MINUTES; `manage.py unlock_login` lifts it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "interface.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "interface.lockout.lockout_response"
AXES_VERBOSE = False

# The largest request body accepted at all (413 above it, before it is read); the JSON bodies,
# the CSV imports and receipts have smaller limits of their own.
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=512 * 1024 * 1024)
