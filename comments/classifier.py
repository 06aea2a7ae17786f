"""The spam classifier: a scikit-learn pipeline, fitted in the background and stored in the database.

Features: TF-IDF weights of character n-grams (2 to 5 letters, inside word boundaries) and of
words and word pairs. Character n-grams suit short, multilingual comments: they see "crypto" in
"cryptocurrency" and "криптовалюта" alike, survive spelling games ("c4sino"), and need no
language-specific tokenizer. Model: logistic regression with balanced class weights, whose
probabilities are calibrated by construction (log loss), so the screening can add a score that
means what it says.

What it learns from, every time it is fitted: the current state of each comment whose latest
audit event is a coordinator's decision (so a reversed decision is unlearned by the next
retrain), and the labelled texts imported with ``manage.py spam_train --csv``. Rejected comments
count as ham: people, not bots, write off-topic or abusive comments, and teaching the filter that
people's words are spam is how it would start silencing real organisations.

Each fit is stored as a new ``ClassifierModel`` row, with its version, training size and held-out
figures. Every process uses the newest version: it keeps the unpickled pipeline and checks the
version at most every ``COMMENTS_SCREENING_CACHE_SECONDS`` with one indexed query. Below
``COMMENTS_CLASSIFIER_MIN_EXAMPLES`` of either label, the stored row has no pipeline and the
classifier abstains: no score at all, rather than a guess.
"""

from __future__ import annotations

import contextlib
import csv
import heapq
import io
import math
import pickle
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from comments.models import ClassifierModel, LabelledText, ModerationEvent, OrgComment, State

SPAM = "spam"
HAM = "ham"
LABELS = (SPAM, HAM)

# States a coordinator's decision can leave a comment in, and what each teaches.
_LABEL_FOR_STATE: dict[str, str] = {
    State.SPAM: SPAM,
    State.APPROVED: HAM,
    # Off-topic or abusive, but written by a person: see the module docstring.
    State.REJECTED: HAM,
    # Back in the queue after "not spam": a coordinator said a person wrote it.
    State.REVIEW: HAM,
}

# The classifier reads this many characters of a text: spam shows itself early, and the cost of
# scoring grows with the length. 400 scored as well as 1,000 on both corpora (README, "Screening")
# and takes half the time in a screening.
MAX_CHARACTERS = 400
# How many words of a text the explanation names.
EXPLAINED_WORDS = 4
# How many of a text's n-grams, the strongest for its verdict, the explanation shares out among its words.
EXPLAINING_NGRAMS = 150
# Words whose character n-grams a process keeps (about 40 MB at most); the cache starts again past it.
GRAM_CACHE_WORDS = 50_000
SAVE_ATTEMPTS = 3
_WORD = re.compile(r"[^\W_]{2,}")

Progress = Callable[[int, int | None], None]


def label_for_state(state: str) -> str | None:
    """Return what a comment in this state teaches ("spam", "ham"), or None for nothing."""
    return _LABEL_FOR_STATE.get(state)


# --- The model -------------------------------------------------------------------------------


def build_pipeline():
    """An unfitted pipeline: character and word n-grams, then a logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, max_features=150_000
                ),
            ),
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, max_features=50_000)),
        ]
    )
    model = LogisticRegression(C=20.0, class_weight="balanced", solver="lbfgs", max_iter=1000)
    return Pipeline([("features", features), ("model", model)])


def fit(rows: list[tuple[str, str]]):
    """Fit a new pipeline on (text, label) rows; None when either label has too few examples."""
    counts = _label_counts(rows)
    if min(counts.values()) < settings.COMMENTS_CLASSIFIER_MIN_EXAMPLES:
        return None
    pipeline = build_pipeline()
    # Spam is the positive class (1), so predict_proba's second column is the spam probability.
    pipeline.fit([text[:MAX_CHARACTERS] for text, _ in rows], [int(label == SPAM) for _, label in rows])
    return pipeline


def _label_counts(rows: list[tuple[str, str]]) -> dict[str, int]:
    counts = dict.fromkeys(LABELS, 0)
    for _, label in rows:
        counts[label] += 1
    return counts


@dataclass
class Loaded:
    """A stored model as a process keeps it: the pipeline (None: abstaining) and what it learned from."""

    version: int
    pipeline: object | None
    spam_examples: int = 0
    ham_examples: int = 0
    _weights: list | None = None
    # Each word's character n-grams, as the model's character analyzer makes them: a text's n-grams are
    # its words' (char_wb pads and cuts each whitespace-separated word on its own), and the same words
    # come back comment after comment, so a worker cuts each word once.
    _grams: dict = field(default_factory=dict)

    @property
    def examples(self) -> int:
        return min(self.spam_examples, self.ham_examples)

    def weights(self) -> list[tuple[Callable[[str], list[str]], dict[str, tuple[float, float]]]]:
        """For each vectorizer: its analyzer, and for each n-gram its IDF and its coefficient in the model.

        Built once per model. Scoring one text with them is a few dictionary look-ups per n-gram:
        what the pipeline computes, without the checks and sparse matrices that cost scikit-learn a
        few milliseconds per call, which a screening task calls once.
        """
        if self._weights is None:
            coefficients = self.pipeline.named_steps["model"].coef_[0]
            offset, weights = 0, []
            for _, vectorizer in self.pipeline.named_steps["features"].transformer_list:
                table = {
                    feature: (float(vectorizer.idf_[column]), float(coefficients[offset + column]))
                    for feature, column in vectorizer.vocabulary_.items()
                }
                weights.append((vectorizer.build_analyzer(), table))
                offset += len(vectorizer.vocabulary_)
            self._weights = weights
        return self._weights

    def contributions(self, text: str) -> tuple[float, list[tuple[str, str, float]]]:
        """The model's log-odds for a text, and each known n-gram's share of it (vectorizer, n-gram, share)."""
        log_odds = float(self.pipeline.named_steps["model"].intercept_[0])
        shares = []
        for index, (analyze, table) in enumerate(self.weights()):
            counts = Counter(self.char_grams(text) if index == 0 else analyze(text))
            # sublinear_tf, then L2 normalisation over the text's known features, as TfidfVectorizer does.
            values = {
                feature: (1.0 + math.log(n)) * table[feature][0] for feature, n in counts.items() if feature in table
            }
            norm = math.sqrt(sum(value * value for value in values.values())) or 1.0
            for feature, value in values.items():
                share = value / norm * table[feature][1]
                log_odds += share
                shares.append(("chars" if index == 0 else "words", feature, share))
        return log_odds, shares

    def word_grams(self, word: str) -> list[str]:
        """One word's character n-grams that the model knows (kept for the next text that has it)."""
        grams = self._grams.get(word)
        if grams is None:
            if len(self._grams) >= GRAM_CACHE_WORDS:
                self._grams.clear()
            analyze, table = self.weights()[0]
            grams = self._grams[word] = [gram for gram in analyze(word) if gram in table]
        return grams

    def char_grams(self, text: str) -> list[str]:
        """A text's known character n-grams: what the character analyzer gives for the whole text, word by
        word (n-grams the model never saw weigh nothing, so they are left out)."""
        return [gram for word in text.split() for gram in self.word_grams(word)]


UNTRAINED = Loaded(version=0, pipeline=None)

# (checked at, model): the model this process uses, and when the newest version was last looked up.
_kept: tuple[float, Loaded] | None = None
_override: Loaded | None = None


def current() -> Loaded:
    """The newest stored model, kept in this process; the version is looked up at most every few seconds.

    Looking up the version is one indexed query; the pipeline is read and unpickled only when a
    newer version appears, so a retrain elsewhere takes over here within
    ``COMMENTS_SCREENING_CACHE_SECONDS``.
    """
    global _kept
    if _override is not None:
        return _override
    now = time.monotonic()
    if _kept is not None and now - _kept[0] <= settings.COMMENTS_SCREENING_CACHE_SECONDS:
        return _kept[1]
    newest = ClassifierModel.objects.order_by("-version").values_list("version", flat=True).first()
    model = _kept[1] if _kept is not None else UNTRAINED
    if newest is None:
        model = UNTRAINED
    elif newest != model.version:
        model = _load(newest)
    _kept = (now, model)
    return model


def _load(version: int) -> Loaded:
    row = ClassifierModel.objects.filter(version=version).first()
    if row is None:
        return UNTRAINED
    # Only this site writes these bytes (``_store``): the database is as trusted as the code.
    pipeline = pickle.loads(bytes(row.pipeline)) if row.pipeline else None  # noqa: S301
    return Loaded(row.version, pipeline, row.spam_examples, row.ham_examples)


def forget_model() -> None:
    """Forget the model kept in this process: the next score looks up the newest version again."""
    global _kept
    _kept = None


@contextlib.contextmanager
def using(pipeline, *, spam_examples: int = 0, ham_examples: int = 0) -> Iterator[None]:
    """Score with a pipeline that is not stored (an evaluation's), in this process, for a while."""
    global _override
    previous = _override
    _override = Loaded(-1, pipeline, spam_examples, ham_examples)
    try:
        yield
    finally:
        _override = previous


# --- Scoring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    """What the classifier says of one text."""

    probability: float  # that it is spam, calibrated
    examples: int  # the fewer of spam and ham examples the model learned from
    text: str = field(default="", repr=False)
    shares: list = field(default_factory=list, repr=False)  # (vectorizer, n-gram, share of the log-odds)
    analyzer: Callable[[str], list[str]] | None = field(default=None, repr=False)  # a word's character n-grams

    @property
    def words(self) -> list[str]:
        """The text's words that pushed it most towards the verdict (computed when asked: a screening
        asks only when the score counts)."""
        return _weightiest_words(self, towards_spam=self.probability >= 0.5)


def spam_probability(text: str) -> float | None:
    """Return how likely a text is spam (0.0 to 1.0), or None while the classifier abstains."""
    judgement = judge(text, explain=False)
    return judgement.probability if judgement is not None else None


def spam_probabilities(texts: list[str]) -> list[float] | None:
    """Score many texts in one pass; None while the classifier abstains."""
    pipeline = current().pipeline
    if pipeline is None:
        return None
    return [float(p) for p in pipeline.predict_proba([text[:MAX_CHARACTERS] for text in texts])[:, 1]]


def judge(text: str, *, explain: bool = True) -> Judgement | None:
    """Score a text (and keep what explains the score, unless ``explain`` is false); None while abstaining."""
    model = current()
    if model.pipeline is None:
        return None
    text = (text or "")[:MAX_CHARACTERS]
    log_odds, shares = model.contributions(text)
    probability = _sigmoid(log_odds)
    if not explain:
        return Judgement(probability, model.examples)
    return Judgement(probability, model.examples, text, shares, model.word_grams)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _weightiest_words(judgement: Judgement, *, towards_spam: bool) -> list[str]:
    """The words whose n-grams added most to the verdict: a character n-gram's share is split between
    the words it occurs in, a word pair's between its two words.

    Only the n-grams that pushed hardest towards the verdict are shared out (``EXPLAINING_NGRAMS``):
    the four words named come from them, and a screening does not walk every n-gram twice.
    """
    sign = 1.0 if towards_spam else -1.0
    strongest = heapq.nlargest(EXPLAINING_NGRAMS, judgement.shares, key=lambda entry: sign * entry[2])
    wanted = {feature for kind, feature, _ in strongest if kind == "chars"}
    words = {word.casefold() for word in _WORD.findall(judgement.text)}
    owners: dict[str, list[str]] = {}
    if judgement.analyzer is not None and wanted:
        for word in words:
            for gram in set(judgement.analyzer(word)) & wanted:
                owners.setdefault(gram, []).append(word)
    weights = dict.fromkeys(words, 0.0)
    for kind, feature, share in strongest:
        found = owners.get(feature, ()) if kind == "chars" else [w for w in feature.split() if w in weights]
        for owner in found:
            weights[owner] += share / len(found)
    ranked = sorted(((sign * weight, word) for word, weight in weights.items() if sign * weight > 0), reverse=True)
    return [word for _, word in ranked[:EXPLAINED_WORDS]]


# --- Training --------------------------------------------------------------------------------


def _decided_comments() -> QuerySet[OrgComment]:
    """Comments whose latest audit event is a coordinator's decision that teaches something."""
    latest = ModerationEvent.objects.filter(comment=OuterRef("pk")).order_by("-created", "-id")
    return (
        OrgComment.objects.annotate(
            last_actor=Subquery(latest.values("actor_id")[:1]),
            last_state=Subquery(latest.values("new_state")[:1]),
        )
        .filter(last_actor__isnull=False, last_state__in=list(_LABEL_FOR_STATE), state__in=list(_LABEL_FOR_STATE))
        .order_by("pk")
    )


def training_rows() -> list[tuple[str, str]]:
    """Every labelled example as it stands now: coordinators' decisions (by current state) and imported texts."""
    rows = [(text, _LABEL_FOR_STATE[state]) for text, state in _decided_comments().values_list("comment", "state")]
    rows.extend(LabelledText.objects.order_by("pk").values_list("text", "label"))
    return rows


def _newest_input() -> datetime | None:
    """When the newest thing a retrain would learn from was made: a decision or an imported text."""
    decided = ModerationEvent.objects.filter(actor__isnull=False).aggregate(newest=Max("created"))["newest"]
    imported = LabelledText.objects.aggregate(newest=Max("created"))["newest"]
    return max((moment for moment in (decided, imported) if moment is not None), default=None)


def retrain(*, force: bool = False) -> ClassifierModel | None:
    """Fit a model on every labelled example and store it as the newest version; return its row.

    Debounced: without ``force``, nothing is done (None) when the newest model already learned from
    the newest decision and imported text, so the many tasks queued by a burst of decisions fit
    once. Abstains (stores a row without a pipeline) below the minimum of examples of either label.
    """
    newest = _newest_input()
    latest = ClassifierModel.objects.order_by("-version").only("data_through").first()
    learned_all = latest is not None and (
        newest is None or (latest.data_through is not None and latest.data_through >= newest)
    )
    if learned_all and not force:
        return None
    rows = training_rows()
    pipeline = fit(rows)
    metrics = _held_out_figures(rows) if pipeline is not None else {}
    return _store(pipeline, _label_counts(rows), data_through=newest, metrics=metrics)


def _held_out_figures(rows: list[tuple[str, str]]) -> dict:
    """Figures from one stratified split, kept with the model so coordinators can judge it."""
    if len(rows) > settings.COMMENTS_CLASSIFIER_EVALUATE_UP_TO:
        return {}
    try:
        metrics = cross_validate(rows, repeats=1, test_size=0.2, seed=0)[0]
    except ValueError:  # too few examples of a label to split
        return {}
    return {"mcc": round(metrics.mcc, 4), "false_positive_rate": round(metrics.false_positive_rate, 4)}


def _store(pipeline, counts: dict[str, int], *, data_through: datetime | None, metrics: dict) -> ClassifierModel:
    """Insert the next version; two concurrent retrains each get their own (the unique version decides)."""
    data = pickle.dumps(pipeline, protocol=pickle.HIGHEST_PROTOCOL) if pipeline is not None else None
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        version = (ClassifierModel.objects.aggregate(top=Max("version"))["top"] or 0) + 1
        try:
            with transaction.atomic():
                row = ClassifierModel.objects.create(
                    version=version,
                    spam_examples=counts[SPAM],
                    ham_examples=counts[HAM],
                    data_through=data_through,
                    metrics=metrics,
                    pipeline=data,
                )
        except IntegrityError:
            if attempt == SAVE_ATTEMPTS:
                raise
            continue
        forget_model()
        return row
    raise AssertionError("unreachable")  # pragma: no cover


def import_texts(rows: list[tuple[str, str]], *, reset: bool = False) -> ClassifierModel:
    """Keep labelled texts (``spam_train --csv``) for every retrain from now on, then retrain at once.

    With ``reset``, the texts imported before are forgotten first, in the same transaction.
    """
    with transaction.atomic():
        if reset:
            LabelledText.objects.all().delete()
        now = timezone.now()
        LabelledText.objects.bulk_create(
            [LabelledText(text=text, label=parse_label(label), created=now) for text, label in rows], batch_size=500
        )
    return retrain(force=True)


def reset() -> None:
    """Forget every imported text and every stored model; coordinators' decisions stay in the audit log."""
    with transaction.atomic():
        LabelledText.objects.all().delete()
        ClassifierModel.objects.all().delete()
    forget_model()


def summary() -> dict:
    """The model in use: its version, training size, held-out figures, and whether it abstains."""
    row = ClassifierModel.objects.order_by("-version").defer("pipeline").first()
    if row is None:
        return {"version": 0, SPAM: 0, HAM: 0, "abstains": True, "metrics": {}}
    abstains = min(row.spam_examples, row.ham_examples) < settings.COMMENTS_CLASSIFIER_MIN_EXAMPLES
    return {
        "version": row.version,
        SPAM: row.spam_examples,
        HAM: row.ham_examples,
        "abstains": abstains,
        "metrics": row.metrics,
    }


# --- Measuring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metrics:
    """How well predictions match labels, spam being the positive class."""

    tp: int
    fp: int
    tn: int
    fn: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    mcc: float

    @classmethod
    def from_counts(cls, *, tp: int, fp: int, tn: int, fn: int) -> Metrics:
        """Compute the metrics of a confusion matrix; any ratio with a zero denominator is 0.0."""

        def ratio(numerator: float, denominator: float) -> float:
            return numerator / denominator if denominator else 0.0

        precision = ratio(tp, tp + fp)
        recall = ratio(tp, tp + fn)
        mcc_denominator = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
        return cls(
            tp=tp,
            fp=fp,
            tn=tn,
            fn=fn,
            accuracy=ratio(tp + tn, tp + fp + tn + fn),
            precision=precision,
            recall=recall,
            f1=ratio(2 * precision * recall, precision + recall),
            mcc=ratio(tp * tn - fp * fn, mcc_denominator),
        )

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.tn + self.fn

    @property
    def false_positive_rate(self) -> float:
        """Share of ham predicted as spam: the costly mistake here."""
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0


def evaluate(rows: list[tuple[str, str]], *, threshold: float = 0.5, pipeline=None) -> Metrics:
    """Score labelled texts (with ``pipeline``, else the stored model); above ``threshold`` is spam.

    Strictly above. An abstaining classifier predicts ham for every text.
    """
    texts = [text[:MAX_CHARACTERS] for text, _ in rows]
    if pipeline is not None:
        scores = [float(p) for p in pipeline.predict_proba(texts)[:, 1]]
    else:
        scores = spam_probabilities(texts) or [0.0] * len(texts)
    return confusion([parse_label(label) for _, label in rows], [score > threshold for score in scores])


def confusion(labels: list[str], predicted_spam: list[bool]) -> Metrics:
    """The metrics of predictions against labels."""
    tp = fp = tn = fn = 0
    for label, spam in zip(labels, predicted_spam, strict=True):
        if label == SPAM:
            tp, fn = (tp + 1, fn) if spam else (tp, fn + 1)
        else:
            fp, tn = (fp + 1, tn) if spam else (fp, tn + 1)
    return Metrics.from_counts(tp=tp, fp=fp, tn=tn, fn=fn)


def splits(
    rows: list[tuple[str, str]], *, repeats: int, test_size: float, seed: int | None
) -> Iterator[tuple[list[tuple[str, str]], list[tuple[str, str]]]]:
    """(train, test) pairs from repeated stratified shuffles: each keeps the share of spam of the whole."""
    from sklearn.model_selection import StratifiedShuffleSplit

    labels = [label for _, label in rows]
    splitter = StratifiedShuffleSplit(n_splits=repeats, test_size=test_size, random_state=seed)
    for train, test in splitter.split(labels, labels):
        yield [rows[i] for i in train], [rows[i] for i in test]


def cross_validate(
    rows: list[tuple[str, str]], *, repeats: int, test_size: float = 0.3, seed: int | None = None
) -> list[Metrics]:
    """Fit a throwaway model on each split's training part and measure it on the rest."""
    results = []
    for train, test in splits(rows, repeats=repeats, test_size=test_size, seed=seed):
        pipeline = fit(train)
        if pipeline is None:
            raise ValueError("too few examples of spam or ham in a training split to fit a model")
        results.append(evaluate(test, pipeline=pipeline))
    return results


def mean_and_minimum(results: list[Metrics], name: str) -> tuple[float, float]:
    """The mean and the worst of one figure over several evaluations (worst is the highest for a rate)."""
    values = [getattr(result, name) for result in results]
    worst = max(values) if name == "false_positive_rate" else min(values)
    return statistics.fmean(values), worst


# --- Labelled files --------------------------------------------------------------------------

_SPAM_VALUES = {"spam", "1"}
_HAM_VALUES = {"ham", "0"}


def parse_label(value: object) -> str:
    """Return "spam" or "ham" for spam/ham/1/0 (any case, surrounding spaces ignored); else raise ValueError."""
    folded = str(value if value is not None else "").strip().casefold()
    if folded in _SPAM_VALUES:
        return SPAM
    if folded in _HAM_VALUES:
        return HAM
    raise ValueError(f"unknown label {value!r}: expected spam, ham, 1 or 0")


def read_labelled_csv(path: str | Path) -> list[tuple[str, str]]:
    """Read (text, label) pairs from a UTF-8 CSV file with a header naming ``text`` and ``label`` columns.

    A byte order mark is allowed, header names are matched ignoring case and surrounding
    spaces, other columns are ignored and blank rows skipped. Row numbers in errors count
    the header as row 1. Raises ValueError for a file that is not UTF-8, lacks a column, or
    has an unknown label or an empty text; OSError (e.g. FileNotFoundError) if it cannot be read.
    """
    path = Path(path)
    data = path.read_bytes()
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValueError(
            f"{path}: not UTF-8 text (invalid byte 0x{data[error.start]:02x} on line {line}); save it as UTF-8 CSV"
        ) from None
    reader = csv.reader(io.StringIO(content, newline=""))
    row_number = 1
    rows: list[tuple[str, str]] = []
    try:
        header = next(reader, None)
        if header is None:
            raise ValueError(f"{path}: the file is empty; expected a header row with 'text' and 'label' columns")
        names = [name.strip().casefold() for name in header]
        missing = [column for column in ("text", "label") if column not in names]
        if missing:
            found = ", ".join(repr(name) for name in header) or "nothing"
            raise ValueError(
                f"{path}: row 1 (the header) has no {' and no '.join(repr(c) for c in missing)} column (found: {found})"
            )
        text_index, label_index = names.index("text"), names.index("label")
        for row_number, record in enumerate(reader, start=2):
            if not any(field.strip() for field in record):
                continue
            text = record[text_index] if text_index < len(record) else ""
            label = record[label_index] if label_index < len(record) else ""
            try:
                label = parse_label(label)
            except ValueError as error:
                raise ValueError(f"{path}: row {row_number}: {error}") from None
            if not text.strip():
                raise ValueError(f"{path}: row {row_number}: the text is empty")
            rows.append((text, label))
    except csv.Error as error:
        raise ValueError(f"{path}: row {row_number + 1}: not valid CSV ({error})") from None
    return rows
