"""manage.py spam_train: teach the spam classifier from a labelled CSV file, or rebuild it from decisions."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comments import classifier


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
        "Train the spam classifier: keep the labelled texts of a CSV file with 'text' and 'label' "
        "(spam/ham/1/0) columns for every retrain (--reset forgets those imported before), then fit a new "
        "model on them and on every coordinator decision; or just refit from what is there (--rebuild)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", metavar="FILE", help="UTF-8 CSV file with a header and text,label columns")
        parser.add_argument("--reset", action="store_true", help="forget the labelled texts imported before")
        parser.add_argument(
            "--rebuild", action="store_true", help="refit from coordinators' decisions and the texts imported"
        )

    def handle(self, *args, csv: str | None = None, reset: bool = False, rebuild: bool = False, **options) -> None:
        if rebuild and csv:
            raise CommandError("Use either --csv FILE or --rebuild, not both.")
        if rebuild and reset:
            raise CommandError("--rebuild refits from what is there; --reset is for --csv.")
        if not rebuild and not csv:
            raise CommandError("Name a file with --csv FILE, or use --rebuild.")
        started = time.perf_counter()
        if rebuild:
            classifier.retrain(force=True)
            learned = ""
        else:
            rows = read_rows(csv)
            if not rows:
                raise CommandError(f"{csv}: no rows to learn from")
            # One transaction for the texts: a failure leaves what was imported before untouched.
            classifier.import_texts(rows, reset=reset)
            spam = sum(1 for _, label in rows if label == classifier.SPAM)
            learned = f"Imported {spam} spam and {len(rows) - spam} ham texts. "
        now = classifier.summary()
        seconds = time.perf_counter() - started
        state = "abstains (too few examples)" if now["abstains"] else "scores comments"
        self.stdout.write(
            f"{learned}Model version {now['version']}, fitted on {now['spam']} spam and {now['ham']} ham "
            f"examples in {seconds:.1f} s, {state}."
        )
        if now["metrics"]:
            self.stdout.write(
                f"On a held-out fifth: MCC {now['metrics']['mcc']:.3f}, "
                f"ham flagged as spam {now['metrics']['false_positive_rate']:.1%}."
            )
