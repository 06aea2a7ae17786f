"""The naive Bayes spam classifier: tokens, scores, learning from decisions, rebuilds, metrics, files."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from comments import classifier
from comments.classifier import Metrics
from comments.models import ClassifierTotals, ModerationEvent, OrgComment, SpamToken, State, TrainedComment
from tests.comments.builders import approved_comment

SPAM_TEXTS = [
    "Best online casino bonus, free spins today at http://spin-casino.top",
    "Online casino with free spins and a huge welcome bonus http://casino-win.top",
    "Cheap viagra online casino bonus, free spins, visit http://cheap-pills.top",
    "Win money at the casino today, free bonus and spins http://lucky-casino.top",
    "Crypto casino bonus: free spins, instant payout http://crypto-spin.top",
    "Free casino spins and bonus codes every day http://bonus-codes.top",
]
HAM_TEXTS = [
    "We endorse the guidance note: decriminalisation of sex work protects health and rights.",
    "Our organisation of sex workers supports the section on HIV services with one amendment.",
    "We are concerned that the note on HIV testing allows compulsory testing of sex workers.",
    "The working group rightly puts sex worker organisations at the centre of the HIV response.",
    "Sex workers need community-led services; we endorse this section of the guidance note.",
    "Police raids undermine HIV prevention; our network supports the note on decriminalisation.",
]


def learn_examples() -> None:
    classifier.learn_texts([(text, "spam") for text in SPAM_TEXTS] + [(text, "ham") for text in HAM_TEXTS])


def counts(token: str) -> tuple[int, int]:
    row = SpamToken.objects.filter(token=token).values_list("spam", "ham").first()
    return row or (0, 0)


def totals() -> dict[str, int]:
    return {**dict.fromkeys(["spam", "ham"], 0), **dict(ClassifierTotals.objects.values_list("label", "documents"))}


# --- tokenize --------------------------------------------------------------------------------


def test_it_casefolds_words():
    assert classifier.tokenize("Sex WORKERS Straße") == {"sex", "workers", "strasse"}


def test_it_keeps_cyrillic_and_arabic_words():
    tokens = classifier.tokenize("Мы поддерживаем документ. ندعم الوثيقة")
    assert {"мы", "поддерживаем", "документ", "ندعم", "الوثيقة"} <= tokens


def test_it_counts_each_token_once():
    assert classifier.tokenize("casino casino CASINO") == {"casino"}


def test_it_drops_one_letter_and_very_long_words():
    tokens = classifier.tokenize("a b " + "x" * 41 + " ok " + "y" * 40)
    assert tokens == {"ok", "y" * 40}


def test_it_splits_on_punctuation_and_underscores():
    assert classifier.tokenize("l'approche, community-led; foo_bar") == {"approche", "community", "led", "foo", "bar"}


def test_it_turns_a_link_into_link_and_domain_tokens():
    tokens = classifier.tokenize("See https://www.Example.org/path?q=1 for details.")
    assert {"__link__", "__domain:example.org", "see", "for", "details"} == tokens


def test_it_recognises_www_and_bare_domains():
    tokens = classifier.tokenize("visit www.pills.example and cheap-pills.shop/buy now")
    assert {"__domain:pills.example", "__domain:cheap-pills.shop", "__link__"} <= tokens
    assert "shop" not in tokens


def test_it_does_not_take_an_email_address_for_a_link():
    assert "__link__" not in classifier.tokenize("write to contact@network.org please")


def test_it_flags_three_or_more_links():
    two = classifier.tokenize("http://a.example http://b.example")
    three = classifier.tokenize("http://a.example http://b.example http://c.example")
    assert "__many_links__" not in two
    assert "__many_links__" in three
    assert {"__domain:a.example", "__domain:b.example", "__domain:c.example"} <= three


def test_it_flags_shouting_but_not_acronyms():
    assert "__caps__" in classifier.tokenize("CLICK HERE TO WIN A FREE PHONE NOW")
    assert "__caps__" not in classifier.tokenize("HIV services, UNAIDS and WHO guidance for sex workers in our city")


def test_it_returns_no_tokens_for_empty_text():
    assert classifier.tokenize("") == set()
    assert classifier.tokenize("  !!! ") == set()


# --- spam_probability ------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_scores_a_similar_spam_text_high():
    learn_examples()
    assert classifier.spam_probability("Free spins and casino bonus today http://new-casino.top") > 0.8


@pytest.mark.django_db
def test_it_scores_a_similar_ham_text_low():
    learn_examples()
    assert classifier.spam_probability("Our network of sex workers endorses the guidance note on HIV.") < 0.2


@pytest.mark.django_db
def test_it_has_no_opinion_before_enough_documents():
    classifier.learn_texts([(text, "spam") for text in SPAM_TEXTS[: classifier.MIN_DOCUMENTS - 1]])
    classifier.learn_texts([(text, "ham") for text in HAM_TEXTS])
    assert classifier.spam_probability(SPAM_TEXTS[0]) == 0.5


@pytest.mark.django_db
def test_it_has_no_opinion_when_empty():
    assert classifier.spam_probability("casino") == 0.5


@pytest.mark.django_db
def test_it_falls_back_on_the_prior_for_unknown_words():
    learn_examples()
    classifier.learn_texts([("another endorsement", "ham")] * 4)
    # 6 spam, 10 ham learned: nothing known about these words, so the prior (6/16) decides.
    assert classifier.spam_probability("zzz qqq") == pytest.approx(6 / 16)


@pytest.mark.django_db
def test_it_does_not_lean_towards_spam_when_spam_outnumbers_ham():
    learn_examples()
    classifier.learn_texts([("more casino spam", "spam")] * 20)
    # 26 spam, 6 ham learned: a text in unknown words is not spam for that alone.
    assert classifier.spam_probability("Мы поддерживаем документ") == 0.5


@pytest.mark.django_db
def test_it_stays_within_zero_and_one_for_extreme_texts():
    learn_examples()
    probability = classifier.spam_probability(" ".join(SPAM_TEXTS) * 3)
    assert 0.0 <= probability <= 1.0


@pytest.mark.django_db
def test_it_runs_two_queries_to_score(django_assert_num_queries):
    learn_examples()
    with django_assert_num_queries(2):
        classifier.spam_probability("A long text about casino bonus and sex worker rights " * 20)


@pytest.mark.django_db
def test_it_scores_many_texts_like_one():
    learn_examples()
    texts = ["Free casino spins http://x.top", "We endorse the note", "nothing known"]
    assert classifier.spam_probabilities(texts) == [classifier.spam_probability(text) for text in texts]


# --- learn_texts -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_counts_documents_and_tokens_when_learning_texts():
    learned = classifier.learn_texts([("casino bonus", "spam"), ("casino night", "1"), ("we endorse", "HAM")])
    assert learned == 3
    assert totals() == {"spam": 2, "ham": 1}
    assert counts("casino") == (2, 0)
    assert counts("endorse") == (0, 1)


@pytest.mark.django_db
def test_it_adds_to_what_was_learned_before():
    classifier.learn_texts([("casino bonus", "spam")])
    classifier.learn_texts([("casino bonus", "spam"), ("casino talk", "ham")])
    assert counts("casino") == (2, 1)
    assert totals() == {"spam": 2, "ham": 1}


@pytest.mark.django_db
def test_it_resets_before_learning_texts_when_asked():
    classifier.learn_texts([("casino bonus", "spam")])
    classifier.learn_texts([("we endorse", "ham")], reset=True)
    assert totals() == {"spam": 0, "ham": 1}
    assert not SpamToken.objects.filter(token="casino").exists()


@pytest.mark.django_db
def test_it_refuses_an_unknown_label_and_learns_nothing():
    with pytest.raises(ValueError, match="maybe"):
        classifier.learn_texts([("casino", "spam"), ("text", "maybe")])
    assert SpamToken.objects.count() == 0


@pytest.mark.django_db
def test_it_reports_progress_while_learning_texts():
    seen = []
    classifier.learn_texts([("casino", "spam")] * 3, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


# --- learn(comment_id=...) -------------------------------------------------------------------


def set_state(comment: OrgComment, state: str) -> None:
    OrgComment.objects.filter(pk=comment.pk).update(state=state)


@pytest.mark.django_db
def test_it_learns_a_spam_decision(section):
    comment = approved_comment(section, text="Casino bonus with free spins")
    set_state(comment, State.SPAM)
    assert classifier.learn(comment_id=comment.pk) == "spam"
    assert counts("casino") == (1, 0)
    assert totals() == {"spam": 1, "ham": 0}
    assert TrainedComment.objects.get(comment=comment).label == "spam"


@pytest.mark.django_db
def test_it_unlearns_a_reversed_decision(section):
    comment = approved_comment(section, text="Casino bonus with free spins")
    set_state(comment, State.SPAM)
    classifier.learn(comment_id=comment.pk)
    set_state(comment, State.APPROVED)
    assert classifier.learn(comment_id=comment.pk) == "ham"
    assert counts("casino") == (0, 1)
    assert counts("spins") == (0, 1)
    assert totals() == {"spam": 0, "ham": 1}
    assert TrainedComment.objects.get(comment=comment).label == "ham"


@pytest.mark.django_db
def test_it_changes_nothing_when_learning_the_same_decision_twice(section):
    comment = approved_comment(section, text="Casino bonus with free spins")
    set_state(comment, State.SPAM)
    classifier.learn(comment_id=comment.pk)
    before = (list(SpamToken.objects.order_by("token").values_list("token", "spam", "ham")), totals())
    assert classifier.learn(comment_id=comment.pk) == "spam"
    after = (list(SpamToken.objects.order_by("token").values_list("token", "spam", "ham")), totals())
    assert after == before


@pytest.mark.django_db
@pytest.mark.parametrize("state", [State.APPROVED, State.REJECTED, State.REVIEW])
def test_it_learns_people_s_comments_as_ham(section, state):
    comment = approved_comment(section, text="Off topic, but written by a person")
    set_state(comment, state)
    assert classifier.learn(comment_id=comment.pk) == "ham"
    assert counts("person") == (0, 1)


@pytest.mark.django_db
@pytest.mark.parametrize("state", [State.PENDING, State.UNCONFIRMED, State.WITHDRAWN])
def test_it_unlearns_when_the_state_teaches_nothing(section, state):
    comment = approved_comment(section, text="We endorse the note")
    classifier.learn(comment_id=comment.pk)
    set_state(comment, state)
    assert classifier.learn(comment_id=comment.pk) is None
    assert counts("endorse") == (0, 0)
    assert totals() == {"spam": 0, "ham": 0}
    assert not TrainedComment.objects.filter(comment=comment).exists()


@pytest.mark.django_db
def test_it_records_nothing_for_a_comment_that_teaches_nothing(section):
    comment = approved_comment(section, text="Pending text")
    set_state(comment, State.PENDING)
    assert classifier.learn(comment_id=comment.pk) is None
    assert not TrainedComment.objects.exists()
    assert not SpamToken.objects.exists()


@pytest.mark.django_db
def test_it_ignores_a_comment_that_no_longer_exists():
    assert classifier.learn(comment_id=987654) is None


@pytest.mark.django_db
def test_it_keeps_other_comments_counts_when_unlearning(section):
    first = approved_comment(section, text="casino bonus")
    second = approved_comment(section, text="casino night")
    for comment in (first, second):
        set_state(comment, State.SPAM)
        classifier.learn(comment_id=comment.pk)
    set_state(first, State.REVIEW)
    classifier.learn(comment_id=first.pk)
    assert counts("casino") == (1, 1)
    assert counts("night") == (1, 0)
    assert counts("bonus") == (0, 1)
    assert totals() == {"spam": 1, "ham": 1}


@pytest.mark.django_db
def test_it_learns_through_the_coordinator_decision_task(section, coordinator, django_capture_on_commit_callbacks):
    from comments import services

    comment = approved_comment(section, text="Cheap pills at http://pills.example")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_mark_spam(comment=comment, by=coordinator, reason="test")
    assert TrainedComment.objects.get(comment=comment).label == "spam"
    assert counts("__domain:pills.example") == (1, 0)


# --- rebuild ---------------------------------------------------------------------------------


ACTIONS = {
    State.SPAM: ModerationEvent.Action.SPAM,
    State.APPROVED: ModerationEvent.Action.APPROVE,
    State.REJECTED: ModerationEvent.Action.REJECT,
    State.REVIEW: ModerationEvent.Action.NOT_SPAM,
    State.WITHDRAWN: ModerationEvent.Action.WITHDRAW,
}


def decide(comment: OrgComment, state: str, actor) -> None:
    """Record a decision in the audit log, as the services do, and apply it."""
    old_state = OrgComment.objects.values_list("state", flat=True).get(pk=comment.pk)
    ModerationEvent.objects.create(
        comment=comment, actor=actor, action=ACTIONS[state], old_state=old_state, new_state=state
    )
    set_state(comment, state)


@pytest.mark.django_db
def test_it_rebuilds_from_coordinator_decisions(section, coordinator):
    spam = approved_comment(section, text="casino bonus spins")
    ham = approved_comment(section, text="we endorse the note")
    rejected = approved_comment(section, text="an off topic event announcement")
    decide(spam, State.SPAM, coordinator)
    decide(ham, State.APPROVED, coordinator)
    decide(rejected, State.REJECTED, coordinator)
    learned = classifier.rebuild()
    assert learned == {"spam": 1, "ham": 2}
    assert totals() == {"spam": 1, "ham": 2}
    assert counts("casino") == (1, 0)
    assert counts("endorse") == (0, 1)
    assert counts("announcement") == (0, 1)
    assert dict(TrainedComment.objects.values_list("comment_id", "label")) == {
        spam.pk: "spam",
        ham.pk: "ham",
        rejected.pk: "ham",
    }


@pytest.mark.django_db
def test_it_skips_system_decisions_when_rebuilding(section, coordinator):
    approved_comment(section, text="approved by the system only")  # its event has no actor
    withdrawn = approved_comment(section, text="approved then withdrawn")
    decide(withdrawn, State.APPROVED, coordinator)
    decide(withdrawn, State.WITHDRAWN, None)
    assert classifier.rebuild() == {"spam": 0, "ham": 0}
    assert not SpamToken.objects.filter(token__in=["system", "withdrawn"]).exists()


@pytest.mark.django_db
def test_it_uses_the_latest_decision_when_rebuilding(section, coordinator):
    comment = approved_comment(section, text="casino bonus")
    decide(comment, State.SPAM, coordinator)
    decide(comment, State.APPROVED, coordinator)
    assert classifier.rebuild() == {"spam": 0, "ham": 1}
    assert counts("casino") == (0, 1)


@pytest.mark.django_db
def test_it_forgets_everything_else_when_rebuilding(section, coordinator):
    classifier.learn_texts([("stale token", "spam")])
    comment = approved_comment(section, text="casino bonus")
    decide(comment, State.SPAM, coordinator)
    classifier.rebuild(chunk_size=1)
    assert not SpamToken.objects.filter(token="stale").exists()
    assert totals() == {"spam": 1, "ham": 0}


@pytest.mark.django_db
def test_it_rebuilds_in_chunks_with_progress(section, coordinator):
    comments = [approved_comment(section, text=f"comment number {n}") for n in range(5)]
    for comment in comments:
        decide(comment, State.APPROVED, coordinator)
    seen = []
    assert classifier.rebuild(chunk_size=2, progress=lambda done, total: seen.append((done, total))) == {
        "spam": 0,
        "ham": 5,
    }
    assert seen == [(2, 5), (4, 5), (5, 5)]
    assert counts("comment") == (0, 5)


@pytest.mark.django_db
def test_it_gives_the_same_counts_as_learning_each_decision(section, coordinator):
    texts = {"casino spins": State.SPAM, "we endorse": State.APPROVED, "off topic": State.REJECTED}
    comments = []
    for text, state in texts.items():
        comment = approved_comment(section, text=text)
        decide(comment, state, coordinator)
        classifier.learn(comment_id=comment.pk)
        comments.append(comment)
    incremental = (list(SpamToken.objects.order_by("token").values_list("token", "spam", "ham")), totals())
    classifier.rebuild()
    rebuilt = (list(SpamToken.objects.order_by("token").values_list("token", "spam", "ham")), totals())
    assert rebuilt == incremental


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


@pytest.mark.django_db
def test_it_evaluates_rows_against_the_stored_classifier():
    learn_examples()
    rows = [("Free casino spins bonus http://x.top", "spam"), ("We endorse the guidance note on HIV", "ham")]
    metrics = classifier.evaluate(rows)
    assert (metrics.tp, metrics.fp, metrics.tn, metrics.fn) == (1, 0, 1, 0)


@pytest.mark.django_db
def test_it_predicts_ham_when_it_has_no_opinion():
    metrics = classifier.evaluate([("casino", "spam"), ("endorse", "ham")])
    assert (metrics.tp, metrics.fp, metrics.tn, metrics.fn) == (0, 0, 1, 1)


@pytest.mark.django_db
def test_it_applies_the_threshold():
    learn_examples()
    rows = [("Free casino spins bonus http://x.top", "spam")]
    assert classifier.evaluate(rows, threshold=1.0).fn == 1


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


# --- concurrent workers ----------------------------------------------------------------------


def run_concurrently(calls) -> list:
    """Run each call in its own thread (and database connection), all released at once."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def work(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_it_loses_no_count_when_workers_learn_at_once(section):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers need PostgreSQL")
    comments = [approved_comment(section, text=f"casino bonus spins offer {n}") for n in range(6)]
    for comment in comments:
        set_state(comment, State.SPAM)
    # Every comment learned twice at once, as a retried task would.
    run_concurrently([lambda pk=c.pk: classifier.learn(comment_id=pk) for c in comments * 2])
    assert counts("casino") == (6, 0)
    assert totals() == {"spam": 6, "ham": 0}
    for comment in comments:
        set_state(comment, State.APPROVED)
    run_concurrently([lambda pk=c.pk: classifier.learn(comment_id=pk) for c in comments * 2])
    assert counts("casino") == (0, 6)
    assert counts("offer") == (0, 6)
    assert totals() == {"spam": 0, "ham": 6}
    assert TrainedComment.objects.filter(label="ham").count() == 6


class FakeDeadlock(Exception):
    sqlstate = "40P01"


def deadlock() -> OperationalError:
    error = OperationalError("deadlock detected")
    error.__cause__ = FakeDeadlock()
    return error


@pytest.mark.django_db(transaction=True)
def test_it_retries_a_transaction_aborted_by_a_deadlock(section, monkeypatch):
    comment = approved_comment(section, text="We endorse the note")
    real = classifier._learn_once
    calls = []

    def flaky(comment_id):
        calls.append(comment_id)
        if len(calls) == 1:
            raise deadlock()
        return real(comment_id)

    monkeypatch.setattr(classifier, "_learn_once", flaky)
    assert classifier.learn(comment_id=comment.pk) == "ham"
    assert len(calls) == 2
    assert counts("endorse") == (0, 1)


@pytest.mark.django_db(transaction=True)
def test_it_gives_up_after_a_few_deadlocks(monkeypatch):
    calls = []

    def always_deadlocked(comment_id):
        calls.append(comment_id)
        raise deadlock()

    monkeypatch.setattr(classifier, "_learn_once", always_deadlocked)
    with pytest.raises(OperationalError):
        classifier.learn(comment_id=1)
    assert len(calls) == classifier.LEARN_ATTEMPTS


@pytest.mark.django_db
def test_it_does_not_retry_inside_a_callers_transaction(monkeypatch):
    calls = []

    def failing(comment_id):
        calls.append(comment_id)
        raise deadlock()

    monkeypatch.setattr(classifier, "_learn_once", failing)
    with pytest.raises(OperationalError):
        classifier.learn(comment_id=1)
    assert calls == [1]


@pytest.mark.django_db(transaction=True)
def test_it_does_not_retry_other_database_errors(monkeypatch):
    calls = []

    def failing(comment_id):
        calls.append(comment_id)
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(classifier, "_learn_once", failing)
    with pytest.raises(OperationalError):
        classifier.learn(comment_id=1)
    assert calls == [1]
