"""manage.py spam_train and spam_evaluate."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from comments import classifier
from comments.models import ClassifierModel, LabelledText, ModerationEvent, OrgComment, State
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "spam-sample.csv"
CORPUS = Path(__file__).resolve().parents[1] / "data" / "comments-corpus.csv"
FIGURES = ("accuracy", "precision", "recall", "F1", "MCC", "FPR")


def run(command: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def figures_in(output: str) -> dict[str, tuple[float, float]]:
    """{figure: (mean, worst)} from the evaluation table."""
    found = re.findall(r"^(accuracy|precision|recall|F1|MCC|FPR)\s+(-?[\d.]+)\s+(-?[\d.]+)$", output, re.M)
    return {name: (float(mean), float(worst)) for name, mean, worst in found}


def write(tmp_path, content: str | bytes, name: str = "rows.csv") -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


# --- the labelled files ----------------------------------------------------------------------


def test_it_ships_a_labelled_sample_with_about_40_percent_spam():
    rows = classifier.read_labelled_csv(SAMPLE)
    spam = sum(1 for _, label in rows if label == "spam")
    assert 100 <= len(rows) <= 150
    assert 0.35 <= spam / len(rows) <= 0.45


def test_the_tests_corpus_has_comments_and_spam_in_four_languages():
    rows = classifier.read_labelled_csv(CORPUS)
    assert len(rows) >= 240 and 0.35 <= sum(label == "spam" for _, label in rows) / len(rows) <= 0.45
    text = " ".join(text for text, _ in rows)
    assert {"Nous", "Apoyamos", "поддерживаем"} <= set(text.split())


# --- spam_train ------------------------------------------------------------------------------


def test_it_trains_from_a_file_and_stores_a_model_version():
    out, _ = run("spam_train", "--csv", str(SAMPLE))
    assert "Imported 48 spam and 72 ham texts. Model version 1, fitted on 48 spam and 72 ham" in out
    assert "scores comments" in out and "MCC" in out
    assert ClassifierModel.objects.get().pipeline


def test_it_adds_to_the_imported_texts_unless_reset():
    run("spam_train", "--csv", str(SAMPLE))
    run("spam_train", "--csv", str(SAMPLE))
    assert LabelledText.objects.count() == 240
    out, _ = run("spam_train", "--csv", str(SAMPLE), "--reset")
    assert LabelledText.objects.count() == 120
    assert "Model version 3, fitted on 48 spam and 72 ham" in out


def test_it_says_when_the_classifier_abstains(tmp_path):
    out, _ = run("spam_train", "--csv", write(tmp_path, "text,label\ncasino,spam\nendorse,ham\n"))
    assert "abstains" in out
    assert classifier.spam_probability("casino") is None


def test_it_rebuilds_from_decisions_and_imported_texts(section, coordinator):
    comment = approved_comment(section, text="casino bonus spins")
    ModerationEvent.objects.create(
        comment=comment, actor=coordinator, action="spam", old_state="approved", new_state="spam"
    )
    OrgComment.objects.filter(pk=comment.pk).update(state=State.SPAM)
    run("spam_train", "--csv", str(SAMPLE))
    out, _ = run("spam_train", "--rebuild")
    assert "Model version 2, fitted on 49 spam and 72 ham" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "--csv FILE"),
        (("--rebuild", "--csv", "x.csv"), "not both"),
        (("--rebuild", "--reset"), "--reset is for --csv"),
        (("--csv", "/nonexistent/rows.csv"), "no such file"),
    ],
)
def test_it_refuses_bad_train_arguments(args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        run("spam_train", *args)


def test_it_names_the_row_of_a_bad_label_when_training(tmp_path):
    path = write(tmp_path, "text,label\ncasino,spam\nendorse,ham\nhello,perhaps\n")
    with pytest.raises(CommandError, match=r"row 4: unknown label 'perhaps'"):
        run("spam_train", "--csv", path)
    assert not LabelledText.objects.exists()


def test_it_refuses_a_file_that_is_not_utf8_when_training(tmp_path):
    path = write(tmp_path, "text,label\nla pénalisation des clients,ham\n".encode("cp1252"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run("spam_train", "--csv", path)


def test_it_refuses_a_file_without_a_label_column_when_training(tmp_path):
    with pytest.raises(CommandError, match="no 'label' column"):
        run("spam_train", "--csv", write(tmp_path, "text,kind\ncasino,spam\n"))


def test_it_refuses_a_file_without_rows(tmp_path):
    with pytest.raises(CommandError, match="no rows"):
        run("spam_train", "--csv", write(tmp_path, "text,label\n"))


def test_it_keeps_what_was_imported_when_a_reset_fails(tmp_path):
    run("spam_train", "--csv", str(SAMPLE))
    with pytest.raises(CommandError):
        run("spam_train", "--reset", "--csv", write(tmp_path, "text,label\ncasino,nope\n"))
    assert LabelledText.objects.count() == 120 and ClassifierModel.objects.count() == 1


# --- spam_evaluate ---------------------------------------------------------------------------


def test_it_evaluates_the_stored_model():
    run("spam_train", "--csv", str(SAMPLE))
    out, _ = run("spam_evaluate", "--csv", str(SAMPLE), "--no-pipeline")
    figures = figures_in(out)
    assert set(figures) == set(FIGURES)
    assert figures["MCC"][0] > 0.9  # on its own training data
    assert "Confusion: spam caught" in out


def test_it_reports_the_mean_and_the_worst_over_repeated_splits_and_stores_nothing():
    out, _ = run("spam_evaluate", "--csv", str(CORPUS), "--repeats", "3", "--seed", "1", "--no-pipeline")
    figures = figures_in(out)
    assert "3 stratified splits, 30% held out" in out
    assert figures["MCC"][0] >= figures["MCC"][1] > 0.5
    assert figures["FPR"][0] <= figures["FPR"][1] < 0.2
    assert not ClassifierModel.objects.exists()


def test_it_evaluates_across_corpora():
    out, _ = run("spam_evaluate", "--train", str(CORPUS), "--test", str(SAMPLE), "--no-pipeline")
    fitted_on = len(classifier.read_labelled_csv(CORPUS))
    assert f"fitted on {fitted_on} rows of another corpus): 120 rows tested (48 spam, 72 ham)" in out
    assert figures_in(out)["MCC"][0] > 0.85


def test_it_tells_what_the_whole_screening_would_do_with_the_held_out_comments(section):
    out, _ = run("spam_evaluate", "--train", str(CORPUS), "--test", str(SAMPLE))
    spam = re.search(r"spam\s+48: spam folder (\d+), review (\d+), approved (\d+)", out)
    ham = re.search(r"ham\s+72: spam folder (\d+), review (\d+), approved (\d+)", out)
    assert spam and ham, out
    assert sum(map(int, spam.groups())) == 48 and int(ham.group(1)) == 0
    assert not OrgComment.objects.exists()  # the comments screened were never saved


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--train", "a.csv"), "both --train FILE and --test FILE"),
        (("--csv", "a.csv", "--train", "a.csv", "--test", "b.csv"), "either --csv"),
        (("--csv", "a.csv", "--repeats", "0"), "at least 1"),
        (("--csv", "a.csv", "--threshold", "2"), "between 0 and 1"),
        (("--csv", "a.csv", "--test-size", "1.5"), "strictly between 0 and 1"),
        ((), "--csv FILE"),
    ],
)
def test_it_refuses_bad_evaluate_arguments(args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        run("spam_evaluate", *args)


def test_it_refuses_a_missing_file_when_evaluating():
    with pytest.raises(CommandError, match="no such file"):
        run("spam_evaluate", "--csv", "/nonexistent/rows.csv")


def test_it_names_the_row_of_a_bad_label_when_evaluating(tmp_path):
    path = write(tmp_path, "text,label\ncasino,spam\nendorse,yes\n")
    with pytest.raises(CommandError, match=r"row 3: unknown label 'yes'"):
        run("spam_evaluate", "--csv", path)


def test_it_refuses_a_file_that_is_not_utf8_when_evaluating(tmp_path):
    path = write(tmp_path, "text,label\nполиция,ham\n".encode("cp1251"))  # noqa: RUF001 - Russian
    with pytest.raises(CommandError, match="not UTF-8"):
        run("spam_evaluate", "--csv", path)


def test_it_refuses_a_file_without_a_text_column_when_evaluating(tmp_path):
    with pytest.raises(CommandError, match="no 'text' column"):
        run("spam_evaluate", "--csv", write(tmp_path, "comment,label\ncasino,spam\n"))
