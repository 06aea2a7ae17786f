"""The endorsements export coordinators hand to policy makers: public fields of approved comments only."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.contrib.contenttypes.models import ContentType

from comments.models import Kind, OrgComment
from guidance.models import Section

# The signature's columns are what readers see (comments.signature): a part the poster did not
# let be shown is empty, and a comment with neither name nor organisation is "Anonymous participant".
HEADER = [
    "signature", "name", "organisation", "on behalf of", "city", "country", "kind", "section", "version", "date",
]  # fmt: skip
WHOLE_NOTE = "whole note"
# A cell starting with one of these is a formula to a spreadsheet: prefix it so it stays text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXPORT_FIELDS = (
    "id", "kind", "user_name", "organisation_name", "organisation_id", "organisation__name",
    "organisation__verified_at", "city", "country", "on_behalf_of", "display", "show_country", "submit_date",
    "content_type_id", "object_pk", "version__label",
)  # fmt: skip


def endorsements() -> Iterable[OrgComment]:
    """Approved endorsements and support-with-amendments, oldest first, through ``visible()``."""
    return (
        OrgComment.objects.visible()
        .filter(kind__in=[Kind.ENDORSE, Kind.AMEND])
        .select_related("organisation", "version")
        .only(*EXPORT_FIELDS)
        .order_by("submit_date", "id")
    )


def rows() -> Iterator[list[str]]:
    """Yield the header, then one row per endorsement; never an email or an address."""
    section_type = ContentType.objects.get_for_model(Section)
    comments = list(endorsements())
    section_ids = {c.object_pk for c in comments if c.content_type_id == section_type.pk}
    titles = (
        dict(Section.objects.with_title().filter(pk__in=section_ids).values_list("pk", "current_heading"))
        if section_ids
        else {}
    )
    yield HEADER
    for c in comments:
        section = titles.get(int(c.object_pk), "") if c.content_type_id == section_type.pk else WHOLE_NOTE
        signed = c.signature
        yield [
            _cell(signed.text()),
            _cell(signed.name),
            _cell(signed.organisation),
            _cell(signed.on_behalf_of),
            _cell(signed.city),
            _cell(signed.country_name),
            _cell(Kind(c.kind).label),
            _cell(section),
            _cell(c.version.label if c.version_id and c.version else ""),
            c.submit_date.date().isoformat(),
        ]


def write(out) -> None:
    writer = csv.writer(out)
    for row in rows():
        writer.writerow(row)


def _cell(value: str) -> str:
    value = str(value)
    return "'" + value if value.startswith(FORMULA_START) else value
