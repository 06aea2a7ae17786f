"""Shared fixtures: named personas and a small published note."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.signals import request_finished
from django.utils import translation

from campaign.celery import app as celery_app
from tests import factories


@pytest.fixture
def coordinator(db):
    """A coordinator: staff, in the Coordinators group."""
    user = factories.UserFactory(username="coordinator", is_staff=True)
    group, _ = Group.objects.get_or_create(name="Coordinators")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["guidance", "campaign", "comments"]).exclude(
            codename__startswith="delete_"
        )
    )
    user.groups.add(group)
    return user


@pytest.fixture
def member(db):
    """A member of a verified organisation."""
    user = factories.UserFactory(username="member")
    org = factories.OrganisationFactory(name="Sisters Alliance", slug="sisters-alliance")
    org.members.add(user)
    return user


@pytest.fixture
def stranger(db):
    """Someone with an account and no role."""
    return factories.UserFactory(username="stranger")


@pytest.fixture
def note(db):
    """A document with an original version and a reworked draft of three sections each."""
    document = factories.DocumentFactory(slug="guidance-note")
    original = factories.VersionFactory(document=document, number=1, label="Original text", kind="original")
    draft = factories.VersionFactory(document=document, number=2, label="Reworked draft 1")
    for position, key in enumerate(["introduction", "rights-based-approach", "health-services"], start=1):
        section = factories.SectionFactory(document=document, key=key)
        for version in (original, draft):
            body = f"The {key.replace('-', ' ')} in version {version.number}."
            factories.SectionTextFactory(
                version=version,
                section=section,
                position=position,
                heading=key.replace("-", " ").capitalize(),
                body_markdown=body,
                body_html=f"<p>{body}</p>",
            )
    return document


@pytest.fixture
def section(note):
    """The note's second section, commented on by most tests."""
    return note.sections.get(key="rights-based-approach")


@pytest.fixture
def eager_tasks():
    """Run the tasks a post or a decision queues in-process; the system tests start a real worker instead."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hash test passwords cheaply; production keeps Django's strong default."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_keyword_rules():
    """The screening keeps keyword rules and the classifier's model in memory; a test's rolled-back rows
    must not outlive it."""
    from comments.classifier import forget_model
    from comments.relevance import forget as forget_note_words
    from comments.screening import forget_keyword_rules, forget_verified_names

    forget_keyword_rules()
    forget_verified_names()
    forget_model()
    forget_note_words()
    yield
    forget_keyword_rules()
    forget_verified_names()
    forget_model()
    forget_note_words()


@pytest.fixture(autouse=True)
def _own_rate_limit_counts(settings):
    """Count rate limits under a prefix of this test's own: the limits stay on in every test (with the
    configured cache, Redis in CI), but posts made by earlier tests do not count against this one."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"


def _forget_the_language(**kwargs) -> None:
    translation.deactivate()


@pytest.fixture(autouse=True)
def _english_between_requests():
    """Start each test, and each test client request, in the default language.

    LocaleMiddleware activates the language of each address (/fr/...) and leaves it active in the
    thread afterwards; a URL reversed after a French request would otherwise come out French.
    """
    translation.deactivate()
    request_finished.connect(_forget_the_language, dispatch_uid="tests-forget-the-language")
    yield
    request_finished.disconnect(dispatch_uid="tests-forget-the-language")
    translation.deactivate()
