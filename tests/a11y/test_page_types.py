"""The list of page types (tests/page_types.py) covers every URL of the site, and each answers as listed."""

from __future__ import annotations

import pytest

from tests.page_types import NOT_PAGES, url_names

pytestmark = pytest.mark.django_db


def test_every_url_is_a_listed_page_type_or_said_not_to_be_a_page(page_types):
    names = url_names()
    covered = {page.url_name for page in page_types}
    missing = names - covered - NOT_PAGES.keys()
    assert not missing, f"add these URLs to tests/page_types.py (a page type, or NOT_PAGES): {sorted(missing)}"
    stale = (covered | NOT_PAGES.keys()) - names - {""}
    assert not stale, f"tests/page_types.py names URLs that no longer exist: {sorted(stale)}"


def test_the_walk_finds_the_desk_and_the_public_pages():
    names = url_names()
    assert {"campaign:home", "guidance:section", "comments:post", "desk:home", "desk:stats"} <= names
    assert not any(name.startswith("admin:") for name in names)


def test_page_type_names_are_unique(page_types):
    names = [page.name for page in page_types]
    assert len(names) == len(set(names))


def test_every_page_type_answers_with_its_status(page_types, fetch):
    wrong = []
    for page in page_types:
        status, html = fetch(page)
        if status != page.status or ("<main" not in html and not page.template):
            wrong.append(f"{page.name}: {status}, expected {page.status}")
    assert not wrong, wrong
