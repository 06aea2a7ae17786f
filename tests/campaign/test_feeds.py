"""The site's Atom feeds never fail on control characters a coordinator's text can carry."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests import factories
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_versions_feed_drops_control_characters_from_labels_and_changelogs(client, note):
    note.summary = "A summary\x0b pasted from a word processor."
    note.save()
    note.versions.filter(number=2).update(label="Reworked\x01 draft", changelog="Fewer\x1f raids.")
    response = client.get(f"/note/{note.slug}/versions.atom")
    assert response.status_code == 200
    feed = ET.fromstring(response.content)  # noqa: S314 - our own response
    titles = [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]
    assert "Version 2: Reworked draft (English)" in titles
    assert "Fewer raids." in feed.find(f"{ATOM}entry/{ATOM}summary").text


def test_the_comment_feeds_drop_control_characters_from_organisation_names(client, note):
    section = note.sections.get(key="introduction")
    organisation = factories.OrganisationFactory(name="Sisters\x08 Alliance")
    approved_comment(section, organisation=organisation)
    approved_comment(note, organisation=organisation)
    for path in (f"/comments/feeds/{note.slug}.atom", f"/comments/feeds/{note.slug}/introduction.atom"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"Sisters Alliance" in response.content
