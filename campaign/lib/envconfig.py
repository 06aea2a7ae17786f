"""Strict readers for environment variables.

django-environ parses the values, but it forgives too much: ``DEBUG=maybe`` reads
as False and ``DATABASE_URL=postgress://...`` as an unknown engine. A typo in
production must stop start-up with a message that names the variable, so every
value read here is checked and any problem raises ``ImproperlyConfigured``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_DB_SCHEMES = {"postgres", "postgresql", "pgsql", "psql", "sqlite"}
_REDIS_SCHEMES = {"redis", "rediss"}
# A secret key needs at least this many different characters: a hex string has 16.
_SECRET_MIN_LENGTH = 50
_SECRET_MIN_DISTINCT = 10
# The prefix of the keys Django's startproject writes: published, so never secret.
_INSECURE_SECRET_PREFIX = "django-insecure"  # noqa: S105 - a prefix refused, not a secret
# A rate as django-ratelimit reads it: a count per period, "20/h", "5/15m".
_RATE_RE = re.compile(r"^[1-9][0-9]*/[1-9]?[0-9]*[smhd]$")


class Config:
    """Read typed values from an environment mapping, loudly."""

    def __init__(self, environ_mapping: dict[str, str], *, production: bool) -> None:
        self.env = environ_mapping
        self.production = production

    def _raw(self, name: str, default: str | None, *, required_in_production: bool) -> str | None:
        value = self.env.get(name)
        if value is None or value.strip() == "":
            if self.production and required_in_production:
                raise ImproperlyConfigured(
                    f"{name} must be set in production (PRODUCTION=true). See README.md, 'Configuration'."
                )
            return default
        return value.strip()

    def str(self, name: str, default: str | None = None, *, required_in_production: bool = False) -> str | None:
        return self._raw(name, default, required_in_production=required_in_production)

    def bool(self, name: str, default: bool) -> bool:
        value = self.env.get(name)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use true or false.")

    def int(self, name: str, default: int, *, minimum: int | None = None) -> int:
        value = self.env.get(name)
        if value is None or value.strip() == "":
            return default
        try:
            number = int(value.strip())
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
        return number

    def float(self, name: str, default: float) -> float:
        value = self.env.get(name)
        if value is None or value.strip() == "":
            return default
        try:
            return float(value.strip())
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None

    def rate(self, name: str, default: str) -> str:
        value = self._raw(name, default, required_in_production=False)
        if not _RATE_RE.match(value):
            raise ImproperlyConfigured(f"{name}={value!r} is not a rate: write a count per period, e.g. 20/h or 5/15m.")
        return value

    def list(self, name: str, default: list[str], *, required_in_production: bool = False) -> list[str]:
        value = self._raw(name, None, required_in_production=required_in_production)
        if value is None:
            return list(default)
        items = [item.strip() for item in value.split(",") if item.strip()]
        if not items:
            raise ImproperlyConfigured(f"{name}={value!r} lists nothing.")
        return items

    def secret(self, name: str, default: str) -> str:
        """Read a signing key; in production refuse one that is short, repetitive or Django's insecure sample."""
        value = self._raw(name, default, required_in_production=True)
        if self.production and (
            value == default
            or len(value) < _SECRET_MIN_LENGTH
            or len(set(value)) < _SECRET_MIN_DISTINCT
            or value.startswith(_INSECURE_SECRET_PREFIX)
        ):
            raise ImproperlyConfigured(
                f"{name} must be a random value of at least {_SECRET_MIN_LENGTH} characters, with at least "
                f"{_SECRET_MIN_DISTINCT} different ones, in production (for example: python -c "
                "'import secrets; print(secrets.token_urlsafe(50))')."
            )
        return value

    def hosts(self, name: str, default: list[str]) -> list[str]:
        """Read host names; in production refuse a wildcard that would match any host ("*", ".")."""
        hosts = self.list(name, default, required_in_production=True)
        if self.production and any(not host.strip("*.") for host in hosts):
            raise ImproperlyConfigured(
                f"{name} may not hold a wildcard for every host in production: name the site's hosts."
            )
        return hosts

    def database(self, name: str, default: str) -> dict:
        url = self._raw(name, None, required_in_production=True) or default
        scheme = urlsplit(url).scheme
        if scheme not in _DB_SCHEMES:
            raise ImproperlyConfigured(
                f"{name} has the scheme {scheme!r}; use postgres://user:password@host:port/name"
                " (or sqlite:///path for a laptop)."
            )
        try:
            config = environ.Env.db_url_config(url)
        except (ValueError, ImproperlyConfigured) as exc:
            raise ImproperlyConfigured(f"{name} is malformed: {exc}") from None
        if scheme != "sqlite" and not config.get("NAME"):
            raise ImproperlyConfigured(f"{name} names no database (postgres://host/DATABASE).")
        return config

    def redis_url(self, name: str) -> str | None:
        url = self._raw(name, None, required_in_production=True)
        if url is None:
            return None
        parts = urlsplit(url)
        if parts.scheme not in _REDIS_SCHEMES or not parts.hostname:
            raise ImproperlyConfigured(f"{name} must look like redis://host:6379/0.")
        try:
            parts.port  # noqa: B018 - raises ValueError on a malformed port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has a malformed port.") from None
        return url

    def email(self, name: str, default: str) -> dict:
        url = self._raw(name, None, required_in_production=True) or default
        try:
            return environ.Env.email_url_config(url)
        except (ValueError, ImproperlyConfigured) as exc:
            raise ImproperlyConfigured(f"{name} is malformed: {exc}") from None
