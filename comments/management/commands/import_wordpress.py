"""``manage.py import_wordpress``: bring the original campaign page's comments over from its WordPress export."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from comments import imports
from comments.models import State
from comments.wordpress import ExportRefused, parse
from guidance.models import Document, Section

# Show progress for imports of more comments than this, in about this many lines.
PROGRESS_ABOVE = 200
PROGRESS_LINES = 20

STATE_WORDS = {
    State.APPROVED: "approved",
    State.REVIEW: "to review (pending in WordPress)",
    State.SPAM: "in the spam folder (spam in WordPress)",
    State.REJECTED: "rejected, not published (in WordPress's trash)",
}


class Command(BaseCommand):
    help = (
        "Import the comments of a WordPress export (WXR 1.0, 1.1 or 1.2) onto a document or one of its "
        "sections, as legacy comments from the original campaign page. Running it again imports only what is new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the export (Tools > Export in WordPress), an XML file")
        parser.add_argument("--document", required=True, metavar="SLUG", help="the document's slug")
        parser.add_argument("--section", metavar="KEY", help="the section's key (by default, the whole document)")
        parser.add_argument(
            "--post",
            metavar="NUMBER_OR_SLUG",
            help="the exported post whose comments to import, when the export holds comments on several",
        )
        parser.add_argument("--dry-run", action="store_true", help="show what would be imported and save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        target = self._target(options["document"], options["section"])
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from None
        try:
            export = parse(data)
            post = export.post(options["post"])
        except ExportRefused as exc:
            raise CommandError(f"{path}: {exc} Nothing was imported.") from None
        try:
            summary = imports.import_wordpress(
                export=export, post=post, target=target, dry_run=options["dry_run"], progress=self._progress
            )
        except IntegrityError:
            raise CommandError(
                "Another import of the same export ran at the same time; this one imported nothing. Run it again."
            ) from None
        self._print(summary, target=target, dry_run=options["dry_run"])

    def _target(self, slug: str, key: str | None) -> Document | Section:
        document = Document.objects.filter(slug=slug).first()
        if document is None:
            slugs = ", ".join(Document.objects.order_by("created").values_list("slug", flat=True)[:10]) or "none"
            raise CommandError(f"There is no document '{slug}' (documents: {slugs}).")
        if not key:
            return document
        section = Section.objects.filter(document=document, key=key).first()
        if section is None:
            keys = ", ".join(document.sections.order_by("key").values_list("key", flat=True)[:20]) or "none"
            raise CommandError(f"The document '{slug}' has no section '{key}' (sections: {keys}).")
        return section

    def _progress(self, done: int, total: int) -> None:
        if total <= PROGRESS_ABOVE:
            return
        step = max(1, math.ceil(total / PROGRESS_LINES))
        if done % step == 0 or done == total:
            filled = round(30 * done / total)
            self.stdout.write(f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} comments")

    def _print(self, summary: imports.Summary, *, target: Document | Section, dry_run: bool) -> None:
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(f"Export of {summary.site}, post {summary.post}: {summary.total} comments.")
        self.stdout.write(
            f"{verb} {summary.imported_count} onto {target}, {summary.published} of them published on the page:"
        )
        for state, words in STATE_WORDS.items():
            if summary.imported[state]:
                self.stdout.write(f"  {summary.imported[state]:>5}  {words}")
        skipped = sum(summary.skipped.values())
        self.stdout.write(f"Skipped {skipped}:" if skipped else "Skipped none.")
        for reason, count in summary.skipped.most_common():
            self.stdout.write(f"  {count:>5}  {reason}")
        for note, count in summary.notes.most_common():
            self.stdout.write(self.style.WARNING(f"Note: {count} {note}."))
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
        elif summary.imported_count:
            self.stdout.write(self.style.SUCCESS("Done: the pages show the imported comments now."))
