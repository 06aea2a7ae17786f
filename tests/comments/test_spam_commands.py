"""manage.py spam_train and spam_evaluate."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from comments import classifier
from comments.models import ClassifierTotals, ModerationEvent, OrgComment, SpamToken, State, TrainedComment
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "spam-sample.csv"
METRIC_NAMES = ("accuracy", "precision", "recall", "F1", "MCC")


def run(command: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def metrics_in(output: str) -> dict[str, float]:
    return {
        name: float(value)
        for name, value in re.findall(r"^(accuracy|precision|recall|F1|MCC)\s+(-?[\d.]+)$", output, re.M)
    }


def write(tmp_path, content: str | bytes, name: str = "rows.csv") -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def snapshot() -> tuple[list, list]:
    return (
        list(SpamToken.objects.order_by("token").values_list("token", "spam", "ham")),
        list(ClassifierTotals.objects.order_by("label").values_list("label", "documents")),
    )


# --- the sample file -------------------------------------------------------------------------


def test_it_ships_a_labelled_sample_with_about_40_percent_spam():
    rows = classifier.read_labelled_csv(SAMPLE)
    spam = sum(1 for _, label in rows if label == "spam")
    assert 100 <= len(rows) <= 150
    assert 0.35 <= spam / len(rows) <= 0.45


# --- spam_train ------------------------------------------------------------------------------


def test_it_trains_from_the_sample_file():
    out, _ = run("spam_train", "--csv", str(SAMPLE))
    assert "Learned 48 spam and 72 ham documents" in out
    assert f"{SpamToken.objects.count()} tokens" in out
    assert dict(ClassifierTotals.objects.values_list("label", "documents")) == {"spam": 48, "ham": 72}


def test_it_adds_to_what_was_learned_unless_reset():
    run("spam_train", "--csv", str(SAMPLE))
    run("spam_train", "--csv", str(SAMPLE))
    assert dict(ClassifierTotals.objects.values_list("label", "documents")) == {"spam": 96, "ham": 144}
    out, _ = run("spam_train", "--csv", str(SAMPLE), "--reset")
    assert dict(ClassifierTotals.objects.values_list("label", "documents")) == {"spam": 48, "ham": 72}
    assert "now knows 48 spam and 72 ham documents" in out


def test_it_shows_progress_for_large_files(tmp_path):
    rows = "".join(f"casino bonus {n},spam\nwe endorse {n},ham\n" for n in range(300))
    _, err = run("spam_train", "--csv", write(tmp_path, "text,label\n" + rows))
    lines = [line for line in err.splitlines() if line.startswith("Training:")]
    assert lines[0] == "Training: 60/600"
    assert lines[-1] == "Training: 600/600"
    assert len(lines) == 10


def test_it_shows_no_progress_for_small_files():
    _, err = run("spam_train", "--csv", str(SAMPLE))
    assert "Training:" not in err


def test_it_rebuilds_from_decisions(section, coordinator):
    classifier.learn_texts([("stale", "spam")])
    comment = approved_comment(section, text="casino bonus spins")
    ModerationEvent.objects.create(
        comment=comment, actor=coordinator, action="spam", old_state="approved", new_state="spam"
    )
    OrgComment.objects.filter(pk=comment.pk).update(state=State.SPAM)
    out, _ = run("spam_train", "--rebuild")
    assert "Learned 1 spam and 0 ham documents" in out
    assert TrainedComment.objects.get().label == "spam"
    assert not SpamToken.objects.filter(token="stale").exists()


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
    assert not SpamToken.objects.exists()


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


def test_it_keeps_what_was_learned_when_a_reset_fails(tmp_path):
    run("spam_train", "--csv", str(SAMPLE))
    before = snapshot()
    with pytest.raises(CommandError):
        run("spam_train", "--reset", "--csv", write(tmp_path, "text,label\ncasino,nope\n"))
    assert snapshot() == before


# --- spam_evaluate ---------------------------------------------------------------------------


def test_it_evaluates_the_stored_classifier_after_training():
    run("spam_train", "--csv", str(SAMPLE))
    out, _ = run("spam_evaluate", "--csv", str(SAMPLE))
    metrics = metrics_in(out)
    assert set(metrics) == set(METRIC_NAMES)
    # Scored on its own training data, it should be nearly perfect.
    assert metrics["F1"] > 0.95
    assert "Evaluated 120 rows (48 spam, 72 ham)" in out
    assert "Confusion matrix" in out


def test_it_evaluates_a_held_out_share_and_rolls_back():
    run("spam_train", "--csv", str(SAMPLE))
    before = snapshot()
    tokens = SpamToken.objects.count()
    out, err = run("spam_evaluate", "--csv", str(SAMPLE), "--test-size", "0.3", "--seed", "1")
    assert SpamToken.objects.count() == tokens
    assert snapshot() == before
    metrics = metrics_in(out)
    assert set(metrics) == set(METRIC_NAMES)
    assert all(re.search(rf"^{name}\s+-?\d\.\d{{3}}$", out, re.M) for name in METRIC_NAMES)
    assert "Evaluated 36 rows" in out
    assert "Training an empty classifier on 84 rows and testing on 36 (seed 1)" in err
    assert metrics["F1"] > 0.8


def test_it_leaves_an_empty_classifier_empty_after_a_held_out_evaluation():
    run("spam_evaluate", "--csv", str(SAMPLE), "--test-size", "0.3", "--seed", "1")
    assert not SpamToken.objects.exists()
    assert not ClassifierTotals.objects.exists()


def test_it_splits_the_same_way_for_the_same_seed():
    first, _ = run("spam_evaluate", "--csv", str(SAMPLE), "--test-size", "0.3", "--seed", "7")
    second, _ = run("spam_evaluate", "--csv", str(SAMPLE), "--test-size", "0.3", "--seed", "7")
    assert first == second


def test_it_can_train_on_top_of_the_stored_classifier():
    run("spam_train", "--csv", str(SAMPLE))
    before = snapshot()
    out, err = run("spam_evaluate", "--csv", str(SAMPLE), "--test-size", "0.3", "--seed", "1", "--keep-learned")
    assert "the stored classifier" in err
    assert snapshot() == before
    # The test rows were learned before, so this measures memory, not generalisation.
    assert metrics_in(out)["F1"] > 0.9


def test_it_prints_the_confusion_matrix(tmp_path):
    classifier.learn_texts([(f"casino bonus spins {n}", "spam") for n in range(5)])
    classifier.learn_texts([(f"we endorse the note {n}", "ham") for n in range(5)])
    path = write(tmp_path, "text,label\ncasino spins,spam\nwe endorse,ham\nthe note,spam\n")
    out, _ = run("spam_evaluate", "--csv", path)
    assert re.search(r"^\s+spam\s+1\s+1$", out, re.M)
    assert re.search(r"^\s+ham\s+0\s+1$", out, re.M)
    assert "Ham flagged as spam: 0 of 1" in out


def test_it_uses_the_threshold(tmp_path):
    classifier.learn_texts([(f"casino bonus spins {n}", "spam") for n in range(5)])
    classifier.learn_texts([(f"we endorse the note {n}", "ham") for n in range(5)])
    path = write(tmp_path, "text,label\ncasino spins,spam\n")
    out, _ = run("spam_evaluate", "--csv", path, "--threshold", "1")
    assert re.search(r"^recall\s+0\.000$", out, re.M)


@pytest.mark.parametrize("size", ["0", "1", "1.5", "-0.2"])
def test_it_refuses_a_test_size_outside_zero_and_one(size):
    with pytest.raises(CommandError, match="strictly between 0 and 1"):
        run("spam_evaluate", "--csv", str(SAMPLE), "--test-size", size)


def test_it_refuses_a_test_size_that_leaves_nothing_to_test(tmp_path):
    path = write(tmp_path, "text,label\ncasino,spam\nendorse,ham\n")
    with pytest.raises(CommandError, match="nothing to test on"):
        run("spam_evaluate", "--csv", path, "--test-size", "0.1")


def test_it_refuses_a_threshold_outside_zero_and_one():
    with pytest.raises(CommandError, match="--threshold"):
        run("spam_evaluate", "--csv", str(SAMPLE), "--threshold", "2")


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


def test_it_shows_progress_when_evaluating(tmp_path):
    rows = "".join(f"casino bonus {n},spam\nwe endorse {n},ham\n" for n in range(600))
    _, err = run("spam_evaluate", "--csv", write(tmp_path, "text,label\n" + rows), "--test-size", "0.5", "--seed", "3")
    assert "Training: 600/600" in err
    assert "Scoring: 600/600" in err
