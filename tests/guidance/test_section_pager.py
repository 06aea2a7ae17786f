"""Reading the note section by section: the previous and next section links of a section page."""

from __future__ import annotations

import html5lib
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guidance.models import Section, SectionText
from tests import factories

NOTE = "/note/guidance-note"


def pager(response, name: str = "Previous and next sections") -> dict[str, tuple[str, str, str]]:
    """The page's previous/next links: rel -> (href, the label, the heading as read), from the parsed page."""
    assert response.status_code == 200
    tree = html5lib.parse(response.content, namespaceHTMLElements=False)
    navs = [nav for nav in tree.iter("nav") if nav.get("class") == "pager"]
    if not navs:
        return {}
    assert len(navs) == 1
    assert navs[0].get("aria-label") == name
    links = {}
    for link in navs[0].iter("a"):
        label, heading = link.findall("span")
        links[link.get("rel")] = (link.get("href"), label.text.strip(), " ".join("".join(heading.itertext()).split()))
    return links


def add_text(version, key, position, heading, *, number=""):
    section, _ = Section.objects.get_or_create(document=version.document, key=key)
    return factories.SectionTextFactory(
        version=version, section=section, position=position, number=number, heading=heading, body_markdown="Text."
    )


def test_it_links_the_sections_before_and_after(client, note):
    links = pager(client.get(f"{NOTE}/sections/rights-based-approach/"))
    assert links == {
        "prev": (f"{NOTE}/sections/introduction/", "Previous section", "1 Introduction"),
        "next": (f"{NOTE}/sections/health-services/", "Next section", "3 Health services"),
    }


def test_it_puts_the_previous_link_before_the_next(client, note):
    page = client.get(f"{NOTE}/sections/rights-based-approach/").content.decode()
    assert page.index('rel="prev"') < page.index('rel="next"')


def test_it_has_no_previous_link_on_the_first_section(client, note):
    links = pager(client.get(f"{NOTE}/sections/introduction/"))
    assert set(links) == {"next"}
    assert links["next"][0] == f"{NOTE}/sections/rights-based-approach/"
    assert "Previous section" not in client.get(f"{NOTE}/sections/introduction/").content.decode()


def test_it_has_no_next_link_on_the_last_section(client, note):
    links = pager(client.get(f"{NOTE}/sections/health-services/"))
    assert set(links) == {"prev"}
    assert links["prev"][0] == f"{NOTE}/sections/rights-based-approach/"


def test_it_shows_no_pager_for_a_note_of_one_section(client, db):
    document = factories.DocumentFactory(slug="short-note")
    add_text(factories.VersionFactory(document=document, number=1), "only", 1, "The only section")
    response = client.get("/note/short-note/sections/only/")
    assert pager(response) == {}
    assert "Next section" not in response.content.decode()


def test_it_follows_the_order_of_the_current_version(client, note):
    # Version 3 puts health services first and gives the sections numbers and new headings.
    version3 = factories.VersionFactory(document=note, number=3)
    add_text(version3, "health-services", 1, "Health", number="1")
    add_text(version3, "introduction", 2, "Introduction", number="2")
    add_text(version3, "rights-based-approach", 5, "Rights", number="3")  # positions may leave gaps
    links = pager(client.get(f"{NOTE}/sections/introduction/"))
    assert links["prev"] == (f"{NOTE}/sections/health-services/", "Previous section", "1 Health")
    assert links["next"] == (f"{NOTE}/sections/rights-based-approach/", "Next section", "3 Rights")
    assert set(pager(client.get(f"{NOTE}/sections/health-services/"))) == {"next"}
    assert set(pager(client.get(f"{NOTE}/sections/rights-based-approach/"))) == {"prev"}


def test_it_ignores_unpublished_versions(client, note):
    draft = factories.VersionFactory(document=note, number=3, published=None)
    add_text(draft, "health-services", 1, "Health first")
    add_text(draft, "introduction", 2, "Introduction")
    links = pager(client.get(f"{NOTE}/sections/introduction/"))
    assert set(links) == {"next"}
    assert links["next"][2] == "2 Rights based approach"


def test_it_reads_on_in_the_order_of_a_removed_sections_last_version(client, note):
    version3 = factories.VersionFactory(document=note, number=3)
    add_text(version3, "introduction", 1, "Introduction")
    add_text(version3, "health-services", 2, "Health services")
    links = pager(client.get(f"{NOTE}/sections/rights-based-approach/"))
    assert [links[rel][0] for rel in ("prev", "next")] == [
        f"{NOTE}/sections/introduction/",
        f"{NOTE}/sections/health-services/",
    ]
    # In the current version the two remaining sections are next to each other.
    assert pager(client.get(f"{NOTE}/sections/introduction/"))["next"][0] == f"{NOTE}/sections/health-services/"


def test_it_names_the_sections_in_the_language_read(client, note):
    draft = note.versions.get(number=2)
    french = factories.VersionFactory(document=note, number=2, language="fr", label="Projet", translation_of=draft)
    add_text(french, "introduction", 1, "Présentation")
    add_text(french, "rights-based-approach", 2, "Approche fondée sur les droits")
    # No French text for health services: its link keeps the English heading, marked as English.
    response = client.get(f"/fr{NOTE}/sections/rights-based-approach/")
    links = pager(response, "Sections précédente et suivante")
    assert links["prev"] == (f"/fr{NOTE}/sections/introduction/", "Section précédente", "Présentation")
    assert links["next"][0] == f"/fr{NOTE}/sections/health-services/"
    assert links["next"][2] == "3 Health services"
    page = response.content.decode()
    assert '<span lang="fr" dir="auto">' in page
    assert '<span lang="en" dir="auto">' in page


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("size", [3, 150])
def test_it_reads_the_sections_beside_in_one_query_whatever_their_number(client, db, size):
    document = factories.DocumentFactory(slug="long-note")
    version = factories.VersionFactory(document=document, number=1)
    sections = Section.objects.bulk_create([Section(document=document, key=f"part-{i}") for i in range(size)])
    SectionText.objects.bulk_create(
        SectionText(version=version, section=s, position=i, heading=f"Part {i}", body_markdown="Text.")
        for i, s in enumerate(sections)
    )
    middle = size // 2
    with_pager = _queries(client, f"/note/long-note/sections/part-{middle}/")
    assert with_pager == 5  # the section, the versions, its texts, the sections beside, the comment count
    assert _queries(client, "/note/long-note/sections/part-0/") == with_pager
    links = pager(client.get(f"/note/long-note/sections/part-{middle}/"))
    assert links["prev"][2] == f"Part {middle - 1}"
    assert links["next"][2] == f"Part {middle + 1}"


def test_it_names_the_links_in_the_pages_language(client, note):
    page = client.get(f"/ru{NOTE}/sections/rights-based-approach/").content.decode()
    assert 'aria-label="Предыдущий и следующий разделы"' in page
    assert "Предыдущий раздел" in page
    assert "Следующий раздел" in page
