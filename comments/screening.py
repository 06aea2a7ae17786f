"""Screening: small checks that each return a score and a reason a coordinator can read.

The scores add up. The decision rule (``decide``) sends a comment to the spam folder
above a high threshold, approves it below a low one only for trusted posters, and
sends everything else to a coordinator. Nothing is ever discarded: spam stays in a
folder coordinators can review and undo.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from difflib import SequenceMatcher

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

from campaign.organisations.models import Organisation
from comments import classifier, relevance
from comments.findings import NOTHING_FOUND, CheckResult, found
from comments.models import KeywordRule, MinHashBand, OrgComment, State

log = logging.getLogger(__name__)

_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)
MINHASH_SIZE = 64  # bins of the signature: a power of two, the low bits of a hash choose the bin
SHINGLE_WORDS = 4
NEAR_DUPLICATE_SIMILARITY = 0.7
# Locality-sensitive hashing: 16 bands of 4 rows. Two texts become candidates when one band agrees
# entirely: with a true similarity of 0.7 that happens with probability 1 - (1 - 0.7**4)**16 = 0.99,
# at 0.3 with 0.12; every candidate's signature is then compared in full.
BAND_ROWS = 4
BANDS = MINHASH_SIZE // BAND_ROWS
NEAR_DUPLICATE_CANDIDATES = 500  # compared at most, newest first: a campaign this big is found anyway


@dataclass(frozen=True)
class Screening:
    results: list[CheckResult]
    total: float
    decision: str
    trusted: bool
    minhash: list[int]
    campaign_group: int | None

    def reasons(self) -> list[dict]:
        return [asdict(r) for r in self.results if r.score or r.hold]

    def summary(self) -> str:
        shown = [f"{r.reason} ({r.score:+g})" for r in self.results if r.score or r.hold]
        return "; ".join(shown) or NOTHING_FOUND

    def findings(self) -> list[dict]:
        """What the audit log keeps to tell the summary again in another language (``describe``)."""
        return [{"code": r.code, "params": r.params, "score": r.score} for r in self.results if r.score or r.hold]


@dataclass(frozen=True)
class SenderHistory:
    """What the site already holds from the same sender (email or address), read in one query.

    By email, only comments confirmed through the link mailed to that address count, and only for a
    comment that was itself so confirmed: a typed address proves nothing, so posts that someone
    else made in its name never weigh on its owner, nor lend anybody its owner's record.
    """

    duplicate_of: int | None = None  # an earlier comment by the same poster with the same text
    last_hour_by_address: int = 0
    last_hour_by_email: int = 0
    approved_before: bool = False  # the same email has an approved comment


def sender_history(comment: OrgComment) -> SenderHistory:
    """Count the sender's other comments, for the duplicate, rate and trust checks.

    One statement, two indexed parts: by email (``UPPER(user_email)``, the index of migration 0005),
    over mail-confirmed comments only (see ``SenderHistory``), and by address hash, over every post
    that address sent, confirmed or not. Not an OR of the two: on two tables, it could use neither
    index. Its cost does not grow with the number of comments on the site.

    Written in SQL: it runs for every comment screened, and the ORM spent five times longer
    compiling the two queries (three filtered aggregates on a three-table model) than PostgreSQL
    spent answering them. Both tables of the multi-table model share the comment's id.
    """
    sql, params = _sender_history_sql()
    ops = connection.ops
    since = ops.adapt_datetimefield_value(comment.submit_date - timedelta(hours=1))
    until = ops.adapt_datetimefield_value(comment.submit_date)
    email = comment.user_email if comment.confirmed_by_mail else ""
    address, text = comment.address_hash or "", comment.fingerprint or ""
    values = {
        "pk": comment.pk,
        "email": email,
        "has_email": bool(email),
        "address": address,
        "has_address": bool(address),
        "fingerprint": text,
        "has_fingerprint": bool(text),
        "since": since,
        "until": until,
        "withdrawn": State.WITHDRAWN.value,
        "approved": State.APPROVED.value,
        "confirmed": True,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, [values[name] for name in params])
        duplicate_of, last_hour_by_email, approved, last_hour_by_address = cursor.fetchone()
    return SenderHistory(
        duplicate_of=duplicate_of,
        last_hour_by_address=last_hour_by_address or 0,
        last_hour_by_email=last_hour_by_email or 0,
        approved_before=bool(approved),
    )


@functools.cache
def _sender_history_sql() -> tuple[str, list[str]]:
    """The statement of ``sender_history`` and the names of its parameters, in order."""
    from django_comments.models import Comment

    quote = connection.ops.quote_name
    comments, orgs = Comment._meta, OrgComment._meta

    def col(meta, prefix: str, name: str) -> str:
        return f"{prefix}.{quote(meta.get_field(name).column)}"

    c_id, c_email, c_date = (col(comments, "c", name) for name in ("id", "user_email", "submit_date"))
    o_text, o_state, o_address, o_confirmed = (
        col(orgs, "o", name) for name in ("fingerprint", "state", "address_hash", "confirmed_by_mail")
    )
    table = f"{quote(comments.db_table)} c JOIN {quote(orgs.db_table)} o ON o.{quote(orgs.pk.column)} = {c_id}"
    in_last_hour = f"{c_date} >= %s AND {c_date} <= %s"
    # Table and column names from the models' _meta; every value is a parameter.
    sql = (
        "SELECT by_email.duplicate_of, by_email.last_hour, by_email.approved, by_address.last_hour FROM ("  # noqa: S608
        f" SELECT MIN(CASE WHEN %s AND {o_text} = %s AND {o_state} <> %s THEN {c_id} END) AS duplicate_of,"
        f" COUNT(CASE WHEN {in_last_hour} THEN 1 END) AS last_hour,"
        f" COUNT(CASE WHEN {o_state} = %s THEN 1 END) AS approved"
        f" FROM {table} WHERE %s AND UPPER({c_email}) = UPPER(%s) AND {o_confirmed} = %s AND {c_id} <> %s"
        ") by_email CROSS JOIN ("
        f" SELECT COUNT(*) AS last_hour FROM {table}"
        f" WHERE %s AND {o_address} = %s AND {in_last_hour} AND {c_id} <> %s"
        ") by_address"
    )
    params = [
        *("has_fingerprint", "fingerprint", "withdrawn"),
        *("since", "until", "approved"),
        *("has_email", "email", "confirmed", "pk"),
        *("has_address", "address", "since", "until", "pk"),
    ]
    return sql, params


# --- The checks ---------------------------------------------------------------


def check_honeypot(comment: OrgComment, history: SenderHistory | None = None) -> CheckResult:
    if comment.honeypot_filled:
        return found("honeypot", 10.0, "honeypot")
    return CheckResult("honeypot", 0.0, "")


def check_speed(comment: OrgComment, history: SenderHistory | None = None) -> CheckResult:
    seconds = comment.form_seconds
    if seconds is None:
        return CheckResult("speed", 0.0, "")
    if seconds < 3:
        return found("speed", 4.0, "too-fast", seconds=seconds)
    if seconds < 10 and len(comment.comment) > 500:
        return found("speed", 2.0, "fast-and-long", characters=len(comment.comment), seconds=seconds)
    return CheckResult("speed", 0.0, "")


def check_links(comment: OrgComment, history: SenderHistory | None = None) -> CheckResult:
    count = len(_URL.findall(comment.comment))
    if count > 5:
        return found("links", 4.0, "links", count=count)
    if count >= 3:
        return found("links", 2.0, "links", count=count)
    return CheckResult("links", 0.0, "")


_rules: tuple[float, list[tuple[re.Pattern, str, str]]] | None = None  # (read at, [(pattern, phrase, action)])


def keyword_rules() -> list[tuple[re.Pattern, str, str]]:
    """The coordinators' keyword rules, compiled, kept for ``COMMENTS_SCREENING_CACHE_SECONDS``.

    A change made in this process (the desk, the admin) applies at once (``forget_keyword_rules``
    runs on every save and delete); one made in another process, within those seconds.
    """
    global _rules
    if _rules is None or time.monotonic() - _rules[0] > settings.COMMENTS_SCREENING_CACHE_SECONDS:
        compiled = []
        for phrase, action in KeywordRule.objects.values_list("phrase", "action"):
            folded = phrase.casefold().strip()
            if folded:
                compiled.append((re.compile(rf"(?<!\w){re.escape(folded)}(?!\w)"), phrase, action))
        _rules = (time.monotonic(), compiled)
    return _rules[1]


def forget_keyword_rules(**kwargs) -> None:
    global _rules
    _rules = None


def check_keywords(comment: OrgComment, history: SenderHistory | None = None) -> CheckResult:
    text = comment.comment.casefold()
    spam, hold = [], []
    for pattern, phrase, action in keyword_rules():
        if pattern.search(text):
            (spam if action == KeywordRule.Action.SPAM else hold).append(phrase)
    if spam:
        return found("keywords", 6.0, "spam-words", hold=True, words=", ".join(spam))
    if hold:
        return found("keywords", 0.0, "held-words", hold=True, words=", ".join(hold))
    return CheckResult("keywords", 0.0, "")


def check_same_poster_duplicate(comment: OrgComment, history: SenderHistory | None = None) -> CheckResult:
    if not comment.fingerprint:
        return CheckResult("duplicate", 0.0, "")
    earlier = (history or sender_history(comment)).duplicate_of
    if earlier:
        return found("duplicate", 1.0, "duplicate", hold=True, comment=earlier)
    return CheckResult("duplicate", 0.0, "")


def check_rate(comment: OrgComment, history: SenderHistory | None = None) -> CheckResult:
    history = history or sender_history(comment)
    busiest = max(history.last_hour_by_address, history.last_hour_by_email)
    if busiest >= 10:
        return found("rate", 5.0, "rate", count=busiest)
    if busiest >= 3:
        return found("rate", 2.0, "rate", count=busiest)
    return CheckResult("rate", 0.0, "")


def check_classifier(comment: OrgComment, history: SenderHistory | None = None) -> CheckResult:
    """The learning filter's calibrated probability, as a score from -4 to +4, with the words behind it.

    No score while it abstains (too few examples). ``hold`` marks the one case in which it may send a
    comment to the spam folder on its own: sure enough, and trained on enough examples (``decide``).
    """
    judgement = classifier.judge(comment.comment)
    if judgement is None:
        return CheckResult("classifier", 0.0, "")
    probability = judgement.probability
    score = round((probability - 0.5) * 8, 2)
    if abs(score) < 0.4:
        return CheckResult("classifier", 0.0, "")
    words = ", ".join(judgement.words) or "-"
    percent = round(probability * 100)
    sure = (
        probability >= settings.COMMENTS_CLASSIFIER_SPAM_PROBABILITY
        and judgement.examples >= settings.COMMENTS_CLASSIFIER_DECIDE_EXAMPLES
    )
    if sure:
        return found("classifier", score, "classifier-sure", hold=True, percent=percent, words=words)
    return found("classifier", score, "classifier-words", percent=percent, words=words)


def check_relevance(comment: OrgComment, history: SenderHistory | None = None) -> CheckResult:
    """Hold a comment that has little to do with the note, whoever posted it (no score: it is not spam)."""
    target_key = (comment.content_type_id, comment.object_pk)
    target = relevance.target_of(*target_key)
    value = relevance.share(comment.comment, target=target, key=target_key, language=comment.language)
    if relevance.is_unrelated(value):
        return found("relevance", 0.0, "unrelated", hold=True, percent=round(value * 100))
    return CheckResult("relevance", 0.0, "")


def check_akismet(comment: OrgComment, history: SenderHistory | None = None) -> CheckResult:
    """Ask Akismet, only when a key is configured. Only the text is sent: never an email or an address."""
    if not settings.AKISMET_API_KEY:
        return CheckResult("akismet", 0.0, "")
    import akismet

    client_class = import_string(settings.AKISMET_CLIENT_CLASS)
    try:
        client = client_class(config=akismet.Config(key=settings.AKISMET_API_KEY, url=settings.SITE_URL))
        verdict = client.comment_check(
            user_ip="127.0.0.1", comment_content=comment.comment, comment_type="comment", blog_lang=comment.language
        )
    except Exception as exc:  # an outside service failing must not stop screening
        log.warning("Akismet check failed: %s", type(exc).__name__)
        return found("akismet", 0.0, "akismet-unreachable")
    if verdict == akismet.CheckResponse.DISCARD:
        return found("akismet", 8.0, "akismet-discard")
    if verdict == akismet.CheckResponse.SPAM:
        return found("akismet", 5.0, "akismet-spam")
    return found("akismet", -1.0, "akismet-ham")


def organisation_key(name: str) -> str:
    """Fold a name to what a reader would take as the same organisation: no case, accents,
    spaces or punctuation ("Sex-Workers' Alliance" and "sex workers alliance" agree)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


#: Names this long or longer match with one typo; shorter ones must agree exactly once folded,
#: or "SWAN" and "SWAP" would be one organisation.
NEAR_NAME_MIN_LENGTH = 6


def names_match(a: str, b: str) -> bool:
    """Two folded names are the same organisation: equal, or one edit apart for names long enough.

    difflib, not a fuzzy-matching dependency: one comparison per verified organisation, and one
    edit apart is exactly a ratio of at least 1 - 1/length for names of equal or near length.
    """
    if a == b:
        return True
    if min(len(a), len(b)) < NEAR_NAME_MIN_LENGTH or abs(len(a) - len(b)) > 1:
        return False
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return max(len(a), len(b)) - sum(block.size for block in matcher.get_matching_blocks()) <= 1


_verified: tuple[float, list[tuple[int, str, str]]] | None = None  # (read at, [(id, name, folded name)])


def verified_names() -> list[tuple[int, str, str]]:
    """The verified organisations' names, folded once, kept for ``COMMENTS_SCREENING_CACHE_SECONDS``.

    A verification made in this process (the desk) applies at once (``forget_verified_names`` runs on
    every save and delete of an organisation); one made in another process, within those seconds.
    """
    global _verified
    if _verified is None or time.monotonic() - _verified[0] > settings.COMMENTS_SCREENING_CACHE_SECONDS:
        names = Organisation.objects.verified().values_list("pk", "name")
        _verified = (time.monotonic(), [(pk, name, organisation_key(name)) for pk, name in names])
    return _verified[1]


def forget_verified_names(**kwargs) -> None:
    global _verified
    _verified = None


def check_impersonation(comment: OrgComment, history: SenderHistory | None = None) -> CheckResult:
    """Hold a comment signed with a verified organisation's name by someone not among its members.

    Membership is the signed-in account's, never what was typed: a stranger typing a verified
    name (or one typo away from it) is held for a coordinator, whatever the other scores say.
    """
    typed = organisation_key(comment.organisation_name or "")
    if not typed:
        return CheckResult("impersonation", 0.0, "")
    for org_id, name, key in verified_names():
        if not names_match(typed, key):
            continue
        if comment.user_id and Organisation.objects.filter(pk=org_id, members=comment.user_id).exists():
            continue
        return found("impersonation", 0.0, "impersonation", hold=True, organisation=name)
    return CheckResult("impersonation", 0.0, "")


CHECKS: list[Callable[[OrgComment, SenderHistory], CheckResult]] = [
    check_honeypot,
    check_speed,
    check_links,
    check_keywords,
    check_same_poster_duplicate,
    check_rate,
    check_classifier,
    check_relevance,
    check_akismet,
    check_impersonation,
]

#: Checks that count volume (one sender's rate, the same text twice, a campaign of posters): a workshop
#: or a mobile carrier puts many real organisations behind one address, so these send to review, never
#: to the spam folder on their own.
VOLUME_CHECKS = {"rate", "duplicate", "campaign"}


# --- Near-duplicates across posters ---------------------------------------------


def _shingles(text: str) -> set[str]:
    words = [w.casefold() for w in _WORD.findall(text)]
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


_BIN_BITS = MINHASH_SIZE.bit_length() - 1
_VALUE_SPAN = 1 << (64 - _BIN_BITS)  # values in a bin are below this; borrowed ones are above


def minhash(text: str) -> list[int]:
    """Return a MinHash signature of the text's word shingles (empty for a text with no words).

    One hash per shingle ("one permutation hashing"): its low bits choose one of the bins, the
    rest is its value, and each bin keeps its smallest value. A bin no shingle fell into borrows
    the value of the next filled bin to its right, marked with the distance, so that signatures
    still compare position by position: the share of equal positions estimates the Jaccard
    similarity of the two sets of shingles, as with 64 separate hash functions, for 1/64 of the work.
    """
    shingles = _shingles(text)
    if not shingles:
        return []
    bins: list[int | None] = [None] * MINHASH_SIZE
    mask = MINHASH_SIZE - 1
    for shingle in shingles:
        hashed = int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")
        index, value = hashed & mask, hashed >> _BIN_BITS
        current = bins[index]
        if current is None or value < current:
            bins[index] = value
    signature = []
    for index in range(MINHASH_SIZE):
        distance = 0
        while bins[(index + distance) % MINHASH_SIZE] is None:
            distance += 1
        signature.append(bins[(index + distance) % MINHASH_SIZE] + distance * _VALUE_SPAN)
    return signature


def band_keys(signature: list[int]) -> list[int]:
    """Hash each band of a signature (with its position) to one signed 64-bit key, for the index."""
    if len(signature) != MINHASH_SIZE:
        return []
    keys = []
    for band in range(BANDS):
        rows = signature[band * BAND_ROWS : (band + 1) * BAND_ROWS]
        digest = hashlib.blake2b(f"{band}:{rows}".encode(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def similarity(a: list[int], b: list[int]) -> float:
    if not a or not b or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


def check_near_duplicates(comment: OrgComment, signature: list[int]) -> tuple[CheckResult, int | None]:
    """Find other posters' near-identical texts; group them as one campaign rather than drop them."""
    keys = band_keys(signature)
    if not keys:
        return CheckResult("campaign", 0.0, ""), None
    # The band index alone first: most comments share no band with any other, and then the
    # comments' three tables are not read at all. In SQL, for the reason sender_history gives.
    table, comment_column, key_column = band_table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT {comment_column} FROM {table} WHERE {key_column} IN ({', '.join(['%s'] * len(keys))})"  # noqa: S608
            f" AND {comment_column} <> %s ORDER BY {comment_column} DESC LIMIT %s",
            [*keys, comment.pk, NEAR_DUPLICATE_CANDIDATES],
        )
        sharing = [comment_id for (comment_id,) in cursor.fetchall()]
    if not sharing:
        return CheckResult("campaign", 0.0, ""), None
    candidates = (
        OrgComment.objects.filter(pk__in=sharing)
        .exclude(user_email__iexact=comment.user_email)
        .values_list("pk", "minhash", "campaign_group")
    )
    matches = [
        (pk, group) for pk, other, group in candidates if similarity(signature, other) >= NEAR_DUPLICATE_SIMILARITY
    ]
    if not matches:
        return CheckResult("campaign", 0.0, ""), None
    group = min((g or pk) for pk, g in matches)
    return found("campaign", 1.0, "campaign", hold=True, count=len(matches), group=group), group


def band_table() -> tuple[str, str, str]:
    """The band index's table and its comment and key columns, quoted, from the model's _meta."""
    quote, meta = connection.ops.quote_name, MinHashBand._meta
    return quote(meta.db_table), quote(meta.get_field("comment").column), quote(meta.get_field("key").column)


# --- Trust and decision -----------------------------------------------------------


def is_trusted(comment: OrgComment, history: SenderHistory | None = None) -> bool:
    """Trust what the poster proved, never what they typed.

    The signed-in account that posted belongs to a verified organisation (an organisation named
    or linked on the comment proves nothing), or the comment was confirmed through the link
    mailed to its address and that address has an earlier approved comment, itself so confirmed.
    """
    if comment.user_id and Organisation.objects.filter(members=comment.user_id, verified_at__isnull=False).exists():
        # By id: the comment is loaded without its user (most posters have none).
        return True
    return comment.confirmed_by_mail and (history or sender_history(comment)).approved_before


def decide(total: float, *, trusted: bool, held: bool, volume: float = 0.0, classifier_sure: bool = False) -> str:
    """Spam when the learning filter is sure, or when the score without volume signals reaches the high
    threshold (volume alone sends to review); approved below the low one for trusted posters; review otherwise."""
    if classifier_sure or total - volume >= settings.COMMENTS_SPAM_THRESHOLD:
        return State.SPAM
    if trusted and not held and total <= settings.COMMENTS_APPROVE_THRESHOLD:
        return State.APPROVED
    return State.REVIEW


def screen(comment: OrgComment) -> Screening:
    """Run every check on a comment and decide; writes nothing."""
    history = sender_history(comment)
    results = [check(comment, history) for check in CHECKS]
    signature = minhash(comment.comment)
    near, group = check_near_duplicates(comment, signature)
    results.append(near)
    total = round(sum(r.score for r in results), 2)
    trusted = is_trusted(comment, history)
    volume = sum(r.score for r in results if r.check in VOLUME_CHECKS and r.score > 0)
    sure = any(r.check == "classifier" and r.hold for r in results)
    decision = decide(total, trusted=trusted, held=any(r.hold for r in results), volume=volume, classifier_sure=sure)
    return Screening(results, total, decision, trusted, signature, group)


# The checks that read only a text: what a poster's correction is screened with.
TEXT_CHECKS = (check_links, check_keywords, check_classifier)


def screen_text(text: str) -> tuple[float, list[dict]]:
    """Score a text alone (a correction): its total and the findings coordinators read."""
    unsaved = OrgComment(comment=text)
    results = [check(unsaved, SenderHistory()) for check in TEXT_CHECKS]
    return round(sum(r.score for r in results), 2), [asdict(r) for r in results if r.score or r.hold]
