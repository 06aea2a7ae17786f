"""Readers and coordinators see a section by its heading in the current version, never by its key."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest

from guidance.models import SectionText
from tests import factories
from tests.comments.builders import approved_comment
from tests.comments.test_desk import waiting

pytestmark = pytest.mark.django_db

HEADING = "Human rights come first"
OLD_HEADING = "Rights based approach"
KEY = "rights-based-approach"


@pytest.fixture
def retitled(section):
    """The current draft renames the section; an unpublished third version renames it again."""
    SectionText.objects.filter(section=section, version__number=2).update(heading=HEADING)
    unpublished = factories.VersionFactory(document=section.document, number=3, label="Next draft", published=None)
    factories.SectionTextFactory(version=unpublished, section=section, position=1, heading="Not out yet")
    return section


def texts(html: str) -> list[str]:
    """The words between tags (link texts, options, headings), not the addresses in attributes."""
    return [t.strip() for t in re.findall(r">([^<]+)<", html) if t.strip()]


def names_it(words: list[str]) -> bool:
    return any(HEADING in w for w in words) and not any(KEY in w or "Not out yet" in w for w in words)


def test_the_form_page_and_the_sent_page_name_the_section_by_its_heading(client, retitled, post):
    response = post(retitled, comment="")  # an empty comment: the form comes back
    assert response.status_code == 200
    assert "comments/form_page.html" in [t.name for t in response.templates]
    assert names_it(texts(response.content.decode()))
    sent = client.get(f"/comments/sent/?content_type=guidance.section&object_pk={retitled.pk}")
    assert names_it(texts(sent.content.decode()))


def test_the_desk_item_and_its_page_filter_name_the_section_by_its_heading(client, coordinator, retitled):
    client.force_login(coordinator)
    waiting(retitled)
    words = texts(client.get("/desk/").content.decode())
    assert names_it(words)
    assert f"{retitled.document.title} / {HEADING}" in words  # the filter's option and the item's link
    assert not any(OLD_HEADING in w for w in words)


def test_the_csv_section_column_is_the_heading_in_the_current_version(client, coordinator, retitled):
    client.force_login(coordinator)
    approved_comment(retitled, kind="endorse", organisation_name="Sisters Alliance", display="org")
    rows = list(csv.reader(io.StringIO(client.get("/desk/export/endorsements.csv").content.decode())))
    section = rows[0].index("section")
    assert [row[section] for row in rows[1:]] == [HEADING]


def test_the_section_feed_title_is_the_heading(client, retitled):
    approved_comment(retitled)
    response = client.get(f"/comments/feeds/{retitled.document.slug}/{KEY}.atom")
    title = ET.fromstring(response.content).find("{http://www.w3.org/2005/Atom}title").text  # noqa: S314
    assert HEADING in title
    assert KEY not in title


def test_a_section_no_version_is_published_for_yet_is_named_by_its_newest_draft(note):
    draft = factories.VersionFactory(document=note, number=9, label="Unpublished", published=None)
    section = factories.SectionFactory(document=note, key="new-section")
    factories.SectionTextFactory(version=draft, section=section, position=9, heading="A new section")
    assert section.title == "A new section"
