"""Public pages of the Guidance Note: document, versions, sections, comparisons, feed, sitemap."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.contrib.sites.models import Site
from django.utils import timezone

from guidance.models import Section, SectionText, Version
from guidance.passages import of_markdown
from tests import factories

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NOTE = "/note/guidance-note"


def parse_xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own response, in a test


def text_of(response) -> str:
    return response.content.decode()


def add_text(version, key, position, *, heading=None, body=None, html=None):
    section, _ = Section.objects.get_or_create(document=version.document, key=key)
    body = body if body is not None else f"About {key}."
    return factories.SectionTextFactory(
        version=version,
        section=section,
        position=position,
        heading=heading or key.replace("-", " ").capitalize(),
        body_markdown=body,
        body_html=html if html is not None else f"<p>{body}</p>",
    )


def build_note(size: int, slug: str = "big-note"):
    """A published original and draft of `size` sections each (some changed, added, removed), and a translation."""
    document = factories.DocumentFactory(slug=slug)
    original = factories.VersionFactory(document=document, number=1, label="Original text", kind="original")
    draft = factories.VersionFactory(document=document, number=2, label="Reworked draft 1")
    french = factories.VersionFactory(
        document=document, number=2, label="Projet remanié 1", language="fr", translation_of=draft
    )
    sections = Section.objects.bulk_create([Section(document=document, key=f"section-{i}") for i in range(1, size + 1)])
    texts = []
    for i, section in enumerate(sections, start=1):
        for version in (original, draft, french):
            if version is original and i % 7 == 0:
                continue  # added in the draft
            if version is not original and i % 11 == 0:
                continue  # removed in the draft
            body = f"Section {i} in version {version.number}." if i % 3 == 0 else f"Section {i} says this."
            heading = f"Heading {i}" if i % 5 or version is original else f"New heading {i}"
            texts.append(
                SectionText(
                    version=version,
                    section=section,
                    position=i,
                    number=str(i),
                    heading=heading,
                    body_markdown=body,
                    body_html=f"<p>{body}</p>",
                    passages=[p.as_json() for p in of_markdown(body, [])],
                )
            )
    SectionText.objects.bulk_create(texts)
    # The translation was made from the original text: the sections changed since are out of date.
    origins = dict(SectionText.objects.filter(version=original).values_list("section_id", "pk"))
    translated = list(SectionText.objects.filter(version=french))
    for text in translated:
        text.translated_from_id = origins.get(text.section_id)
    SectionText.objects.bulk_update(translated, ["translated_from"])
    return document


# --- document ------------------------------------------------------------------------------


def test_it_shows_the_document(client, note):
    response = client.get(f"{NOTE}/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Guidance Note on HIV and sex work" in page
    assert "Reworked draft 1" in page
    assert "Original text" in page
    assert f'href="{NOTE}/v2/#rights-based-approach"' in page


def test_it_links_the_document_to_its_feed(client, note):
    page = text_of(client.get(f"{NOTE}/"))
    assert f'href="{NOTE}/versions.atom"' in page
    assert 'type="application/atom+xml"' in page


def test_it_links_the_document_to_the_original_and_current_comparison(client, note):
    page = text_of(client.get(f"{NOTE}/"))
    assert f'href="{NOTE}/compare/v1/v2/"' in page


def test_it_shows_the_consultation_window_on_the_document(client, note):
    today = timezone.localdate()
    note.consultation_opens = today - timedelta(days=3)
    note.consultation_closes = today + timedelta(days=30)
    note.save()
    page = text_of(client.get(f"{NOTE}/"))
    assert "Open for endorsements and comments" in page
    assert f'datetime="{note.consultation_closes:%Y-%m-%d}"' in page


def test_it_lists_changelogs_and_translations_on_the_document(client, note):
    draft = note.versions.get(number=2)
    draft.changelog = "Rewrote the section on police."
    draft.save()
    factories.VersionFactory(document=note, number=2, label="Projet 1", language="fr", translation_of=draft)
    page = text_of(client.get(f"{NOTE}/"))
    assert "Rewrote the section on police." in page
    assert f'href="{NOTE}/v2/fr/"' in page


def test_it_leaves_unpublished_versions_off_the_document(client, note):
    factories.VersionFactory(document=note, number=3, label="Secret draft", published=None)
    page = text_of(client.get(f"{NOTE}/"))
    assert "Secret draft" not in page


def test_it_404s_for_an_unknown_document(client, note):
    assert client.get("/note/no-such-note/").status_code == 404


def test_it_shows_a_document_without_versions(client, db):
    factories.DocumentFactory(slug="empty-note")
    response = client.get("/note/empty-note/")
    assert response.status_code == 200
    assert "No version of this document has been published yet." in text_of(response)


# --- version -----------------------------------------------------------------------------


def test_it_shows_the_full_text_of_a_version(client, note):
    response = client.get(f"{NOTE}/v2/")
    assert response.status_code == 200
    page = text_of(response)
    for key in ("introduction", "rights-based-approach", "health-services"):
        assert f'id="{key}"' in page
        assert f'href="#{key}"' in page
        assert f'href="{NOTE}/sections/{key}/"' in page
    assert "<p>The introduction in version 2.</p>" in page
    assert f'href="{NOTE}/v2/print/"' in page


def test_it_does_not_flag_the_current_version_as_old(client, note):
    assert "it is not the current version" not in text_of(client.get(f"{NOTE}/v2/"))


def test_it_points_an_old_version_to_the_current_one(client, note):
    page = text_of(client.get(f"{NOTE}/v1/"))
    assert "it is not the current version" in page
    assert f'href="{NOTE}/v2/"' in page
    assert f'href="{NOTE}/compare/v1/v2/"' in page


def test_it_404s_for_an_unknown_version_number(client, note):
    assert client.get(f"{NOTE}/v9/").status_code == 404


def test_it_404s_for_a_version_of_an_unknown_document(client, note):
    assert client.get("/note/no-such-note/v1/").status_code == 404


def test_it_404s_for_an_unpublished_version(client, note):
    factories.VersionFactory(document=note, number=3, published=None)
    assert client.get(f"{NOTE}/v3/").status_code == 404


def test_it_404s_for_a_version_published_in_the_future(client, note):
    factories.VersionFactory(document=note, number=3, published=timezone.now() + timedelta(days=1))
    assert client.get(f"{NOTE}/v3/").status_code == 404
    assert client.get(f"{NOTE}/v3/print/").status_code == 404


def test_it_keeps_the_current_version_among_published_ones(client, note):
    factories.VersionFactory(document=note, number=3, published=timezone.now() + timedelta(days=1))
    assert "it is not the current version" not in text_of(client.get(f"{NOTE}/v2/"))


@pytest.fixture
def french(note):
    draft = note.versions.get(number=2)
    version = factories.VersionFactory(
        document=note, number=2, label="Projet remanié 1", language="fr", translation_of=draft
    )
    add_text(version, "introduction", 1, heading="Introduction", body="L'introduction, version 2.")
    return version


def test_it_shows_a_translation(client, french):
    response = client.get(f"{NOTE}/v2/fr/")
    assert response.status_code == 200
    page = text_of(response)
    assert "L&#x27;introduction, version 2." in page or "L'introduction, version 2." in page
    assert 'lang="fr"' in page
    assert "This is a translation of version 2" in page


def test_it_switches_between_the_original_and_its_translations(client, french):
    original_page = text_of(client.get(f"{NOTE}/v2/"))
    assert f'href="{NOTE}/v2/fr/"' in original_page
    translation_page = text_of(client.get(f"{NOTE}/v2/fr/"))
    assert f'href="{NOTE}/v2/"' in translation_page
    assert 'aria-current="page"' in translation_page


def test_it_404s_for_an_unknown_language(client, french):
    assert client.get(f"{NOTE}/v2/de/").status_code == 404
    assert client.get(f"{NOTE}/v2/es/").status_code == 404


def test_it_404s_for_a_translation_of_an_unknown_version(client, french):
    assert client.get(f"{NOTE}/v1/fr/").status_code == 404


def test_it_404s_for_an_unpublished_translation(client, french):
    french.published = None
    french.save()
    assert client.get(f"{NOTE}/v2/fr/").status_code == 404


def test_it_redirects_the_original_language_to_the_canonical_address(client, note):
    response = client.get(f"{NOTE}/v2/en/")
    assert response.status_code == 301
    assert response["Location"] == f"{NOTE}/v2/"


# --- print ---------------------------------------------------------------------------------


def test_it_shows_a_print_view(client, note):
    response = client.get(f"{NOTE}/v2/print/")
    assert response.status_code == 200
    page = text_of(response)
    assert 'class="print"' in page
    assert 'id="health-services"' in page
    assert "<p>The health services in version 2.</p>" in page


def test_it_shows_a_print_view_of_a_translation(client, french):
    response = client.get(f"{NOTE}/v2/fr/print/")
    assert response.status_code == 200
    assert 'class="print"' in text_of(response)


def test_it_404s_for_the_print_view_of_an_unknown_version(client, note):
    assert client.get(f"{NOTE}/v7/print/").status_code == 404
    assert client.get(f"{NOTE}/v2/de/print/").status_code == 404


# --- section -------------------------------------------------------------------------------


def test_it_shows_a_section(client, note):
    response = client.get(f"{NOTE}/sections/rights-based-approach/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Rights based approach" in page
    assert "<p>The rights based approach in version 2.</p>" in page
    assert f'href="{NOTE}/v2/#rights-based-approach"' in page


def test_it_lists_the_versions_a_section_changed_in(client, note):
    page = text_of(client.get(f"{NOTE}/sections/introduction/"))
    assert "first appears" in page
    assert "text changed" in page


def test_it_diffs_a_section_with_its_previous_different_version_by_default(client, note):
    page = text_of(client.get(f"{NOTE}/sections/introduction/"))
    assert "Changes from version 1 to version 2" in page
    assert "The introduction in version <del>1</del><ins>2</ins>." in page


def test_it_diffs_the_versions_chosen_in_the_form(client, note):
    add_text(factories.VersionFactory(document=note, number=3), "introduction", 1, body="The new introduction.")
    page = text_of(client.get(f"{NOTE}/sections/introduction/", {"from": "1", "to": "2"}))
    assert "Changes from version 1 to version 2" in page
    page = text_of(client.get(f"{NOTE}/sections/introduction/", {"from": "1", "to": "3"}))
    assert "Changes from version 1 to version 3" in page
    assert "<ins>new </ins>" in page


def test_it_skips_unchanged_versions_for_the_default_diff(client, note):
    version3 = factories.VersionFactory(document=note, number=3)
    add_text(version3, "introduction", 1, heading="Introduction", body="The introduction in version 2.")
    page = text_of(client.get(f"{NOTE}/sections/introduction/"))
    assert "Changes from version 1 to version 3" in page
    assert "unchanged" in page


def test_it_says_when_a_chosen_version_lacks_the_section(client, note):
    version3 = factories.VersionFactory(document=note, number=3)
    add_text(version3, "introduction", 1)
    add_text(version3, "new-topic", 2)
    response = client.get(f"{NOTE}/sections/new-topic/", {"from": "1", "to": "3"})
    assert response.status_code == 200
    assert "Version 1 does not contain this section." in text_of(response)


def test_it_rejects_a_version_that_is_not_a_number(client, note):
    response = client.get(f"{NOTE}/sections/introduction/", {"from": "abc", "to": "2"})
    assert response.status_code == 400
    assert "is not a version number" in text_of(response)


def test_it_rejects_an_unknown_version_in_the_section_form(client, note):
    response = client.get(f"{NOTE}/sections/introduction/", {"from": "9", "to": "2"})
    assert response.status_code == 400
    assert "There is no published version 9." in text_of(response)


def test_it_does_not_offer_an_unpublished_version_in_the_section_form(client, note):
    hidden = factories.VersionFactory(document=note, number=3, published=None, label="Hidden draft")
    add_text(hidden, "introduction", 1, body="Secret wording.")
    response = client.get(f"{NOTE}/sections/introduction/", {"from": "1", "to": "3"})
    assert response.status_code == 400
    assert "Secret wording" not in text_of(response)
    assert "Hidden draft" not in text_of(response)


def test_it_says_when_the_same_version_is_chosen_twice(client, note):
    page = text_of(client.get(f"{NOTE}/sections/introduction/", {"from": "2", "to": "2"}))
    assert "You chose the same version twice" in page


def test_it_says_a_section_has_not_changed(client, note):
    version3 = factories.VersionFactory(document=note, number=3)
    add_text(version3, "stable", 1, body="Always the same.")
    version4 = factories.VersionFactory(document=note, number=4)
    add_text(version4, "stable", 1, body="Always the same.")
    page = text_of(client.get(f"{NOTE}/sections/stable/"))
    assert "has not changed since it first appeared, in version 3" in page
    assert "Changes from version" not in page


def test_it_shows_the_last_text_of_a_removed_section(client, note):
    version3 = factories.VersionFactory(document=note, number=3)
    add_text(version3, "introduction", 1)
    response = client.get(f"{NOTE}/sections/health-services/")
    assert response.status_code == 200
    page = text_of(response)
    assert "This section was removed in version 3" in page
    assert "<p>The health services in version 2.</p>" in page
    assert "removed" in page


def test_it_404s_for_an_unknown_section(client, note):
    assert client.get(f"{NOTE}/sections/no-such-section/").status_code == 404


def test_it_404s_for_a_section_of_an_unknown_document(client, note):
    assert client.get("/note/no-such-note/sections/introduction/").status_code == 404


def test_it_404s_for_a_section_only_in_an_unpublished_version(client, note):
    hidden = factories.VersionFactory(document=note, number=3, published=None)
    add_text(hidden, "secret-section", 4)
    assert client.get(f"{NOTE}/sections/secret-section/").status_code == 404


def test_it_links_a_section_to_its_translations(client, french):
    page = text_of(client.get(f"{NOTE}/sections/introduction/"))
    assert f'href="{NOTE}/v2/fr/#introduction"' in page


# --- markup inside a section never escapes -------------------------------------------------


HOSTILE = "Careful <script>alert(1)</script> and </div><b>bold"


@pytest.fixture
def hostile(note):
    version3 = factories.VersionFactory(document=note, number=3)
    add_text(
        version3,
        "introduction",
        1,
        body=HOSTILE,
        # What the importer stores: the Markdown rendered and sanitised.
        html="<p>Careful &lt;script&gt;alert(1)&lt;/script&gt; and &lt;/div&gt;&lt;b&gt;bold</p>",
    )
    return version3


def test_it_escapes_markup_in_a_section_diff(client, hostile):
    page = text_of(client.get(f"{NOTE}/sections/introduction/"))
    assert "<script>alert(1)</script>" not in page
    assert "</div><b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;/div&gt;&lt;b&gt;" in page


def test_it_escapes_markup_in_a_version_comparison(client, hostile):
    page = text_of(client.get(f"{NOTE}/compare/v2/v3/"))
    assert "<script>alert(1)</script>" not in page
    assert "</div><b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_it_escapes_markup_in_an_added_section(client, note):
    version3 = factories.VersionFactory(document=note, number=3)
    add_text(version3, "hostile", 1, body=HOSTILE, html="<p>sanitised</p>")
    page = text_of(client.get(f"{NOTE}/compare/v2/v3/"))
    assert "<script>alert(1)</script>" not in page
    assert "<ins>Careful &lt;script&gt;alert(1)&lt;/script&gt; and &lt;/div&gt;&lt;b&gt;bold</ins>" in page


def test_it_escapes_markup_in_a_section_heading_diff(client, note):
    version3 = factories.VersionFactory(document=note, number=3)
    add_text(version3, "introduction", 1, heading="Intro <img src=x onerror=alert(1)>")
    page = text_of(client.get(f"{NOTE}/compare/v2/v3/"))
    assert "<img" not in page
    assert "&lt;img" in page


# --- compare -------------------------------------------------------------------------------


def test_it_compares_two_versions(client, note):
    response = client.get(f"{NOTE}/compare/v1/v2/")
    assert response.status_code == 200
    page = text_of(response)
    assert "3 sections changed" in page
    assert "The introduction in version <del>1</del><ins>2</ins>." in page
    assert f'href="{NOTE}/sections/introduction/"' in page


def test_it_lists_added_removed_and_renamed_sections(client, note):
    version3 = factories.VersionFactory(document=note, number=3)
    add_text(version3, "introduction", 1, heading="A new introduction", body="The introduction in version 2.")
    add_text(version3, "rights-based-approach", 2, body="The rights based approach in version 2.")
    add_text(version3, "community-led-services", 3, body="Services led by sex workers.")
    page = text_of(client.get(f"{NOTE}/compare/v2/v3/"))
    assert "1 section added" in page
    assert "1 section removed" in page
    assert "1 section with a new heading" in page
    assert "<ins>Services led by sex workers.</ins>" in page
    assert "<del>The health services in version 2.</del>" in page
    assert f'href="{NOTE}/sections/health-services/"' in page
    assert f'href="{NOTE}/sections/community-led-services/"' in page


def test_it_404s_when_comparing_an_unknown_version(client, note):
    assert client.get(f"{NOTE}/compare/v1/v9/").status_code == 404
    assert client.get(f"{NOTE}/compare/v9/v1/").status_code == 404


def test_it_404s_when_comparing_an_unpublished_version(client, note):
    factories.VersionFactory(document=note, number=3, published=None)
    assert client.get(f"{NOTE}/compare/v1/v3/").status_code == 404


def test_it_404s_when_comparing_versions_of_an_unknown_document(client, note):
    assert client.get("/note/nope/compare/v1/v2/").status_code == 404


def test_it_shows_the_compare_form(client, note):
    response = client.get(f"{NOTE}/compare/")
    assert response.status_code == 200
    page = text_of(response)
    assert '<label for="compare-a">' in page
    assert '<label for="compare-b">' in page


def test_it_redirects_the_compare_form_to_the_comparison(client, note):
    response = client.get(f"{NOTE}/compare/", {"a": "1", "b": "2"})
    assert response.status_code == 302
    assert response["Location"] == f"{NOTE}/compare/v1/v2/"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"a": "one", "b": "2"}, "is not a version number"),
        ({"a": "1", "b": "7"}, "There is no published version 7."),
        ({"a": "2", "b": "2"}, "Choose two different versions"),
        ({"a": "1"}, "Choose two versions"),
        ({"a": "", "b": ""}, "Choose two versions"),
        ({"a": "-1", "b": "2"}, "is not a version number"),
        ({"a": "99999999999999999999", "b": "2"}, "There is no published version"),
        ({"a": "9" * 5000, "b": "2"}, "is not a version number"),
        ({"a": "\u00b2", "b": "2"}, "is not a version number"),
        ({"a": "v1", "b": "v2x"}, "is not a version number"),
    ],
)
def test_it_explains_bad_input_to_the_compare_form(client, note, params, message):
    response = client.get(f"{NOTE}/compare/", params)
    assert response.status_code == 400
    assert message in text_of(response)


def test_it_404s_for_the_compare_form_of_an_unknown_document(client, note):
    assert client.get("/note/nope/compare/", {"a": "1", "b": "2"}).status_code == 404


# --- feed ----------------------------------------------------------------------------------


def test_it_publishes_an_atom_feed_of_versions(client, note):
    draft = note.versions.get(number=2)
    draft.changelog = "Police & raids: <rewritten>."
    draft.save()
    response = client.get(f"{NOTE}/versions.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = parse_xml(response.content)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    links = [entry.find(f"{ATOM}link").get("href") for entry in entries]
    assert links[0].endswith(f"{NOTE}/v2/")
    assert links[1].endswith(f"{NOTE}/v1/")
    summary = entries[0].find(f"{ATOM}summary").text
    assert "Reworked draft 1" in summary
    assert "Police &amp; raids: &lt;rewritten&gt;." in summary


def test_it_lists_versions_newest_first_in_the_feed(client, note):
    old = timezone.now() - timedelta(days=30)
    Version.objects.filter(document=note, number=1).update(published=old)
    factories.VersionFactory(document=note, number=3, label="Reworked draft 2")
    feed = parse_xml(client.get(f"{NOTE}/versions.atom").content)
    titles = [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]
    assert [title.split(":")[0] for title in titles] == ["Version 3", "Version 2", "Version 1"]


def test_it_leaves_unpublished_versions_out_of_the_feed(client, note):
    factories.VersionFactory(document=note, number=3, published=None, label="Hidden")
    factories.VersionFactory(document=note, number=4, published=timezone.now() + timedelta(days=2), label="Soon")
    feed = client.get(f"{NOTE}/versions.atom").content.decode()
    assert "Hidden" not in feed
    assert "Soon" not in feed


def test_it_404s_for_the_feed_of_an_unknown_document(client, note):
    assert client.get("/note/nope/versions.atom").status_code == 404


# --- sitemap -------------------------------------------------------------------------------


def sitemap_paths(client) -> set[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = parse_xml(response.content)
    return {loc.text.split("://", 1)[1].split("/", 1)[1] for loc in root.iter(f"{SITEMAP}loc")}


def test_it_lists_every_public_page_in_the_sitemap(client, note):
    factories.OrganisationFactory(slug="sisters-alliance")
    paths = {f"/{path}" for path in sitemap_paths(client)}
    assert {
        "/",
        "/about/",
        "/organisations/",
        "/organisations/sisters-alliance/",
        f"{NOTE}/",
        f"{NOTE}/v1/",
        f"{NOTE}/v2/",
        f"{NOTE}/v2/print/",
        f"{NOTE}/sections/introduction/",
        f"{NOTE}/sections/health-services/",
        f"{NOTE}/compare/v1/v2/",
    } <= paths


def test_it_lists_translations_in_the_sitemap(client, french):
    paths = {f"/{path}" for path in sitemap_paths(client)}
    assert f"{NOTE}/v2/fr/" in paths
    assert f"{NOTE}/v2/fr/print/" in paths


def test_it_leaves_unpublished_pages_out_of_the_sitemap(client, note):
    hidden = factories.VersionFactory(document=note, number=3, published=None)
    add_text(hidden, "secret-section", 4)
    paths = {f"/{path}" for path in sitemap_paths(client)}
    assert f"{NOTE}/v3/" not in paths
    assert f"{NOTE}/sections/secret-section/" not in paths


def test_it_builds_sitemap_addresses_from_the_site_url(client, note, settings):
    settings.SITE_URL = "https://note.example.org"
    response = client.get("/sitemap.xml")
    assert "<loc>https://note.example.org/note/guidance-note/v2/</loc>" in text_of(response)


# --- query counts --------------------------------------------------------------------------


@pytest.fixture(params=[12, 120], ids=["12-sections", "120-sections"])
def big_note(request, db):
    return build_note(request.param)


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        ("/", 5),  # + the comment counts of the contents, + the endorsements counted
        ("/note/big-note/", 5),  # + comment counts, + the comment count of the thread
        ("/note/big-note/v2/", 4),  # + the amendments it took up
        ("/note/big-note/v1/", 4),
        ("/note/big-note/v2/fr/", 5),  # + the originals it was translated from, and the current ones
        ("/fr/note/big-note/", 5),
        ("/fr/note/big-note/sections/section-3/", 6),  # + the comment counts of its passages, the sections beside
        ("/note/big-note/sections/section-3/?side=fr", 5),
        ("/note/big-note/v2/print/", 3),
        ("/note/big-note/sections/section-3/", 6),  # + the comment count of the thread, of its passages, neighbours
        ("/note/big-note/sections/section-11/", 6),
        ("/note/big-note/sections/section-3/?from=1&to=2", 6),
        ("/note/big-note/compare/v1/v2/", 4),
        ("/note/big-note/compare/?a=1&b=2", 2),
    ],
)
def test_it_runs_a_fixed_number_of_queries(client, big_note, django_assert_num_queries, path, queries):
    with django_assert_num_queries(queries):
        response = client.get(path)
    assert response.status_code in (200, 302)


def test_it_runs_a_fixed_number_of_queries_for_the_feed(client, big_note, django_assert_num_queries):
    Site.objects.clear_cache()
    # The current site (for the feed's id), the document, its versions.
    with django_assert_num_queries(3):
        response = client.get("/note/big-note/versions.atom")
    assert response.status_code == 200


def test_it_runs_a_fixed_number_of_queries_for_the_sitemap(client, big_note, django_assert_num_queries):
    factories.OrganisationFactory.create_batch(3)
    Site.objects.clear_cache()
    # For each sitemap its items, once: the entries in each language and the paginator work on that list
    # (eight sitemaps: the consultation reports' too).
    with django_assert_num_queries(8):
        response = client.get("/sitemap.xml")
    assert response.status_code == 200


def test_it_shows_every_section_of_a_big_note(client, big_note):
    size = Section.objects.filter(document=big_note).count()
    page = text_of(client.get("/note/big-note/v2/"))
    expected = len([i for i in range(1, size + 1) if i % 11])
    assert page.count('class="section"') == expected


def test_it_counts_every_kind_of_change_in_a_big_note(client, big_note):
    page = text_of(client.get("/note/big-note/compare/v1/v2/"))
    assert "sections changed" in page or "section changed" in page
    assert "added" in page
    assert "removed" in page
