"""manage.py spam_evaluate: measure the spam classifier, alone and inside the whole screening."""

from __future__ import annotations

from collections import Counter

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from comments import classifier, screening
from comments.management.commands.spam_train import read_rows
from comments.models import OrgComment
from comments.text import fingerprint

FIGURES = [
    ("accuracy", "accuracy"),
    ("precision", "precision"),
    ("recall", "recall"),
    ("F1", "f1"),
    ("MCC", "mcc"),
    ("FPR", "false_positive_rate"),
]


class Command(BaseCommand):
    help = (
        "Measure the spam classifier on labelled CSV files (columns 'text' and 'label'): against the stored "
        "model (--csv FILE), over repeated stratified splits of one file (--csv FILE --repeats N), or trained "
        "on one corpus and tested on another (--train A --test B). Throwaway models are never stored. Also "
        "tells what the whole screening would do with the held-out comments."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", metavar="FILE", help="UTF-8 CSV file with text,label columns")
        parser.add_argument("--train", metavar="FILE", help="cross-corpus: fit on this file...")
        parser.add_argument("--test", metavar="FILE", help="...and measure on this one")
        parser.add_argument("--repeats", type=int, default=None, help="stratified splits of --csv to average over")
        parser.add_argument("--test-size", type=float, default=0.3, metavar="SHARE", help="held out per split (0.3)")
        parser.add_argument("--seed", type=int, default=None, help="seed of the splits")
        parser.add_argument("--threshold", type=float, default=0.5, help="above this probability is spam (0.5)")
        parser.add_argument("--no-pipeline", action="store_true", help="skip the whole-screening report")

    def handle(self, *args, **options) -> None:
        csv, train, test, repeats = options["csv"], options["train"], options["test"], options["repeats"]
        if not 0.0 <= options["threshold"] <= 1.0:
            raise CommandError(f"--threshold must be between 0 and 1, not {options['threshold']}.")
        if not 0.0 < options["test_size"] < 1.0:
            raise CommandError(f"--test-size must be a share strictly between 0 and 1, not {options['test_size']}.")
        if bool(train) != bool(test):
            raise CommandError("Cross-corpus evaluation needs both --train FILE and --test FILE.")
        if train and (csv or repeats):
            raise CommandError("Use either --csv FILE [--repeats N] or --train A --test B.")
        if not train and not csv:
            raise CommandError("Name a file with --csv FILE, or two with --train A --test B.")
        if repeats is not None and repeats < 1:
            raise CommandError(f"--repeats must be at least 1, not {repeats}.")
        if train:
            held_out, pipeline = self.cross_corpus(read_rows(train), self.rows(test))
        elif repeats:
            held_out, pipeline = self.repeated(self.rows(csv), repeats, options)
        else:
            held_out, pipeline = self.rows(csv), None
            self.report([classifier.evaluate(held_out, threshold=options["threshold"])], "the stored model")
        if not options["no_pipeline"]:
            self.pipeline_report(held_out, pipeline)

    def rows(self, path: str) -> list[tuple[str, str]]:
        rows = read_rows(path)
        if not rows:
            raise CommandError(f"{path}: no rows to evaluate")
        return rows

    def fitted(self, rows: list[tuple[str, str]]):
        pipeline = classifier.fit(rows)
        if pipeline is None:
            raise CommandError(
                f"Too few examples to fit a model: it needs {settings.COMMENTS_CLASSIFIER_MIN_EXAMPLES} of spam "
                "and of ham (COMMENTS_CLASSIFIER_MIN_EXAMPLES)."
            )
        return pipeline

    def repeated(self, rows, repeats: int, options):
        results, first = [], None
        try:
            for train, test in classifier.splits(
                rows, repeats=repeats, test_size=options["test_size"], seed=options["seed"]
            ):
                pipeline = self.fitted(train)
                results.append(classifier.evaluate(test, threshold=options["threshold"], pipeline=pipeline))
                first = first or (test, pipeline, train)
        except ValueError as error:
            raise CommandError(f"Cannot split {len(rows)} rows that way: {error}") from None
        self.report(results, f"{repeats} stratified splits, {options['test_size']:.0%} held out")
        test, pipeline, train = first
        return test, (pipeline, train)

    def cross_corpus(self, train, test):
        pipeline = self.fitted(train)
        self.report([classifier.evaluate(test, pipeline=pipeline)], f"fitted on {len(train)} rows of another corpus")
        return test, (pipeline, train)

    def report(self, results: list[classifier.Metrics], how: str) -> None:
        write = self.stdout.write
        first = results[0]
        spam, ham = first.tp + first.fn, first.fp + first.tn
        write(f"Classifier alone ({how}): {first.total} rows tested ({spam} spam, {ham} ham)")
        write(f"{'':<10}{'mean':>8}{'worst':>8}")
        for label, name in FIGURES:
            mean, worst = classifier.mean_and_minimum(results, name)
            write(f"{label:<10}{mean:>8.3f}{worst:>8.3f}")
        if len(results) == 1:
            write(f"Confusion: spam caught {first.tp}, missed {first.fn}; ham flagged {first.fp}, passed {first.tn}.")

    def pipeline_report(self, held_out, fitted) -> None:
        """Run every real check on each held-out text as an unsaved comment on the first note."""
        target = _first_target()
        if target is None:
            self.stdout.write("Whole screening: skipped, there is no note to comment on.")
            return
        outcomes: dict[str, Counter] = {classifier.SPAM: Counter(), classifier.HAM: Counter()}
        if fitted is None:
            for text, label in held_out:
                outcomes[label][screening.screen(_unsaved(text, target)).decision] += 1
        else:
            pipeline, train = fitted
            counts = classifier._label_counts(train)
            with classifier.using(pipeline, spam_examples=counts["spam"], ham_examples=counts["ham"]):
                for text, label in held_out:
                    outcomes[label][screening.screen(_unsaved(text, target)).decision] += 1
        self.stdout.write("Whole screening of the held-out comments (unknown posters, no rate or history):")
        for label in (classifier.SPAM, classifier.HAM):
            found = outcomes[label]
            self.stdout.write(
                f"  {label:<5} {sum(found.values()):>5}: spam folder {found['spam']}, review {found['review']}, "
                f"approved {found['approved']}"
            )


def _first_target():
    app_label, model_name = settings.COMMENTS_TARGET_MODELS[0].split(".")
    return apps.get_model(app_label, model_name)._default_manager.order_by("pk").first()


def _unsaved(text: str, target) -> OrgComment:
    """A comment as the form would store it, not saved: screening it reads and writes nothing of its own."""
    return OrgComment(
        content_type=ContentType.objects.get_for_model(target),
        object_pk=str(target.pk),
        site_id=settings.SITE_ID,
        comment=text,
        fingerprint=fingerprint(text),
        submit_date=timezone.now(),
    )
