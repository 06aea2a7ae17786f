"""The Markdown importer fed with every hostile string (as body, heading, label and changelog); then the pages.

Each string is imported on its own, in a savepoint rolled back after it: the importer either imports
it or refuses it with ``ImportRefused`` (a message for the coordinator), never anything else. Then
two versions hold them all, for the pages: every string as a section body in the first, as a
heading in the second, so the comparison pages show them as removed and added text too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import transaction
from django.forms import modelform_factory
from django.test import Client
from django.utils import timezone

from guidance.importer import ImportRefused, import_markdown
from guidance.models import Document, Version
from tests import factories
from tests.security import markup
from tests.security.hostile import plain_template_rendering, strings

pytestmark = pytest.mark.django_db

SLUG = "hostile-import"
VersionForm = modelform_factory(
    Version, fields=("document", "number", "label", "kind", "language", "published", "changelog")
)
# Lines that would end a body in a file of level-1 sections: a heading of level 1, or a code fence
# (which would hide the headings after it). Bodies holding one are imported on their own only.
_STRUCTURE = re.compile(r"^ {0,3}(#(?:[ \t]|$)|`{3,}|~{3,})", re.MULTILINE)


@dataclass
class Imported:
    document: Document
    crashed: list[str] = field(default_factory=list)
    refused: int = 0
    bodies: int = 0  # the number of the version with every string as a body
    headings: int = 0  # and of the one with every string as a heading


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _try(document: Document, imported: Imported, value: str, **options) -> bool:
    """Import in a savepoint rolled back after it; True if it was imported, False if refused."""
    savepoint = transaction.savepoint_create()
    try:
        import_markdown(document=document, **options)
    except ImportRefused:
        imported.refused += 1
        return False
    except Exception as exc:  # anything else is what this test looks for
        imported.crashed.append(f"{value[:60]!r}: {exc!r}")
        return False
    finally:
        transaction.savepoint_rollback(savepoint)
    return True


@pytest.fixture(scope="module")
def imported(module_transaction) -> Imported:
    document = factories.DocumentFactory(slug=SLUG, title="Hostile import")
    imported = Imported(document=document)
    values = strings()
    as_heading, as_body = [], []  # the strings imported in a heading, and in a body
    for index, value in enumerate(values):
        # Everything at once: a heading, a body, the version's label and changelog, as bytes.
        source = f"# {_one_line(value)}\n\n{value}\n".encode()
        if _try(document, imported, value, source=source, label=value, changelog=value):
            as_heading.append(index)
            as_body.append(index)
        else:
            # Refused (a heading with no usable key, a label too long...): the body still goes in alone.
            source = f"# Section {{#s-{index}}}\n\n{value}\n"
            if _try(document, imported, value, source=source, label=f"Label {index}", changelog=value):
                as_body.append(index)
        # The whole string as the file: imported or refused, never a crash.
        _try(document, imported, value, source=value, label=f"File {index}")
    # Every string as a version's label and changelog (listed on the document page, the compare form and
    # the feed), through a model form as coordinators enter them in the admin; a label it refuses is left out.
    published = timezone.now() - timedelta(days=1)
    for index, value in enumerate(values):
        data = {"document": document.pk, "number": index + 1, "label": value, "kind": "draft", "language": "en"}
        data.update(published=published + timedelta(seconds=index), changelog=value)
        form = VersionForm(data)
        if not form.is_valid():
            form = VersionForm({**data, **{name: f"Version {index}" for name in form.errors}})
        form.save()
    bodies = [
        f"# Section {index} {{#s-{index}}}\n\n{values[index]}\n"
        for index in as_body
        if not _STRUCTURE.search(values[index])
    ]
    report = import_markdown(document=document, source="\n".join(bodies), label="Bodies", kind=Version.Kind.ORIGINAL)
    imported.bodies = report.version.number
    headings = [
        f"# {_one_line(values[index])} {{#s-{index}}}\n\nThe section {index}.\n"
        for index in as_heading
        if not _STRUCTURE.search(_one_line(values[index]))
    ]
    report = import_markdown(document=document, source="\n".join(headings), label="Headings", allow_removal=True)
    imported.headings = report.version.number
    yield imported


def test_the_importer_imports_or_refuses_and_never_crashes(imported):
    assert not imported.crashed, imported.crashed[:10]
    assert imported.refused  # some strings are refused (with a message): the check above saw both outcomes


def _page(path: str) -> str:
    with plain_template_rendering():
        response = Client().get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/note/{slug}/",
        "/note/{slug}/v{bodies}/",
        "/note/{slug}/v{headings}/",
        "/note/{slug}/v{bodies}/print/",
        "/note/{slug}/compare/",
        "/note/{slug}/compare/v{bodies}/v{headings}/",
        "/note/{slug}/v1/",
    ],
    ids=["home", "document", "bodies", "headings", "print", "compare form", "comparison", "a label"],
)
def test_pages_stay_within_the_allow_list(imported, path):
    path = path.format(slug=SLUG, bodies=imported.bodies, headings=imported.headings)
    markup.assert_allowed(_page(path), where=path)


def test_section_pages_and_their_diffs_stay_within_the_allow_list(imported):
    keys = imported.document.sections.order_by("pk").values_list("key", flat=True)
    for key in list(keys)[::37]:
        path = f"/note/{SLUG}/sections/{key}/?from={imported.bodies}&to={imported.headings}"
        markup.assert_allowed(_page(path), where=path)


def test_the_versions_feed_stays_within_the_allow_list(imported):
    response = Client().get(f"/note/{SLUG}/versions.atom")
    assert response.status_code == 200
    markup.assert_feed_allowed(response.content, markup.COMMENT_TEXT, where="versions feed")
