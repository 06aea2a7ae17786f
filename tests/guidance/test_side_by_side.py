"""Changes side by side: a whole comparison of two versions, and one section's."""

from __future__ import annotations

import html5lib
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guidance.models import Section, SectionText
from tests import factories

NOTE = "/note/guidance-note"
SIDE = f"{NOTE}/compare/v1/v2/side-by-side/"


def add_text(version, key, position, *, heading=None, body=None):
    section, _ = Section.objects.get_or_create(document=version.document, key=key)
    body = body if body is not None else f"About {key}."
    return factories.SectionTextFactory(
        version=version,
        section=section,
        position=position,
        heading=heading or key.replace("-", " ").capitalize(),
        body_markdown=body,
        body_html=f"<p>{body}</p>",
    )


def parse(response):
    assert response.status_code == 200, response.status_code
    return html5lib.parse(response.content, namespaceHTMLElements=False)


def classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def find_all(tree, css_class: str) -> list:
    return [e for e in tree.iter() if css_class in classes(e)]


def text(element) -> str:
    return "".join(element.itertext())


def column(columns, side: str) -> dict:
    """One column of a side-by-side change: its label, its texts as shown, and its marks."""
    (found,) = [c for c in columns.iter("div") if f"diff-{side}" in classes(c)]
    label = next(p for p in found.iter("p") if "diff-version" in classes(p))
    hidden = {id(span) for span in found.iter("span") if "visually-hidden" in classes(span)}
    pres = list(found.iter("pre"))

    def shown(element) -> str:  # what a sighted reader sees: the text without the hidden labels
        parts = [element.text or ""]
        for child in element:
            if id(child) not in hidden:
                parts.append(shown(child))
            parts.append(child.tail or "")
        return "".join(parts)

    return {
        "label": " ".join(text(label).split()),
        "texts": [shown(pre) for pre in pres],
        "del": [shown(d) for pre in pres for d in pre.iter("del")],
        "ins": [shown(i) for pre in pres for i in pre.iter("ins")],
        "hidden": [text(span) for span in found.iter("span") if "visually-hidden" in classes(span)],
        "notice": " ".join(text(p) for p in found.iter("p") if "notice" in classes(p)),
    }


def changes_by_section(tree) -> dict[str, object]:
    """Each change of a comparison page by the key of its section (from its heading's link)."""
    found = {}
    for article in tree.iter("article"):
        if "change" in classes(article):
            link = next(article.iter("h3")).find("a")
            found[link.get("href").rstrip("/").rsplit("/", 1)[-1]] = article
    return found


# --- a comparison of two versions, side by side -------------------------------------------------


def test_it_shows_each_changed_section_in_both_versions(client, note):
    tree = parse(client.get(SIDE))
    changes = changes_by_section(tree)
    assert set(changes) == {"introduction", "rights-based-approach", "health-services"}
    old = column(changes["introduction"], "old")
    new = column(changes["introduction"], "new")
    assert old["label"] == "Version 1 (Original text)"
    assert new["label"] == "Version 2 (Reworked draft 1)"
    assert old["texts"] == ["The introduction in version 1."]
    assert new["texts"] == ["The introduction in version 2."]
    assert (old["del"], old["ins"]) == (["1"], [])
    assert (new["del"], new["ins"]) == ([], ["2"])
    assert old["hidden"] == ["removed: "]
    assert new["hidden"] == ["added: "]


def test_it_puts_the_earlier_version_first(client, note):
    page = client.get(SIDE).content.decode()
    assert page.index('class="diff-column diff-old"') < page.index('class="diff-column diff-new"')


def test_it_shows_a_heading_change_side_by_side(client, note):
    version3 = factories.VersionFactory(document=note, number=3)
    add_text(version3, "introduction", 1, heading="Opening words", body="The introduction in version 2.")
    tree = parse(client.get(f"{NOTE}/compare/v2/v3/side-by-side/"))
    change = changes_by_section(tree)["introduction"]
    old, new = column(change, "old"), column(change, "new")
    assert old["texts"] == ["Introduction", "The introduction in version 2."]
    assert new["texts"] == ["Opening words", "The introduction in version 2."]
    assert old["del"] == ["Introduction"]
    assert new["ins"] == ["Opening words"]
    assert "The text itself did not change." in text(change)


def test_it_leaves_a_column_empty_for_an_added_or_removed_section(client, note):
    version3 = factories.VersionFactory(document=note, number=3)
    add_text(version3, "introduction", 1, body="The introduction in version 2.")
    add_text(version3, "housing", 2, body="A home for everyone.")
    changes = changes_by_section(parse(client.get(f"{NOTE}/compare/v2/v3/side-by-side/")))
    added_old, added_new = column(changes["housing"], "old"), column(changes["housing"], "new")
    assert added_old["texts"] == []
    assert added_old["notice"] == "This section is not in this version."
    assert added_new["ins"] == ["A home for everyone."]
    removed_old, removed_new = column(changes["health-services"], "old"), column(changes["health-services"], "new")
    assert removed_old["del"] == ["The health services in version 2."]
    assert removed_new["texts"] == []
    assert removed_new["notice"] == "This section is not in this version."
    assert "introduction" not in changes  # unchanged: listed, not shown in columns


def test_it_compares_any_two_versions_side_by_side(client, note):
    version3 = factories.VersionFactory(document=note, number=3)
    add_text(version3, "introduction", 1, body="The introduction, rewritten.")
    change = changes_by_section(parse(client.get(f"{NOTE}/compare/v3/v1/side-by-side/")))["introduction"]
    assert column(change, "old")["label"].startswith("Version 3")
    assert column(change, "new")["label"].startswith("Version 1")
    assert column(change, "old")["texts"] == ["The introduction, rewritten."]
    assert column(change, "new")["texts"] == ["The introduction in version 1."]


def test_it_switches_between_inline_and_side_by_side(client, note):
    inline = client.get(f"{NOTE}/compare/v1/v2/").content.decode()
    assert f'<a href="{SIDE}">side by side</a>' in inline
    assert '<strong aria-current="true">inline</strong>' in inline
    assert 'class="diff-columns"' not in inline
    side = client.get(SIDE).content.decode()
    assert f'<a href="{NOTE}/compare/v1/v2/">inline</a>' in side
    assert '<strong aria-current="true">side by side</strong>' in side
    assert "(side by side)" in side.split("</title>")[0]


def test_it_escapes_markup_side_by_side(client, note):
    version3 = factories.VersionFactory(document=note, number=3)
    add_text(version3, "introduction", 1, heading="<img src=x onerror=alert(1)>", body="<script>alert(1)</script>")
    page = client.get(f"{NOTE}/compare/v2/v3/side-by-side/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("path", ["/compare/v1/v9/side-by-side/", "/compare/v9/v1/side-by-side/"])
def test_it_404s_side_by_side_for_an_unknown_version(client, note, path):
    assert client.get(f"{NOTE}{path}").status_code == 404


def test_it_404s_side_by_side_for_an_unpublished_version(client, note):
    factories.VersionFactory(document=note, number=3, published=None)
    assert client.get(f"{NOTE}/compare/v1/v3/side-by-side/").status_code == 404
    assert client.get("/note/no-such-note/compare/v1/v2/side-by-side/").status_code == 404


def test_it_sends_the_compare_form_to_the_side_by_side_page(client, note):
    response = client.get(f"{NOTE}/compare/", {"a": "1", "b": "2", "view": "side"})
    assert response.status_code == 302
    assert response["Location"] == SIDE
    assert client.get(f"{NOTE}/compare/", {"a": "1", "b": "2"})["Location"] == f"{NOTE}/compare/v1/v2/"


def test_it_keeps_the_side_by_side_box_ticked(client, note):
    tick = 'name="view" value="side" checked'
    assert tick in " ".join(client.get(SIDE).content.decode().split())
    assert tick not in " ".join(client.get(f"{NOTE}/compare/v1/v2/").content.decode().split())
    errors = client.get(f"{NOTE}/compare/", {"a": "1", "b": "1", "view": "side"})
    assert errors.status_code == 400
    assert tick in " ".join(errors.content.decode().split())


# --- one section, side by side ---------------------------------------------------------------------

SECTION_SIDE = f"{NOTE}/sections/introduction/compare/v1/v2/side-by-side/"


def test_it_shows_one_section_in_two_versions_side_by_side(client, note):
    tree = parse(client.get(SECTION_SIDE))
    (columns,) = find_all(tree, "diff-columns")
    old, new = column(columns, "old"), column(columns, "new")
    assert old["label"] == "Version 1 (Original text)"
    assert new["label"] == "Version 2 (Reworked draft 1)"
    assert old["texts"] == ["The introduction in version 1."]
    assert new["texts"] == ["The introduction in version 2."]
    assert old["del"] == ["1"]
    assert new["ins"] == ["2"]
    h1 = " ".join(text(next(tree.iter("h1"))).split())
    assert h1 == "1 Introduction Changes from version 1 to version 2"


def test_it_compares_a_section_between_any_two_versions(client, note):
    version3 = factories.VersionFactory(document=note, number=3)
    add_text(version3, "introduction", 1, body="The new introduction.")
    tree = parse(client.get(f"{NOTE}/sections/introduction/compare/v3/v1/side-by-side/"))
    (columns,) = find_all(tree, "diff-columns")
    assert column(columns, "old")["texts"] == ["The new introduction."]
    assert column(columns, "new")["texts"] == ["The introduction in version 1."]
    assert column(columns, "old")["label"].startswith("Version 3")


def test_it_says_which_version_lacks_the_section(client, note):
    version3 = factories.VersionFactory(document=note, number=3)
    add_text(version3, "housing", 1, body="A home for everyone.")
    tree = parse(client.get(f"{NOTE}/sections/housing/compare/v2/v3/side-by-side/"))
    (columns,) = find_all(tree, "diff-columns")
    assert column(columns, "old")["notice"] == "This section is not in this version."
    assert column(columns, "new")["ins"] == ["A home for everyone."]


def test_it_says_when_a_section_is_compared_with_itself(client, note):
    response = client.get(f"{NOTE}/sections/introduction/compare/v2/v2/side-by-side/")
    assert "You are comparing a version with itself" in response.content.decode()
    (columns,) = find_all(parse(response), "diff-columns")
    for side in ("old", "new"):
        assert column(columns, side)["texts"] == ["The introduction in version 2."]
        assert column(columns, side)["del"] == column(columns, side)["ins"] == []


@pytest.mark.parametrize(
    "path",
    [
        "/sections/introduction/compare/v1/v9/side-by-side/",
        "/sections/introduction/compare/v9/v2/side-by-side/",
        "/sections/no-such-section/compare/v1/v2/side-by-side/",
    ],
)
def test_it_404s_for_an_unknown_version_or_section(client, note, path):
    assert client.get(f"{NOTE}{path}").status_code == 404


def test_it_404s_for_a_section_in_neither_version(client, note):
    version3 = factories.VersionFactory(document=note, number=3)
    add_text(version3, "housing", 1)
    assert client.get(f"{NOTE}/sections/housing/compare/v1/v2/side-by-side/").status_code == 404
    assert client.get(f"{NOTE}/sections/housing/compare/v2/v3/side-by-side/").status_code == 200


def test_it_404s_for_an_unpublished_version_of_a_section(client, note):
    draft = factories.VersionFactory(document=note, number=3, published=None)
    add_text(draft, "introduction", 1, body="Not yet.")
    assert client.get(f"{NOTE}/sections/introduction/compare/v2/v3/side-by-side/").status_code == 404


def test_it_links_a_sections_changes_to_their_side_by_side_view_and_back(client, note):
    section_page = client.get(f"{NOTE}/sections/introduction/", {"from": "1", "to": "2"}).content.decode()
    assert f'<a href="{SECTION_SIDE}">side by side</a>' in section_page
    side_page = client.get(SECTION_SIDE).content.decode()
    inline = f"{NOTE}/sections/introduction/?from=1&amp;to=2#diff-heading"
    assert f'<a href="{inline}">inline</a>' in side_page
    assert f'href="{SIDE}"' in side_page  # every section's changes, side by side


def test_it_sends_the_section_form_to_the_side_by_side_page(client, note):
    response = client.get(f"{NOTE}/sections/introduction/", {"from": "1", "to": "2", "view": "side"})
    assert response.status_code == 302
    assert response["Location"] == SECTION_SIDE
    # Bad input stays on the section page with its message, the box still unticked there.
    response = client.get(f"{NOTE}/sections/introduction/", {"from": "x", "to": "2", "view": "side"})
    assert response.status_code == 400
    assert "is not a version number" in response.content.decode()


def test_it_keeps_the_section_form_box_apart_from_the_translation_beside(client, note):
    draft = note.versions.get(number=2)
    french = factories.VersionFactory(document=note, number=2, language="fr", label="Projet", translation_of=draft)
    add_text(french, "introduction", 1, body="Le texte.")
    page = " ".join(client.get(f"{NOTE}/sections/introduction/", {"side": "fr"}).content.decode().split())
    assert 'name="view" value="side" >' in page
    assert 'name="view" value="side" checked' not in page


# --- queries ------------------------------------------------------------------------------------------


def build_note(size: int):
    """A note of `size` sections in two versions, every third section reworded."""
    document = factories.DocumentFactory(slug=f"note-{size}")
    versions = [factories.VersionFactory(document=document, number=n) for n in (1, 2)]
    sections = Section.objects.bulk_create([Section(document=document, key=f"part-{i}") for i in range(size)])
    SectionText.objects.bulk_create(
        SectionText(
            version=version,
            section=section,
            position=i,
            heading=f"Part {i}",
            body_markdown=f"Part {i} in version {version.number}." if i % 3 == 0 else f"Part {i}.",
        )
        for version in versions
        for i, section in enumerate(sections)
    )
    return document


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("size", [6, 120])
def test_it_runs_as_many_queries_side_by_side_as_inline_whatever_the_size(client, db, size):
    build_note(size)
    note = f"/note/note-{size}"
    assert _queries(client, f"{note}/compare/v1/v2/side-by-side/") == _queries(client, f"{note}/compare/v1/v2/") == 4
    # The section, the versions, its two texts.
    assert _queries(client, f"{note}/sections/part-3/compare/v1/v2/side-by-side/") == 3


def test_it_speaks_the_pages_language_side_by_side(client, note):
    page = client.get(f"/fr{NOTE}/sections/introduction/compare/v1/v2/side-by-side/").content.decode()
    assert '<strong aria-current="true">côte à côte</strong>' in page
    assert '<span class="visually-hidden">supprimé : </span>' in page
    assert '<span class="visually-hidden">ajouté : </span>' in page
    # The note's text keeps its own language inside the French page.
    assert '<pre class="diff" lang="en">' in page
