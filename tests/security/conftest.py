"""Fixtures of the hostile-input tests: data built once per module, inside a transaction rolled back after it."""

from __future__ import annotations

import os

import pytest
from django.db import transaction
from hypothesis import settings


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker):
    """Open a transaction for a whole module and roll it back at its end.

    Feeding hundreds of strings to every field takes thousands of requests: they are sent once, by a
    module fixture, and each test of the module then checks one field or one page. Each test still
    runs in its own savepoint (pytest-django's ``db``), like Django's ``setUpTestData``; nothing
    outlives the module.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


# Property tests: the same 100 examples on every run in CI (derandomised, no example database);
# HYPOTHESIS_PROFILE=explore searches twenty times wider, with fresh examples each run.
settings.register_profile("ci", max_examples=100, derandomize=True, database=None, deadline=None)
settings.register_profile("explore", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
