"""A naive Bayes spam classifier whose counts live in the database.

It learns from every coordinator decision (``learn``, called by a Celery task), can be
trained in bulk from a labelled file (``learn_texts``, used by ``manage.py spam_train``),
rebuilt from the audit log (``rebuild``) and measured (``evaluate``, used by
``manage.py spam_evaluate``).

The model is Bernoulli-ish: a token counts once per document. For each token,
``SpamToken`` holds in how many spam and how many ham documents it appeared;
``ClassifierTotals`` holds how many documents of each label were learned. Scores use
Laplace smoothing, are summed in log space, and only the most informative tokens of a
text take part, so a long text cannot drown its few telling words.

The score is one signal among several in screening; it never discards a comment by
itself. Rejected comments are learned as ham: they are off-topic or abusive, but
written by people, and teaching the filter that people's words are spam is how it would
start silencing real organisations.

Every transaction that changes counts first locks the two ``ClassifierTotals`` rows
(``lock_for_writing``), so writers take turns: several Celery workers, a ``spam_train`` and
a ``rebuild`` can run at once without losing updates or deadlocking. Learning one decision
takes a few milliseconds, so the wait is short; readers (scoring) never wait. Counters are
still changed with ``F()`` expressions, never read-modify-write.
"""

from __future__ import annotations

import csv
import io
import math
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from comments.models import ClassifierTotals, ModerationEvent, OrgComment, SpamToken, State, TrainedComment

SPAM = "spam"
HAM = "ham"
LABELS = (SPAM, HAM)

# Below this many learned documents of either label, the classifier has no opinion (0.5).
MIN_DOCUMENTS = 5
# How many of a text's tokens take part in its score: the ones whose counts differ most between labels.
MAX_INFORMATIVE_TOKENS = 40
MIN_TOKEN_LENGTH = 2
MAX_TOKEN_LENGTH = 40
# SpamToken.token is a CharField(max_length=64).
MAX_STORED_TOKEN_LENGTH = 64
MANY_LINKS = 3
# "Shouting": at least this many cased letters, and at least this share of them upper case.
CAPS_MIN_LETTERS = 12
CAPS_MIN_SHARE = 0.6
# learn() retries a transaction the database aborted for a deadlock or serialization failure.
LEARN_ATTEMPTS = 3
TRANSIENT_SQLSTATES = {"40P01", "40001"}
# Rows per query when reading or writing many tokens (well under SQLite's variable limit).
BATCH_SIZE = 500

# Meta tokens (not words: words never contain "_").
LINK_TOKEN = "__link__"  # noqa: S105 - not a password
MANY_LINKS_TOKEN = "__many_links__"  # noqa: S105
CAPS_TOKEN = "__caps__"  # noqa: S105
DOMAIN_PREFIX = "__domain:"

# States a coordinator's decision can leave a comment in, and what each teaches.
_LABEL_FOR_STATE: dict[str, str] = {
    State.SPAM: SPAM,
    State.APPROVED: HAM,
    # Off-topic or abusive, but written by a person: see the module docstring.
    State.REJECTED: HAM,
    # Back in the queue after "not spam": a coordinator said a person wrote it.
    State.REVIEW: HAM,
}

_URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"'\u00a0]+", re.IGNORECASE)
# Addresses typed without a scheme ("cheap-pills.shop/buy"), a favourite of link farms.
_BARE_DOMAIN = re.compile(
    r"(?<![\w@.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:com|net|org|info|biz|io|ru|su|xyz|top|online|site|shop|store|club|live|vip|win|bet|casino|pro|cc|co|me|us"
    r"|uk|de|fr|es|it|nl|pl|ua|in|cn|tk|ml|ga|cf|gq|ly|to|ws|app|link|click|icu|buzz|fun|space|website|today))"
    r"\b(?:/[^\s<>\"'\u00a0]*)?",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+")

Progress = Callable[[int, int | None], None]


def tokenize(text: str) -> set[str]:
    """Return the set of tokens of a text.

    Words are casefolded runs of letters and digits in any script (Cyrillic, Arabic, ...)
    of 2 to 40 characters. Web addresses are not split into words; instead each adds
    ``__link__`` and ``__domain:<host>`` (``www.`` dropped), and three or more add
    ``__many_links__``. A text mostly in capitals adds ``__caps__``. Each token is counted
    once, however often it occurs.
    """
    text = unicodedata.normalize("NFKC", text or "")
    tokens: set[str] = set()
    links = 0

    def take_link(match: re.Match[str]) -> str:
        nonlocal links
        links += 1
        address = match.group(0).rstrip(".,;:!?)]}'\"»”’")  # noqa: RUF001 - closing quotes of several languages
        if "://" not in address:
            address = "http://" + address
        try:
            host = (urlsplit(address).hostname or "").casefold().rstrip(".")
        except ValueError:
            host = ""
        host = host.removeprefix("www.")
        if host:
            tokens.add((DOMAIN_PREFIX + host)[:MAX_STORED_TOKEN_LENGTH])
        return " "

    words_text = _URL.sub(take_link, text)
    words_text = _BARE_DOMAIN.sub(take_link, words_text)
    if links:
        tokens.add(LINK_TOKEN)
    if links >= MANY_LINKS:
        tokens.add(MANY_LINKS_TOKEN)
    if _is_shouting(words_text):
        tokens.add(CAPS_TOKEN)
    for word in _WORD.findall(words_text.casefold()):
        if MIN_TOKEN_LENGTH <= len(word) <= MAX_TOKEN_LENGTH:
            tokens.add(word)
    return tokens


def _is_shouting(text: str) -> bool:
    upper = sum(map(str.isupper, text))
    cased = upper + sum(map(str.islower, text))
    return cased >= CAPS_MIN_LETTERS and upper / cased >= CAPS_MIN_SHARE


def label_for_state(state: str) -> str | None:
    """Return what a comment in this state teaches ("spam", "ham"), or None for nothing."""
    return _LABEL_FOR_STATE.get(state)


# --- Scoring ---------------------------------------------------------------------------------


def _totals() -> dict[str, int]:
    totals = dict.fromkeys(LABELS, 0)
    totals.update(ClassifierTotals.objects.values_list("label", "documents"))
    return totals


_kept_totals: tuple[float, dict[str, int]] | None = None


def _scoring_totals() -> dict[str, int]:
    """The totals for scoring, kept for ``COMMENTS_SCREENING_CACHE_SECONDS``: a few documents more
    or less barely move the prior, and the screening saves a query per comment. Learning in this
    process forgets them at once; learning in another (the training worker) shows within the delay."""
    global _kept_totals
    if _kept_totals is None or time.monotonic() - _kept_totals[0] > settings.COMMENTS_SCREENING_CACHE_SECONDS:
        _kept_totals = (time.monotonic(), _totals())
    return _kept_totals[1]


def forget_totals() -> None:
    global _kept_totals
    _kept_totals = None


def _has_learned_enough(totals: dict[str, int]) -> bool:
    return totals[SPAM] >= MIN_DOCUMENTS and totals[HAM] >= MIN_DOCUMENTS


def _probability(tokens: Iterable[str], counts: dict[str, tuple[int, int]], totals: dict[str, int]) -> float:
    """Combine the evidence of the most informative known tokens with the prior, in log space."""
    n_spam, n_ham = totals[SPAM], totals[HAM]
    evidence: list[tuple[float, str]] = []
    for token in tokens:
        spam, ham = counts.get(token, (0, 0))
        if spam == 0 and ham == 0:
            # Never seen: with Laplace smoothing it would only echo the class sizes.
            continue
        spam, ham = min(spam, n_spam), min(ham, n_ham)
        log_ratio = math.log((spam + 1) / (n_spam + 2)) - math.log((ham + 1) / (n_ham + 2))
        evidence.append((log_ratio, token))
    evidence.sort(key=lambda item: (-abs(item[0]), item[1]))
    # The prior may lean towards ham, never towards spam: when most learned documents are
    # spam, a text in words never seen before (say, a first comment in a new language) must
    # not be scored as spam for that alone.
    prior = min(0.0, math.log(n_spam / n_ham))
    log_odds = prior + sum(ratio for ratio, _ in evidence[:MAX_INFORMATIVE_TOKENS])
    return _sigmoid(log_odds)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _token_counts(tokens: Iterable[str]) -> dict[str, tuple[int, int]]:
    return {
        token: (spam, ham)
        for token, spam, ham in SpamToken.objects.filter(token__in=list(tokens)).values_list("token", "spam", "ham")
    }


def spam_probability(text: str) -> float:
    """Return how likely a text is spam, from 0.0 (ham) to 1.0 (spam).

    Naive Bayes over the stored counts, with Laplace smoothing, in log space, using the
    prior (share of spam among learned documents, capped at even odds so that it can only
    lean towards ham) and the ``MAX_INFORMATIVE_TOKENS`` known tokens of the text whose
    spam and ham frequencies differ most. Tokens never seen before are ignored.

    Returns exactly 0.5 ("no opinion") while the classifier has learned fewer than
    ``MIN_DOCUMENTS`` (5) documents of either label.

    Runs two queries: the totals (kept a few seconds), then the rows of the text's tokens.
    """
    totals = _scoring_totals()
    if not _has_learned_enough(totals):
        return 0.5
    tokens = tokenize(text)
    if not tokens:
        return _probability((), {}, totals)
    return _probability(tokens, _token_counts(tokens), totals)


def spam_probabilities(texts: list[str], *, progress: Progress | None = None) -> list[float]:
    """Score many texts at once: one query for the totals, then one per batch of texts."""
    totals = _totals()
    if not _has_learned_enough(totals):
        if progress:
            progress(len(texts), len(texts))
        return [0.5] * len(texts)
    results: list[float] = []
    batch_texts = 100
    for start in range(0, len(texts), batch_texts):
        token_sets = [tokenize(text) for text in texts[start : start + batch_texts]]
        wanted = sorted(set().union(*token_sets))
        counts: dict[str, tuple[int, int]] = {}
        for offset in range(0, len(wanted), BATCH_SIZE * 4):
            counts.update(_token_counts(wanted[offset : offset + BATCH_SIZE * 4]))
        results.extend(_probability(tokens, counts, totals) for tokens in token_sets)
        if progress:
            progress(len(results), len(texts))
    return results


# --- Writing counts --------------------------------------------------------------------------


def lock_for_writing() -> None:
    """Take the classifier's write lock for the current transaction: the two totals rows.

    Creates them if missing. Every writer calls this first, before any other lock, so
    writers are serialised and cannot deadlock; on SQLite writers are serialised anyway.
    """
    ClassifierTotals.objects.bulk_create(
        [ClassifierTotals(label=label) for label in sorted(LABELS)], ignore_conflicts=True
    )
    list(ClassifierTotals.objects.select_for_update().order_by("label").values_list("pk"))


def _add_documents(deltas: dict[str, int]) -> None:
    """Change the document totals by ``deltas`` (label -> +n/-n), never below zero."""
    forget_totals()
    for label in sorted(deltas):
        delta = deltas[label]
        if delta:
            ClassifierTotals.objects.filter(label=label).update(documents=Greatest(F("documents") + delta, Value(0)))


def _change_document_tokens(tokens: list[str], *, label: str, delta: int) -> None:
    """Add ``delta`` (+1 or -1) to the ``label`` count of every token of one document."""
    if not tokens:
        return
    if delta > 0:
        SpamToken.objects.bulk_create(
            [SpamToken(token=token) for token in tokens], ignore_conflicts=True, batch_size=BATCH_SIZE
        )
    for start in range(0, len(tokens), BATCH_SIZE):
        batch = tokens[start : start + BATCH_SIZE]
        SpamToken.objects.filter(token__in=batch).update(**{label: Greatest(F(label) + delta, Value(0))})


def _add_counts(spam: Counter[str], ham: Counter[str]) -> None:
    """Add many tokens' counts at once, concurrency-safe and portable (SQLite, PostgreSQL).

    Missing rows are inserted with zero counts (conflicts ignored), then the counts are
    added with ``F()`` expressions, one UPDATE per distinct (spam, ham) increment and batch
    of tokens: a few hundred queries for thousands of documents, since most tokens share
    small increments. The caller holds ``lock_for_writing``.
    """
    tokens = sorted(set(spam) | set(ham))
    if not tokens:
        return
    SpamToken.objects.bulk_create(
        [SpamToken(token=token) for token in tokens], ignore_conflicts=True, batch_size=BATCH_SIZE
    )
    groups: dict[tuple[int, int], list[str]] = {}
    for token in tokens:
        groups.setdefault((spam[token], ham[token]), []).append(token)
    for (spam_delta, ham_delta), group in sorted(groups.items()):
        for start in range(0, len(group), BATCH_SIZE):
            SpamToken.objects.filter(token__in=group[start : start + BATCH_SIZE]).update(
                spam=F("spam") + spam_delta, ham=F("ham") + ham_delta
            )


# --- Learning --------------------------------------------------------------------------------


def learn(*, comment_id: int) -> str | None:
    """Teach the classifier what a coordinator decided about a comment; return the label now learned.

    The comment's current state decides: spam teaches "spam"; approved, rejected (people,
    not bots, write off-topic or abusive comments) and review (after "not spam") teach
    "ham"; any other state teaches nothing. ``TrainedComment`` remembers what was learned
    before: the same label again changes nothing, a different one is unlearned first, and
    no label unlearns what was learned. So the call is idempotent, safe to retry, and a
    reversed decision is undone.

    Runs in one transaction holding the classifier's write lock (``lock_for_writing``) and
    the comment's ``TrainedComment`` row lock (created with ``get_or_create`` first); the
    state is read again after taking them, so concurrent tasks end on the latest state.
    Returns None if the comment no longer exists or teaches nothing. When called outside
    any transaction (as the Celery task does), a deadlock or serialization failure reported
    by the database is retried a few times before it is raised.
    """
    attempt = 1
    while True:
        outermost = not transaction.get_connection().in_atomic_block
        try:
            return _learn_once(comment_id)
        except OperationalError as error:
            if not outermost or attempt >= LEARN_ATTEMPTS or not _is_transient(error):
                raise
            attempt += 1


def _is_transient(error: OperationalError) -> bool:
    """Whether the database aborted the transaction only because of a concurrent one."""
    return getattr(error.__cause__, "sqlstate", None) in TRANSIENT_SQLSTATES


def _learn_once(comment_id: int) -> str | None:
    with transaction.atomic():
        state = OrgComment.objects.filter(pk=comment_id).values_list("state", flat=True).first()
        if state is None:
            return None
        if label_for_state(state) is None and not TrainedComment.objects.filter(comment_id=comment_id).exists():
            return None
        lock_for_writing()
        TrainedComment.objects.get_or_create(comment_id=comment_id, defaults={"label": ""})
        trained = TrainedComment.objects.select_for_update().get(comment_id=comment_id)
        text, state = OrgComment.objects.filter(pk=comment_id).values_list("comment", "state").get()
        old, new = trained.label or None, label_for_state(state)
        if old == new:
            if new is None:
                trained.delete()
            return new
        tokens = sorted(tokenize(text))
        deltas: dict[str, int] = {}
        if old is not None:
            _change_document_tokens(tokens, label=old, delta=-1)
            deltas[old] = -1
        if new is None:
            trained.delete()
        else:
            _change_document_tokens(tokens, label=new, delta=+1)
            deltas[new] = +1
            TrainedComment.objects.filter(pk=trained.pk).update(label=new, trained_at=timezone.now())
        _add_documents(deltas)
        return new


def learn_texts(rows: Iterable[tuple[str, str]], *, progress: Progress | None = None, reset: bool = False) -> int:
    """Learn many labelled texts ("spam"/"ham") that are not comments; return how many were learned.

    Counts are added up in memory and written in a few bulk queries at the end, in one
    transaction; thousands of rows take seconds. ``progress(done, total)`` is called after
    each row (``total`` is None when ``rows`` has no length). With ``reset``, everything
    learned before is forgotten in the same transaction, just before the new counts are written.
    """
    total = len(rows) if isinstance(rows, Sized) else None
    spam: Counter[str] = Counter()
    ham: Counter[str] = Counter()
    documents: Counter[str] = Counter()
    done = 0
    for text, label in rows:
        label = parse_label(label)
        (spam if label == SPAM else ham).update(tokenize(text))
        documents[label] += 1
        done += 1
        if progress:
            progress(done, total)
    with transaction.atomic():
        lock_for_writing()
        if reset:
            _wipe()
        _add_counts(spam, ham)
        _add_documents(dict(documents))
    return done


def _wipe() -> None:
    """Forget all counts; the totals rows stay (at zero), as they carry the write lock."""
    forget_totals()
    TrainedComment.objects.all().delete()
    SpamToken.objects.all().delete()
    ClassifierTotals.objects.update(documents=0)


def reset() -> None:
    """Forget everything the classifier learned."""
    with transaction.atomic():
        lock_for_writing()
        _wipe()


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


def _chunks(queryset: QuerySet[OrgComment], size: int) -> Iterator[list[tuple[int, str, str]]]:
    """Iterate (pk, text, state) in pages of ``size``, keyed on the primary key."""
    last = 0
    while True:
        page = list(queryset.filter(pk__gt=last).values_list("pk", "comment", "state")[:size])
        if not page:
            return
        yield page
        last = page[-1][0]


def rebuild(*, progress: Progress | None = None, chunk_size: int = 1000) -> dict[str, int]:
    """Forget everything and relearn from coordinators' decisions; return documents learned per label.

    A comment is learned when its latest audit event was made by a coordinator (actor set)
    and left it spam, approved, rejected or in review after "not spam", with the label
    ``learn`` would give it, so a rebuild gives the same counts as replaying every decision.
    Comments are read in chunks of ``chunk_size``; everything happens in one transaction.
    """
    queryset = _decided_comments()
    total = queryset.count()
    spam: Counter[str] = Counter()
    ham: Counter[str] = Counter()
    documents: Counter[str] = Counter(dict.fromkeys(LABELS, 0))
    done = 0
    with transaction.atomic():
        lock_for_writing()
        _wipe()
        for page in _chunks(queryset, chunk_size):
            trained = []
            for pk, text, state in page:
                label = label_for_state(state)
                if label is None:
                    continue
                (spam if label == SPAM else ham).update(tokenize(text))
                documents[label] += 1
                trained.append(TrainedComment(comment_id=pk, label=label))
            TrainedComment.objects.bulk_create(trained, batch_size=BATCH_SIZE)
            done += len(page)
            if progress:
                progress(done, total)
        _add_counts(spam, ham)
        _add_documents(dict(documents))
    return dict(documents)


def summary() -> dict[str, int]:
    """Return documents learned per label and the number of tokens known."""
    totals = _totals()
    return {SPAM: totals[SPAM], HAM: totals[HAM], "tokens": SpamToken.objects.count()}


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


def evaluate(rows: list[tuple[str, str]], *, threshold: float = 0.5, progress: Progress | None = None) -> Metrics:
    """Score labelled texts against the stored classifier; a text above ``threshold`` is predicted spam.

    Strictly above: a classifier with no opinion (0.5) predicts ham at the default threshold.
    """
    labels = [parse_label(label) for _, label in rows]
    scores = spam_probabilities([text for text, _ in rows], progress=progress)
    tp = fp = tn = fn = 0
    for label, score in zip(labels, scores, strict=True):
        predicted_spam = score > threshold
        if label == SPAM:
            tp, fn = (tp + 1, fn) if predicted_spam else (tp, fn + 1)
        else:
            fp, tn = (fp + 1, tn) if predicted_spam else (fp, tn + 1)
    return Metrics.from_counts(tp=tp, fp=fp, tn=tn, fn=fn)


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
