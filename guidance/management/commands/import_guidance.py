"""``manage.py import_guidance``: import a version of a document from a Markdown file."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from guidance.importer import ImportRefused, ImportReport, import_markdown
from guidance.models import Document, Version

# Show progress for files with more sections than this, in at most about this many lines.
PROGRESS_ABOVE = 50
PROGRESS_LINES = 20


class _RollBack(Exception):
    """Leave the transaction of a dry run without keeping anything."""


class Command(BaseCommand):
    help = (
        "Import a version of a document from a Markdown file: one section per heading, matched to the "
        "document's sections by key. Prints what was added, changed, renamed, reordered and removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the Markdown file (UTF-8)")
        parser.add_argument("--document", required=True, metavar="SLUG", help="the document's slug")
        parser.add_argument("--label", required=True, help='the version\'s label, like "Reworked draft 2"')
        parser.add_argument("--language", help="the version's language (by default the document's)")
        parser.add_argument(
            "--translation-of",
            type=int,
            metavar="NUMBER",
            help="the number of the version this file translates (needs --language)",
        )
        parser.add_argument(
            "--kind",
            choices=Version.Kind.values,
            help="original or draft (by default draft, or the kind of the version translated)",
        )
        parser.add_argument("--title", help="create the document with this title if it does not exist")
        parser.add_argument("--changelog", default="", help="what changed in this version, for readers")
        parser.add_argument(
            "--allow-removal", action="store_true", help="remove sections even when they are in use (have comments)"
        )
        parser.add_argument("--dry-run", action="store_true", help="show what would happen and save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            source = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from None

        dry_run: bool = options["dry_run"]
        created = False
        try:
            with transaction.atomic():
                document, created = self._document(options)
                translation_of = self._translation_of(document, options["translation_of"])
                kind = options["kind"] or (translation_of.kind if translation_of is not None else Version.Kind.DRAFT)
                report = import_markdown(
                    document=document,
                    source=source,
                    label=options["label"],
                    language=options["language"],
                    translation_of=translation_of,
                    kind=kind,
                    changelog=options["changelog"],
                    allow_removal=options["allow_removal"],
                    progress=self._progress,
                )
                if dry_run:
                    raise _RollBack
        except _RollBack:
            pass
        except ImportRefused as exc:
            raise CommandError(str(exc)) from None
        self._print(report, document=document, created=created, dry_run=dry_run)

    def _document(self, options: dict[str, Any]) -> tuple[Document, bool]:
        slug: str = options["document"]
        document = Document.objects.filter(slug=slug).first()
        if document is not None:
            return document, False
        if not options["title"]:
            slugs = list(Document.objects.order_by("created").values_list("slug", flat=True)[:11])
            known = ", ".join(slugs[:10]) + (", ..." if len(slugs) > 10 else "") if slugs else "none yet"
            raise CommandError(
                f"There is no document '{slug}' (documents: {known}). "
                f'To create it, give its title: --title "Guidance Note on HIV and sex work".'
            )
        language = options["language"] if options["language"] and not options["translation_of"] else None
        document = Document(slug=slug, title=options["title"], language=language or settings.LANGUAGE_CODE)
        try:
            document.full_clean()
        except ValidationError as exc:
            raise CommandError(f"Cannot create the document '{slug}': {' '.join(exc.messages)}") from None
        document.save()
        return document, True

    def _translation_of(self, document: Document, number: int | None) -> Version | None:
        if number is None:
            return None
        candidates = list(Version.objects.filter(document=document, number=number, translation_of__isnull=True))
        if not candidates:
            raise CommandError(f"The document '{document.slug}' has no version {number} to translate.")
        for candidate in candidates:
            if candidate.language == document.language:
                return candidate
        return candidates[0]

    def _progress(self, done: int, total: int) -> None:
        if total <= PROGRESS_ABOVE:
            return
        step = max(1, math.ceil(total / PROGRESS_LINES))
        if done % step == 0 or done == total:
            self.stderr.write(f"Importing sections: {done}/{total}")

    def _print(self, report: ImportReport, *, document: Document, created: bool, dry_run: bool) -> None:
        version = report.version
        for note in report.notes:
            self.stderr.write(self.style.WARNING(f"Note: {note}"))
        if created:
            self.stdout.write(f"{'Would create' if dry_run else 'Created'} the document '{document.slug}'.")
        if report.previous is not None:
            previous = report.previous
            self.stdout.write(f'Compared with version {previous.number} "{previous.label}" ({previous.language}).')
        headings = report.headings
        for key in report.added:
            self.stdout.write(f"  added      {key}: {headings.get(key, '')}")
        for key in report.changed:
            self.stdout.write(f"  changed    {key}: {headings.get(key, '')}")
        for key, old, new in report.renamed:
            self.stdout.write(f'  renamed    {key}: "{old}" -> "{new}"')
        for key in report.reordered:
            self.stdout.write(f"  reordered  {key}: {headings.get(key, '')}")
        for key in report.removed:
            self.stdout.write(f"  removed    {key}: {headings.get(key, '')}")
        for key, number in report.stale:
            self.stdout.write(
                f"  not updated {key}: worded as in the previous translation, while the original changed since "
                f"version {number}; readers are told it may be out of date"
            )
        counts = (
            f"{report.section_count} sections: {len(report.added)} added, {len(report.changed)} changed, "
            f"{len(report.renamed)} renamed, {len(report.reordered)} reordered, {len(report.removed)} removed, "
            f"{len(report.unchanged)} unchanged."
        )
        what = f'version {version.number} "{version.label}" ({version.language}) of {document.slug}'
        if version.translation_of is not None:
            what += f", a translation of version {version.translation_of.number}"
        if dry_run:
            self.stdout.write(f"Dry run, nothing saved: would import {what}; {counts}")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {what}; {counts}"))
