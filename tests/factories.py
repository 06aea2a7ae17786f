"""factory_boy factories shared by the test suite."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from campaign.organisations.models import Organisation
from comments.text import fingerprint, render_text
from guidance.models import Document, Section, SectionText, Version
from guidance.passages import of_markdown
from guidance.rendering import plain_text, render_markdown


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
    body_text = factory.LazyAttribute(lambda t: plain_text(t.body_html))
    # Anchored passages as the importer stores them, when the HTML is the Markdown's (a test that sets
    # an HTML of its own gets none: the page then shows that HTML whole).
    passages = factory.LazyAttribute(
        lambda t: (
            [p.as_json() for p in of_markdown(t.body_markdown, [])]
            if render_markdown(t.body_markdown) == t.body_html
            else []
        )
    )


class OrgCommentFactory(factory.django.DjangoModelFactory):
    """A comment on a section, waiting for a coordinator; the traits decide it through the real service.

    ``OrgCommentFactory(target=section, approved=True)`` (or ``rejected=True``) moves it with
    ``comments.services.change_state``, so it carries the ModerationEvent a coordinator's decision
    writes, not a faked audit trail. The decision mails nobody (``notify=False``).
    """

    class Meta:
        model = "comments.OrgComment"
        exclude = ("target",)
        skip_postgeneration_save = True  # the decision saved it, through the service

    target = factory.SubFactory(SectionFactory)
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.target))
    object_pk = factory.LazyAttribute(lambda o: str(o.target.pk))
    site_id = 1
    comment = factory.Sequence(lambda n: f"Comment number {n} on this section.")
    comment_html = factory.LazyAttribute(lambda o: render_text(o.comment))
    fingerprint = factory.LazyAttribute(lambda o: fingerprint(o.comment))
    submit_date = factory.LazyFunction(timezone.now)
    user_email = factory.Sequence(lambda n: f"poster{n}@example.org")
    state = "review"
    is_public = False

    @factory.post_generation
    def approved(obj, create, extracted, **kwargs):
        if create and extracted:
            _decide(obj, "approved", "approve")

    @factory.post_generation
    def rejected(obj, create, extracted, **kwargs):
        if create and extracted:
            _decide(obj, "rejected", "reject")


def _decide(comment, new_state: str, action: str) -> None:
    from comments import services

    services.change_state(comment=comment, new_state=new_state, action=action, by=None, notify=False)
    comment.refresh_from_db()
