"""Every feed's own texts, fed with every hostile string: no feed fails, and each reads as typed.

The comment feeds are fed by posters through the form (tests/security/test_hostile_comments.py);
here the other texts every feed shows: a document's title and summary (the titles of the comment
feeds and of the versions feed), and a version's label and changelog (the versions feed's entries),
written by coordinators in the admin, which keeps what a paste brings.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from guidance.models import Document, Section, Version
from tests.security import markup
from tests.security.hostile import quiet_request_log, sampled, strings, xml_text

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def storable() -> list[str]:
    """The strings a coordinator's form can store: Django's form fields refuse NUL, and so does PostgreSQL."""
    return [value for value in strings() if "\x00" not in value]


def feeds_of(document: Document, section: Section) -> tuple[str, ...]:
    slug = document.slug
    return (f"/comments/feeds/{slug}.atom", f"/comments/feeds/{slug}/{section.key}.atom", f"/note/{slug}/versions.atom")


@pytest.fixture(scope="module")
def documents(module_transaction) -> list[tuple[str, Document, Section]]:
    """One document per string (every other one, see hostile.sampled), as title and summary, with a version."""
    made = Document.objects.bulk_create(
        Document(slug=f"hostile-{index}", title=value[:300], summary=value, language="en")
        for index, value in enumerate(storable())
        if sampled(index)
    )
    sections = Section.objects.bulk_create(Section(document=document, key="intro") for document in made)
    Version.objects.bulk_create(
        Version(document=document, number=1, label="One", language="en", published=timezone.now()) for document in made
    )
    return [(document.summary, document, section) for document, section in zip(made, sections, strict=True)]


def test_no_feed_fails_on_a_document_title_or_summary(documents):
    client, failed = Client(raise_request_exception=False), []
    with quiet_request_log():
        for value, document, section in documents:
            for path in feeds_of(document, section):
                response = client.get(path)
                if response.status_code != 200:
                    failed.append(f"{path} -> {response.status_code} for {value[:60]!r}")
                    continue
                title = ET.fromstring(response.content).findtext(f"{ATOM}title", "")  # noqa: S314 - our own
                if xml_text(document.title) not in title:
                    failed.append(f"{path}: title {title[:60]!r} for {value[:60]!r}")
    assert not failed, "\n".join(failed[:20])


def test_the_versions_feed_shows_every_label_and_changelog_within_the_allow_list(module_transaction):
    document = Document.objects.create(slug="hostile-versions", title="Versions", language="en")
    now = timezone.now()
    Version.objects.bulk_create(
        Version(document=document, number=index + 1, label=value[:200], changelog=value, language="en", published=now)
        for index, value in enumerate(storable())
    )
    response = Client(raise_request_exception=False).get("/note/hostile-versions/versions.atom")
    assert response.status_code == 200, response.exc_info
    markup.assert_feed_allowed(response.content, markup.COMMENT_TEXT, where="versions feed")
    titles = {entry["title"] for entry in markup.feed_entries(response.content)}
    missing = [value[:60] for value in storable() if not any(xml_text(value[:200]) in title for title in titles)]
    assert not missing, missing[:10]
