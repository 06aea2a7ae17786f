"""The spam classifier: abstaining, scoring, explaining, learning from decisions, sharing one stored model."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.db import connection

from comments import classifier, screening, services
from comments.classifier import Metrics
from comments.models import ClassifierModel, LabelledText, ModerationEvent, OrgComment, State
from tests.comments.builders import approved_comment

CORPUS = Path(__file__).resolve().parents[1] / "data" / "comments-corpus.csv"


@pytest.fixture
def corpus():
    return classifier.read_labelled_csv(CORPUS)


@pytest.fixture
def trained(db, corpus):
    """A model fitted on the project's corpus and stored as the newest version."""
    return classifier.import_texts(corpus)


def test_it_abstains_when_untrained(db):
    assert classifier.spam_probability("Best casino bonus, free spins") is None
    assert classifier.judge("anything") is None
    assert screening.check_classifier(OrgComment(comment="Best casino bonus, free spins")).score == 0.0


def test_it_abstains_below_the_minimum_of_each_label(db, corpus, settings):
    settings.COMMENTS_CLASSIFIER_MIN_EXAMPLES = 20
    spam = [row for row in corpus if row[1] == "spam"][:19]
    ham = [row for row in corpus if row[1] == "ham"][:100]
    row = classifier.import_texts(spam + ham)
    assert row.pipeline is None and row.spam_examples == 19
    assert classifier.spam_probability("Best casino bonus") is None
    assert classifier.summary()["abstains"]


def test_it_scores_spam_high_and_comments_low_in_four_languages(trained):
    assert classifier.spam_probability("Free spins and a casino bonus, register now at lucky-win.bet") > 0.7
    assert classifier.spam_probability("Купить диплом недорого, доставка по всей России") > 0.5
    for text in (
        "We endorse the note and ask for stronger wording on police violence.",
        "Nous soutenons la note au nom de notre association.",
        "Apoyamos la despenalización del trabajo sexual.",
        "Мы поддерживаем эту записку и просим добавить раздел о мигрантах.",  # noqa: RUF001
    ):
        assert classifier.spam_probability(text) < 0.5, text


def test_its_probabilities_are_calibrated_enough_to_mean_what_they_say(trained, corpus):
    """On its own training data the model is sure of little it gets wrong: a spam probability above
    0.9 is almost always spam."""
    scores = classifier.spam_probabilities([text for text, _ in corpus])
    confident = [label for (_, label), score in zip(corpus, scores, strict=True) if score > 0.9]
    assert confident and confident.count("ham") == 0


def test_it_names_the_words_that_weighed_most(trained):
    text = "Best online casino, free spins bonus today"
    judgement = classifier.judge(text)
    assert judgement.probability > 0.5
    assert judgement.words and set(judgement.words) <= set(text.casefold().replace(",", "").split())
    endorsement = classifier.judge("We endorse the note on behalf of our collective of sex workers")
    assert endorsement.probability < 0.5 and not set(endorsement.words) & set(judgement.words)


def test_a_screening_shows_what_the_classifier_contributed_and_why(trained, section):
    comment = approved_comment(section, text="Online casino bonus 300 free spins, register now at spins-777.win")
    result = screening.check_classifier(comment)
    assert result.score > 0 and result.code in {"classifier-words", "classifier-sure"}
    assert result.params["words"] != "-" and result.params["words"] in result.reason


def test_it_stores_every_fit_as_a_new_version_with_its_figures(trained, corpus):
    assert trained.version == 1 and trained.spam_examples + trained.ham_examples == len(corpus)
    assert trained.metrics["mcc"] > 0.7
    again = classifier.retrain(force=True)
    assert again.version == 2 and ClassifierModel.objects.count() == 2


def test_a_retrain_with_nothing_new_is_skipped(trained):
    """Many decisions queue many tasks; once one of them has fitted, the others find nothing new."""
    assert classifier.retrain() is None
    LabelledText.objects.create(text="one more casino bonus", label="spam")
    assert classifier.retrain().version == 2
    assert classifier.retrain() is None


def test_a_process_takes_up_a_newer_version_within_the_cache_delay(trained, settings):
    settings.COMMENTS_SCREENING_CACHE_SECONDS = 3600
    assert classifier.current().version == 1
    classifier.retrain(force=True)  # as in another process: this one's cache is forgotten by _store
    classifier.forget_model()
    assert classifier.current().version == 2
    ClassifierModel.objects.create(version=3, spam_examples=0, ham_examples=0)  # another process's fit
    assert classifier.current().version == 2  # kept for the delay: no query per comment
    settings.COMMENTS_SCREENING_CACHE_SECONDS = 0
    assert classifier.current().version == 3 and classifier.current().pipeline is None


@pytest.mark.django_db(transaction=True)
def test_two_workers_share_the_stored_model_and_switch_together(corpus, settings):
    """Two threads, each with its own database connection, stand for two worker processes: each loads
    the newest version from the database, and a new fit replaces it for both at once."""
    settings.COMMENTS_SCREENING_CACHE_SECONDS = 0
    classifier.import_texts(corpus)
    seen: list[tuple[int, bool]] = []

    def worker():
        try:
            model = classifier._load(ClassifierModel.objects.order_by("-version").values_list("version", flat=True)[0])
            seen.append((model.version, model.pipeline.predict_proba(["casino bonus free spins"])[0, 1] > 0.5))
        finally:
            connection.close()

    def run_two():
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    run_two()
    classifier.retrain(force=True)
    run_two()
    assert sorted(seen) == [(1, True), (1, True), (2, True), (2, True)]


# --- Learning from decisions ----------------------------------------------------------------


def decide(comment: OrgComment, state: str, actor) -> None:
    """Record a coordinator's decision in the audit log, as the services do, and apply it."""
    old_state = OrgComment.objects.values_list("state", flat=True).get(pk=comment.pk)
    ModerationEvent.objects.create(comment=comment, actor=actor, action="spam", old_state=old_state, new_state=state)
    OrgComment.objects.filter(pk=comment.pk).update(state=state)


def test_it_learns_current_decisions_and_unlearns_reversed_ones(section, coordinator):
    spam = approved_comment(section, text="casino bonus spins")
    ham = approved_comment(section, text="we endorse the note")
    system = approved_comment(section, text="approved by the screening alone")
    decide(spam, State.SPAM, coordinator)
    decide(ham, State.APPROVED, coordinator)
    assert sorted(classifier.training_rows()) == [("casino bonus spins", "spam"), ("we endorse the note", "ham")]
    assert system.comment not in dict(classifier.training_rows())
    decide(spam, State.REVIEW, coordinator)  # "not spam": a person wrote it
    assert dict(classifier.training_rows())["casino bonus spins"] == "ham"
    decide(spam, State.WITHDRAWN, coordinator)
    assert "casino bonus spins" not in dict(classifier.training_rows())


def test_a_coordinator_decision_queues_a_delayed_retrain(section, coordinator, django_capture_on_commit_callbacks):
    from unittest import mock

    comment = approved_comment(section, text="Cheap pills at http://pills.example")
    with (
        mock.patch("comments.tasks.train_classifier.apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.comment_mark_spam(comment=comment, by=coordinator, reason="test")
    queued.assert_called_once()
    assert queued.call_args.kwargs["countdown"] >= 0 and not queued.call_args.args


def test_the_training_task_fits_once_for_a_burst_of_decisions(section, coordinator, corpus):
    from comments import tasks

    LabelledText.objects.bulk_create(LabelledText(text=text, label=label) for text, label in corpus)
    for n in range(3):
        decide(approved_comment(section, text=f"casino bonus {n}"), State.SPAM, coordinator)
    assert tasks.train_classifier() == 1
    assert tasks.train_classifier() is None
    assert tasks.train_classifier() is None
    assert ClassifierModel.objects.count() == 1


# --- metrics ---------------------------------------------------------------------------------


def test_it_computes_metrics_from_a_confusion_matrix():
    metrics = Metrics.from_counts(tp=40, fp=5, tn=45, fn=10)
    assert metrics.accuracy == pytest.approx(0.85)
    assert metrics.precision == pytest.approx(40 / 45)
    assert metrics.recall == pytest.approx(0.8)
    # 2PR / (P + R) = 2 * 0.8889 * 0.8 / 1.6889
    assert metrics.f1 == pytest.approx(0.842105, abs=1e-6)
    # (40*45 - 5*10) / sqrt(45 * 50 * 50 * 55) = 1750 / 2487.4686
    assert metrics.mcc == pytest.approx(0.703527, abs=1e-6)
    assert metrics.false_positive_rate == pytest.approx(0.1)


def test_it_gives_a_perfect_score_for_perfect_predictions():
    metrics = Metrics.from_counts(tp=3, fp=0, tn=7, fn=0)
    assert (metrics.accuracy, metrics.precision, metrics.recall, metrics.f1, metrics.mcc) == (1, 1, 1, 1, 1)


def test_it_gives_minus_one_mcc_for_inverted_predictions():
    assert Metrics.from_counts(tp=0, fp=4, tn=0, fn=6).mcc == pytest.approx(-1.0)


def test_it_returns_zeros_for_an_empty_matrix():
    metrics = Metrics.from_counts(tp=0, fp=0, tn=0, fn=0)
    assert (metrics.accuracy, metrics.precision, metrics.recall, metrics.f1, metrics.mcc) == (0, 0, 0, 0, 0)
    assert metrics.false_positive_rate == 0.0


def test_it_returns_zero_where_nothing_is_predicted_spam():
    metrics = Metrics.from_counts(tp=0, fp=0, tn=10, fn=0)
    assert metrics.accuracy == 1.0
    assert (metrics.precision, metrics.recall, metrics.f1, metrics.mcc) == (0, 0, 0, 0)


def test_it_returns_zero_mcc_when_everything_is_predicted_spam():
    metrics = Metrics.from_counts(tp=6, fp=4, tn=0, fn=0)
    assert metrics.precision == pytest.approx(0.6)
    assert metrics.recall == 1.0
    assert metrics.mcc == 0.0


def test_it_evaluates_rows_against_the_stored_classifier(trained):
    rows = [("Free casino spins bonus http://x.top", "spam"), ("We endorse the guidance note on HIV", "ham")]
    metrics = classifier.evaluate(rows)
    assert (metrics.tp, metrics.fp, metrics.tn, metrics.fn) == (1, 0, 1, 0)


@pytest.mark.django_db
def test_it_predicts_ham_when_it_has_no_opinion():
    metrics = classifier.evaluate([("casino", "spam"), ("endorse", "ham")])
    assert (metrics.tp, metrics.fp, metrics.tn, metrics.fn) == (0, 0, 1, 1)


def test_it_applies_the_threshold(trained):
    rows = [("Free casino spins bonus http://x.top", "spam")]
    assert classifier.evaluate(rows, threshold=1.0).fn == 1


def test_repeated_stratified_splits_keep_the_share_of_spam(corpus):
    for train, test in classifier.splits(corpus, repeats=3, test_size=0.3, seed=1):
        share = sum(label == "spam" for _, label in test) / len(test)
        assert abs(share - 102 / 248) < 0.02 and len(train) + len(test) == len(corpus)


def test_it_reports_the_mean_and_the_worst_over_repeats():
    good, bad = Metrics.from_counts(tp=9, fp=0, tn=10, fn=1), Metrics.from_counts(tp=5, fp=2, tn=8, fn=5)
    assert classifier.mean_and_minimum([good, bad], "mcc")[1] == bad.mcc
    assert classifier.mean_and_minimum([good, bad], "false_positive_rate") == (0.1, 0.2)


# --- labels and files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "label"),
    [("spam", "spam"), (" SPAM ", "spam"), ("1", "spam"), (1, "spam"), ("Ham", "ham"), ("0", "ham"), (0, "ham")],
)
def test_it_parses_labels(value, label):
    assert classifier.parse_label(value) == label


@pytest.mark.parametrize("value", ["", "maybe", "2", "spam!", None, "yes"])
def test_it_refuses_unknown_labels(value):
    with pytest.raises(ValueError, match="expected spam, ham, 1 or 0"):
        classifier.parse_label(value)


def write(tmp_path, content: str | bytes, name: str = "sample.csv"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_it_reads_a_labelled_file(tmp_path):
    content = 'text,label\n"Casino, bonus",spam\n"Line one\nline two",0\nМы поддерживаем,ham\n'  # noqa: RUF001 - Russian
    path = write(tmp_path, content)
    assert classifier.read_labelled_csv(path) == [
        ("Casino, bonus", "spam"),
        ("Line one\nline two", "ham"),
        ("Мы поддерживаем", "ham"),
    ]


def test_it_reads_a_file_with_a_byte_order_mark_and_extra_columns(tmp_path):
    path = write(tmp_path, "\ufeffid, Label ,Text,source\n1,SPAM,casino,web\n\n2,ham,endorse,mail\n")
    assert classifier.read_labelled_csv(path) == [("casino", "spam"), ("endorse", "ham")]


def test_it_names_the_row_of_an_unknown_label(tmp_path):
    path = write(tmp_path, "text,label\ncasino,spam\nendorse,maybe\n")
    with pytest.raises(ValueError, match=r"row 3: unknown label 'maybe'"):
        classifier.read_labelled_csv(path)


def test_it_names_a_missing_column(tmp_path):
    path = write(tmp_path, "text,category\ncasino,spam\n")
    with pytest.raises(ValueError, match="no 'label' column"):
        classifier.read_labelled_csv(path)


def test_it_refuses_a_file_that_is_not_utf8(tmp_path):
    path = write(tmp_path, "text,label\nnous approuvons la note,ham\npénalisation,ham\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"not UTF-8.*line 3"):
        classifier.read_labelled_csv(path)


def test_it_refuses_an_empty_file(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        classifier.read_labelled_csv(write(tmp_path, ""))


def test_it_refuses_an_empty_text(tmp_path):
    with pytest.raises(ValueError, match="row 2: the text is empty"):
        classifier.read_labelled_csv(write(tmp_path, "text,label\n ,spam\n"))
