"""factory_boy factories shared by the test suite."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from campaign.models import Organisation
from guidance.models import Document, Section, SectionText, Version


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("a-long-test-password")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Collective {n}")
    slug = factory.Sequence(lambda n: f"collective-{n}")
    country = "KE"
    city = "Nairobi"


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    slug = factory.Sequence(lambda n: f"note-{n}")
    title = "Guidance Note on HIV and sex work"
    summary = "A reworked guidance note."
    language = "en"


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Version

    document = factory.SubFactory(DocumentFactory)
    number = factory.Sequence(lambda n: n + 1)
    label = factory.LazyAttribute(lambda v: f"Draft {v.number}")
    kind = Version.Kind.DRAFT
    language = "en"
    published = factory.LazyFunction(timezone.now)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    document = factory.SubFactory(DocumentFactory)
    key = factory.Sequence(lambda n: f"section-{n}")


class SectionTextFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SectionText

    version = factory.SubFactory(VersionFactory)
    section = factory.SubFactory(SectionFactory, document=factory.SelfAttribute("..version.document"))
    position = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(lambda t: str(t.position))
    heading = factory.LazyAttribute(lambda t: f"Heading of {t.section.key}")
    body_markdown = "Some text."
    body_html = "<p>Some text.</p>"
