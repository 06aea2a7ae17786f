"""manage.py spam_train: teach the spam classifier from a labelled CSV file, or rebuild it from decisions."""

from __future__ import annotations

from typing import TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comments import classifier

# Files with more rows than this get a progress line about every tenth of the way.
PROGRESS_ABOVE = 500


class ProgressReporter:
    """A ``progress(done, total)`` callback that writes "Training: 1200/5000" about every 10%."""

    def __init__(self, stream: TextIO, label: str, *, total: int | None = None, enabled: bool = True) -> None:
        self.stream = stream
        self.label = label
        self.total = total
        self.enabled = enabled
        self.next_step = 1

    def __call__(self, done: int, total: int | None = None) -> None:
        total = total if total is not None else self.total
        if not self.enabled or not total or total <= PROGRESS_ABOVE:
            return
        if done * 10 >= self.next_step * total:
            self.stream.write(f"{self.label}: {done}/{total}\n")
            self.stream.flush()
            self.next_step = done * 10 // total + 1


def read_rows(path: str) -> list[tuple[str, str]]:
    """Read a labelled CSV file, turning every problem into a CommandError."""
    try:
        return classifier.read_labelled_csv(path)
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{path}: is a directory, not a CSV file") from None
    except OSError as error:
        raise CommandError(f"{path}: cannot be read ({error.strerror or error})") from None
    except ValueError as error:
        raise CommandError(str(error)) from None


class Command(BaseCommand):
    help = (
        "Train the spam classifier from a CSV file with 'text' and 'label' (spam/ham/1/0) columns, "
        "adding to what it has learned (--reset forgets that first), or rebuild it from every "
        "coordinator decision (--rebuild)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", metavar="FILE", help="UTF-8 CSV file with a header and text,label columns")
        parser.add_argument("--reset", action="store_true", help="forget everything learned before training")
        parser.add_argument(
            "--rebuild", action="store_true", help="forget everything and relearn from coordinators' decisions"
        )

    def handle(self, *args, csv: str | None = None, reset: bool = False, rebuild: bool = False, **options) -> None:
        verbose = options.get("verbosity", 1) > 0
        if rebuild and csv:
            raise CommandError("Use either --csv FILE or --rebuild, not both.")
        if rebuild and reset:
            raise CommandError("--rebuild already forgets everything; --reset is for --csv.")
        if not rebuild and not csv:
            raise CommandError("Name a file with --csv FILE, or use --rebuild.")
        if rebuild:
            if verbose:
                self.stderr.write("Rebuilding from coordinators' decisions...")
            learned = classifier.rebuild(progress=ProgressReporter(self.stderr, "Rebuilding", enabled=verbose))
        else:
            rows = read_rows(csv)
            if not rows:
                raise CommandError(f"{csv}: no rows to learn from")
            progress = ProgressReporter(self.stderr, "Training", total=len(rows), enabled=verbose)
            # One transaction: a failure leaves what was learned before untouched, even with --reset.
            classifier.learn_texts(rows, progress=progress, reset=reset)
            learned = {label: sum(1 for _, row_label in rows if row_label == label) for label in classifier.LABELS}
        now = classifier.summary()
        self.stdout.write(
            f"Learned {learned['spam']} spam and {learned['ham']} ham documents; "
            f"the classifier now knows {now['spam']} spam and {now['ham']} ham documents and {now['tokens']} tokens."
        )
