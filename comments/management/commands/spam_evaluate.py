"""manage.py spam_evaluate: measure the spam classifier on a labelled CSV file."""

from __future__ import annotations

import random

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from comments import classifier
from comments.management.commands.spam_train import ProgressReporter, read_rows


class Command(BaseCommand):
    help = (
        "Score a CSV file with 'text' and 'label' columns against the stored spam classifier, or, with "
        "--test-size, train a throwaway classifier on part of the file and score the rest; the stored "
        "classifier is never changed. Prints accuracy, precision, recall, F1, MCC and the confusion matrix."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", metavar="FILE", required=True, help="UTF-8 CSV file with text,label columns")
        parser.add_argument(
            "--threshold", type=float, default=0.5, help="a probability above this counts as spam (default 0.5)"
        )
        parser.add_argument(
            "--test-size",
            type=float,
            default=None,
            metavar="SHARE",
            help="hold out this share of the rows (between 0 and 1) for testing, train on the rest, then roll back",
        )
        parser.add_argument("--seed", type=int, default=None, help="seed for the shuffle before splitting")
        parser.add_argument(
            "--keep-learned",
            action="store_true",
            help="with --test-size, train on top of what the classifier has learned instead of starting empty",
        )

    def handle(
        self,
        *args,
        csv: str,
        threshold: float = 0.5,
        test_size: float | None = None,
        seed: int | None = None,
        keep_learned: bool = False,
        **options,
    ) -> None:
        verbose = options.get("verbosity", 1) > 0
        if not 0.0 <= threshold <= 1.0:
            raise CommandError(f"--threshold must be between 0 and 1, not {threshold}.")
        if test_size is not None and not 0.0 < test_size < 1.0:
            raise CommandError(f"--test-size must be a share strictly between 0 and 1 (like 0.3), not {test_size}.")
        if keep_learned and test_size is None:
            raise CommandError("--keep-learned only applies with --test-size.")
        rows = read_rows(csv)
        if not rows:
            raise CommandError(f"{csv}: no rows to evaluate")

        if test_size is None:
            if verbose:
                self.stderr.write(f"Scoring {len(rows)} rows against the stored classifier...")
            metrics = classifier.evaluate(
                rows, threshold=threshold, progress=ProgressReporter(self.stderr, "Scoring", enabled=verbose)
            )
            self.report(metrics, threshold)
            return

        shuffled = list(rows)
        random.Random(seed).shuffle(shuffled)
        test_count = round(len(shuffled) * test_size)
        if test_count < 1 or test_count >= len(shuffled):
            raise CommandError(
                f"--test-size {test_size} of {len(shuffled)} rows leaves nothing to "
                f"{'test on' if test_count < 1 else 'train on'}; use a larger file or another share."
            )
        test, train = shuffled[:test_count], shuffled[test_count:]
        if verbose:
            start = "an empty classifier" if not keep_learned else "the stored classifier"
            self.stderr.write(
                f"Training {start} on {len(train)} rows and testing on {len(test)} (seed {seed}); "
                "all of it is rolled back afterwards."
            )
        with transaction.atomic():
            classifier.learn_texts(
                train,
                reset=not keep_learned,
                progress=ProgressReporter(self.stderr, "Training", enabled=verbose),
            )
            metrics = classifier.evaluate(
                test, threshold=threshold, progress=ProgressReporter(self.stderr, "Scoring", enabled=verbose)
            )
            # Leave the stored classifier exactly as it was.
            transaction.set_rollback(True)
        self.report(metrics, threshold)

    def report(self, metrics: classifier.Metrics, threshold: float) -> None:
        write = self.stdout.write
        spam_rows, ham_rows = metrics.tp + metrics.fn, metrics.fp + metrics.tn
        write(f"Evaluated {metrics.total} rows ({spam_rows} spam, {ham_rows} ham); spam above {threshold:.2f}")
        write(f"accuracy  {metrics.accuracy:.3f}")
        write(f"precision {metrics.precision:.3f}")
        write(f"recall    {metrics.recall:.3f}")
        write(f"F1        {metrics.f1:.3f}")
        write(f"MCC       {metrics.mcc:.3f}")
        write("Confusion matrix (rows: actual label, columns: predicted):")
        write(f"{'':>12}{'spam':>8}{'ham':>8}")
        write(f"{'spam':>12}{metrics.tp:>8}{metrics.fn:>8}")
        write(f"{'ham':>12}{metrics.fp:>8}{metrics.tn:>8}")
        write(f"Ham flagged as spam: {metrics.fp} of {ham_rows} ({metrics.false_positive_rate:.1%}).")
