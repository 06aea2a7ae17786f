"""Start-up configuration: the embedded defaults, production's required variables, bad values.

Settings are read once per process, so every case starts Django in a child process with an
environment built here from scratch: the parent's own DATABASE_URL, REDIS_URL and the like
(CI sets them) never leak in.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.utils.csp import CSP

ROOT = Path(__file__).resolve().parents[2]

# Every variable campaign/settings.py reads (found in its source, and the main ones named in case it changes shape).
_SETTINGS_SOURCE = (ROOT / "campaign" / "settings.py").read_text()
SETTINGS_VARIABLES = set(re.findall(r"""\b(?:env|_bootstrap)\.\w+\(\s*["']([A-Z][A-Z0-9_]*)["']""", _SETTINGS_SOURCE))
SETTINGS_VARIABLES |= {
    *("PRODUCTION", "SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "EMAIL_URL", "SITE_URL"),
}

# A production-like environment that passes every check (no service is contacted at start-up).
PRODUCTION_ENV = {
    "PRODUCTION": "true",
    "SECRET_KEY": "q8Vd2-LrXz7!mK4pT9wEs#6yHc1uN3bJf5gA0oZ^iR&lW*eD(hC)xS_vB+nM=kQ",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/campaign",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "CACHE_REDIS_URL": "redis://127.0.0.1:6380/0",
    "ADDRESS_HMAC_KEY": "Zt4-wQ9!pL2mX7vB#kR5yN8cH3dF6gJ1sA0eU^oI",
    "ALLOWED_HOSTS": "example.org",
    "EMAIL_URL": "smtp://user:pw@mail.example.org:587",
    "SITE_URL": "https://example.org",
}
# The value settings.py falls back to on a laptop; production must refuse it.
EMBEDDED_SECRET = re.search(r'_EMBEDDED_SECRET = "([^"]+)"', _SETTINGS_SOURCE).group(1)
REQUIRED_IN_PRODUCTION = [
    *("SECRET_KEY", "ADDRESS_HMAC_KEY", "DATABASE_URL", "REDIS_URL", "CACHE_REDIS_URL"),
    *("ALLOWED_HOSTS", "EMAIL_URL", "SITE_URL"),
]

# Prints the settings the tests look at, as JSON, from a freshly started Django.
SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "PRODUCTION": s.PRODUCTION,
    "DEBUG": s.DEBUG,
    "ENGINE": s.DATABASES["default"]["ENGINE"],
    "CONN_MAX_AGE": s.DATABASES["default"]["CONN_MAX_AGE"],
    "CACHE": s.CACHES["default"]["BACKEND"],
    "CACHE_LOCATION": s.CACHES["default"].get("LOCATION"),
    "BROKER": s.CELERY_BROKER_URL,
    "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "SECURE_CSP": s.SECURE_CSP,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_PROXY_SSL_HEADER": s.SECURE_PROXY_SSL_HEADER,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": s.SESSION_COOKIE_HTTPONLY,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "STATICFILES": s.STORAGES["staticfiles"]["BACKEND"],
    "COOKIES": {
        kind: {
            "name": getattr(s, f"{kind}_COOKIE_NAME"),
            "secure": getattr(s, f"{kind}_COOKIE_SECURE"),
            "path": getattr(s, f"{kind}_COOKIE_PATH"),
            "domain": getattr(s, f"{kind}_COOKIE_DOMAIN"),
        }
        for kind in ("SESSION", "CSRF", "LANGUAGE")
    },
    "SESSION_COOKIE_AGE": s.SESSION_COOKIE_AGE,
    "SESSION_EXPIRE_AT_BROWSER_CLOSE": s.SESSION_EXPIRE_AT_BROWSER_CLOSE,
    "RATELIMIT_CACHE": s.CACHES[s.RATELIMIT_USE_CACHE]["BACKEND"],
}))
"""


def clean_environ(**variables: str) -> dict[str, str]:
    """The parent's environment without anything the settings read, plus ``variables``."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTINGS_VARIABLES and not name.startswith(("CELERY_", "DJANGO_"))
    }
    environ["DJANGO_SETTINGS_MODULE"] = "campaign.settings"
    environ["PYTHONDONTWRITEBYTECODE"] = "1"
    environ.update(variables)
    return environ


def run_python(code: str, environ: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=timeout
    )


def run_manage(*args: str, environ: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=timeout
    )


def show_settings(**variables: str) -> dict:
    result = run_python(SHOW_SETTINGS, clean_environ(**variables))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_refused(result: subprocess.CompletedProcess[str], name: str) -> None:
    """Start-up stopped with an ImproperlyConfigured that names the variable."""
    assert result.returncode != 0, f"start-up should fail for {name}:\n{result.stdout}"
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line, result.stderr
    assert name in last_line, result.stderr


# --- Embedded default --------------------------------------------------------------


def test_with_no_variable_it_runs_embedded():
    shown = show_settings()
    assert shown["PRODUCTION"] is False
    assert shown["DEBUG"] is True
    assert shown["ENGINE"] == "django.db.backends.sqlite3"
    assert shown["CACHE"] == "django.core.cache.backends.locmem.LocMemCache"
    assert shown["BROKER"] == "filesystem://"
    assert shown["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert shown["SECURE_SSL_REDIRECT"] is False
    assert shown["SESSION_COOKIE_SECURE"] is False


@pytest.fixture(scope="module")
def production_settings() -> dict:
    return show_settings(**PRODUCTION_ENV)


def test_the_production_services_are_used_when_named(production_settings):
    shown = production_settings
    assert shown["PRODUCTION"] is True
    assert shown["DEBUG"] is False
    assert shown["ENGINE"] == "django.db.backends.postgresql"
    assert shown["CONN_MAX_AGE"] > 0
    assert shown["CACHE"] == "django.core.cache.backends.redis.RedisCache"
    assert shown["BROKER"] == PRODUCTION_ENV["REDIS_URL"]
    assert shown["CACHE_LOCATION"] == PRODUCTION_ENV["CACHE_REDIS_URL"]
    assert shown["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert shown["ALLOWED_HOSTS"] == ["example.org"]
    assert shown["STATICFILES"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


# --- Refusals: missing and malformed values ---------------------------------------------
# Each case is one process start; they run side by side (see the ``refusals`` fixture).

MISSING = {
    f"{name} missing": ({key: value for key, value in PRODUCTION_ENV.items() if key != name}, name)
    for name in REQUIRED_IN_PRODUCTION
}
BLANK = {f"{name} blank": ({**PRODUCTION_ENV, name: "  "}, name) for name in REQUIRED_IN_PRODUCTION}
MALFORMED = {
    f"{name}={value!r}{' in production' if production else ''}": (
        {**(PRODUCTION_ENV if production else {}), name: value},
        name,
    )
    for name, value, production in [
        ("DEBUG", "maybe", False),
        ("PRODUCTION", "yes please", False),
        ("DATABASE_URL", "postgress://x/y", False),
        ("DATABASE_URL", "postgres://h:5x/db", False),
        ("DATABASE_URL", "postgres://h:5432/", False),
        ("REDIS_URL", "http://x", False),
        ("REDIS_URL", "redis://h:6x/0", False),
        ("EMAIL_URL", "bogus://", False),
        ("EMAIL_URL", "smtp://u:p@h:2x", False),
        ("DB_CONN_MAX_AGE", "abc", False),
        ("DB_CONN_MAX_AGE", "-1", False),
        ("ALLOWED_HOSTS", " , ", False),
        ("SECURE_HSTS_SECONDS", "one year", True),
        ("RATELIMIT_POST_COMMENT", "lots", False),
        ("RATELIMIT_SIGN_IN_FAILURES", "5 per 15m", False),
        ("TRUSTED_PROXY_COUNT", "-1", False),
        ("SECRET_KEY", "too-short-for-production", True),
        ("SECRET_KEY", "abcde" * 12, True),
        ("SECRET_KEY", "django-insecure-q8Vd2-LrXz7!mK4pT9wEs#6yHc1uN3bJf5gA0oZ^iR&lW", True),
        ("ALLOWED_HOSTS", "*", True),
        ("ALLOWED_HOSTS", "example.org, .", True),
        ("ALLOWED_HOSTS", "example.org,*.", True),
        ("ADDRESS_HMAC_KEY", "too-short-for-production", True),
        ("CACHE_REDIS_URL", "http://x", False),
        # One Redis server has one eviction policy: the cache's would evict the broker's queued tasks.
        ("CACHE_REDIS_URL", "redis://127.0.0.1:6379/1", True),
        ("DEBUG", "true", True),
    ]
}
PASSWORD = "Pr1vate-Passw0rd"
OTHERS = {
    "embedded secret in production": ({**PRODUCTION_ENV, "SECRET_KEY": EMBEDDED_SECRET}, "SECRET_KEY"),
    "address key equal to SECRET_KEY": (
        {**PRODUCTION_ENV, "ADDRESS_HMAC_KEY": PRODUCTION_ENV["SECRET_KEY"]},
        "ADDRESS_HMAC_KEY",
    ),
    "malformed URL with a password": (
        {"DATABASE_URL": f"postgres://campaign:{PASSWORD}@db.example.org:54x2/campaign"},
        "DATABASE_URL",
    ),
}
REFUSAL_CASES = {**MISSING, **BLANK, **MALFORMED, **OTHERS}


@pytest.fixture(scope="module")
def refusals() -> dict[str, subprocess.CompletedProcess[str]]:
    """Start Django once per refusal case, several at a time, and keep what each printed."""
    with ThreadPoolExecutor(max_workers=(os.cpu_count() or 2) + 1) as pool:
        futures = {
            case: pool.submit(run_python, "import django; django.setup()", clean_environ(**variables))
            for case, (variables, _name) in REFUSAL_CASES.items()
        }
        return {case: future.result() for case, future in futures.items()}


@pytest.mark.parametrize("case", list(MISSING))
def test_production_refuses_to_start_without(refusals, case):
    assert_refused(refusals[case], REFUSAL_CASES[case][1])


@pytest.mark.parametrize("case", list(BLANK))
def test_production_treats_a_blank_value_as_missing(refusals, case):
    assert_refused(refusals[case], REFUSAL_CASES[case][1])


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_value_stops_start_up_naming_the_variable(refusals, case):
    assert_refused(refusals[case], REFUSAL_CASES[case][1])


def test_production_refuses_the_embedded_laptop_secret(refusals):
    assert_refused(refusals["embedded secret in production"], "SECRET_KEY")


def test_production_refuses_an_address_key_that_is_the_secret_key(refusals):
    assert_refused(refusals["address key equal to SECRET_KEY"], "ADDRESS_HMAC_KEY")


SHOW_ADDRESS_HASH = """
import django
django.setup()
from campaign.lib.privacy import address_hash
print(address_hash("203.0.113.7"))
"""


@pytest.mark.parametrize("production", [False, True], ids=["embedded", "production"])
def test_rotating_the_secret_key_keeps_the_address_hashes(production):
    base = PRODUCTION_ENV if production else {}
    hashes = {
        run_python(SHOW_ADDRESS_HASH, clean_environ(**{**base, "SECRET_KEY": secret})).stdout.strip()
        for secret in ("n7#Qe2!vL9pX4mK8tW1zR6yH3cB5dF0gJ" * 2, "a1!Bc2@De3#Fg4$Hi5%Jk6^Lm7&No8*Pq9(Rs" * 2)
    }
    assert len(hashes) == 1
    assert "" not in hashes


def test_a_refusal_does_not_echo_a_database_password(refusals):
    result = refusals["malformed URL with a password"]
    assert_refused(result, "DATABASE_URL")
    assert PASSWORD not in result.stderr + result.stdout


# --- Production: deployment checklist -------------------------------------------------


def test_production_passes_django_deployment_checks():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", environ=clean_environ(**PRODUCTION_ENV))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_production_security_settings(production_settings):
    shown = production_settings
    assert shown["SECURE_CSP"]["default-src"] == ["'self'"]
    for directive in ("connect-src", "form-action", "base-uri", "font-src"):
        assert shown["SECURE_CSP"][directive] == ["'self'"], directive
    # Scripts and styles: this site's files, and inline code only with its response's nonce; for styles,
    # also the site's own stylesheet written into each page, by the hash of its exact text.
    assert shown["SECURE_CSP"]["script-src"] == ["'self'", CSP.NONCE]
    style = shown["SECURE_CSP"]["style-src"]
    assert style[:2] == ["'self'", CSP.NONCE] and len(style) == 3, style
    assert re.fullmatch(r"'sha256-[A-Za-z0-9+/]{43}='", style[2]), style
    assert "'unsafe-inline'" not in style
    assert shown["SECURE_CSP"]["object-src"] == ["'none'"]
    assert shown["SECURE_CSP"]["frame-ancestors"] == ["'none'"]
    assert shown["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert shown["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert shown["SESSION_COOKIE_SECURE"] is True
    assert shown["CSRF_COOKIE_SECURE"] is True
    assert shown["SESSION_COOKIE_HTTPONLY"] is True
    assert shown["SECURE_SSL_REDIRECT"] is True
    assert shown["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_production_cookies_are_host_only_and_sessions_expire(production_settings):
    for kind, cookie in production_settings["COOKIES"].items():
        # What a browser demands of a "__Host-" cookie: Secure, Path=/, no Domain.
        assert cookie["name"].startswith("__Host-"), kind
        assert cookie == {**cookie, "secure": True, "path": "/", "domain": None}, kind
    assert production_settings["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert 3600 <= production_settings["SESSION_COOKIE_AGE"] <= 12 * 3600


def test_production_rate_limits_count_in_the_shared_redis_cache(production_settings):
    assert production_settings["RATELIMIT_CACHE"] == "django.core.cache.backends.redis.RedisCache"


def test_a_laptop_keeps_plain_cookie_names_over_http():
    cookies = show_settings()["COOKIES"]
    assert not any(cookie["name"].startswith("__Host-") or cookie["secure"] for cookie in cookies.values())


def test_production_behind_a_proxy_may_leave_the_https_redirect_to_it():
    shown = show_settings(**PRODUCTION_ENV, SECURE_SSL_REDIRECT="false")
    assert shown["SECURE_SSL_REDIRECT"] is False
    assert shown["SESSION_COOKIE_SECURE"] is True


def test_filemail_with_an_absolute_path_writes_there(tmp_path):
    """django-environ reads filemail:///abs/path as the relative "abs/path": the settings keep it absolute."""
    outbox = tmp_path / "mail"
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings; from django.core.mail import send_mail\n"
        "print(settings.EMAIL_FILE_PATH)\n"
        "send_mail('Subject', 'Body é', None, ['someone@example.org'])\n"
    )
    result = run_python(code, clean_environ(EMAIL_URL=f"filemail://{outbox}"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(outbox)
    (written,) = outbox.iterdir()
    assert "Body é" in written.read_text()
