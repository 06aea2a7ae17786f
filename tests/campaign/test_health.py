"""``/health/`` (campaign/pages/health.py): 200 when the database, cache and broker answer, else 503 naming which."""

from __future__ import annotations

import pytest

from campaign.celery import app as celery_app

CLOSED_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: a service that is down

pytestmark = pytest.mark.django_db


def test_it_answers_ok_when_every_service_answers(client):
    response = client.get("/health/")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "down": []})
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


def test_a_cache_that_is_down_answers_503_naming_it(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = client.get("/health/")
    assert (response.status_code, response.json()["down"]) == (503, ["cache"])


def test_a_broker_that_is_down_answers_503_naming_it(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", CLOSED_REDIS)
    response = client.get("/health/")
    assert (response.status_code, response.json()["down"]) == (503, ["broker"])


def test_a_database_that_is_down_answers_503_naming_it(client, monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/health/")
    assert (response.status_code, response.json()["down"]) == (503, ["database"])
