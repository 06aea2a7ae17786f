"""Screening: small checks that each return a score and a reason a coordinator can read.

The scores add up. The decision rule (``decide``) sends a comment to the spam folder
above a high threshold, approves it below a low one only for trusted posters, and
sends everything else to a coordinator. Nothing is ever discarded: spam stays in a
folder coordinators can review and undo.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from comments.models import KeywordRule, ModerationEvent, OrgComment, State

log = logging.getLogger(__name__)

_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)
MINHASH_SIZE = 64
SHINGLE_WORDS = 4
NEAR_DUPLICATE_SIMILARITY = 0.7
NEAR_DUPLICATE_WINDOW = 2000


#: What a check found, for coordinators. Kept with each comment as a code and its values (and in
#: English, as recorded in the audit log), so that the desk shows it in each coordinator's language.
MESSAGES = {
    "honeypot": _("The hidden field that people never see was filled in, as bots do."),
    "too-fast": ngettext_lazy(
        "Sent %(seconds)d second after the form was opened: too fast for a person.",
        "Sent %(seconds)d seconds after the form was opened: too fast for a person.",
        "seconds",
    ),
    "fast-and-long": ngettext_lazy(
        "%(characters)d characters sent %(seconds)d second after opening.",
        "%(characters)d characters sent %(seconds)d seconds after opening.",
        "seconds",
    ),
    "links": ngettext_lazy("Contains %(count)d link.", "Contains %(count)d links.", "count"),
    "spam-words": _("Contains words listed as spam: %(words)s."),
    "held-words": _("Contains words held for review: %(words)s."),
    "duplicate": _("The same poster already sent this text (comment #%(comment)s)."),
    "rate": ngettext_lazy(
        "%(count)d other comment from the same sender in the last hour.",
        "%(count)d other comments from the same sender in the last hour.",
        "count",
    ),
    "classifier": _("The learning filter rates this %(percent)d%% likely to be spam."),
    "akismet-unreachable": _("Akismet could not be reached; screened without it."),
    "akismet-discard": _("Akismet says this is blatant spam."),
    "akismet-spam": _("Akismet says this is spam."),
    "akismet-ham": _("Akismet says this is not spam."),
    "campaign": ngettext_lazy(
        "Nearly the same text as %(count)d other poster: grouped as campaign #%(group)s.",
        "Nearly the same text as %(count)d other posters: grouped as campaign #%(group)s.",
        "count",
    ),
}

#: The checks' names, for the desk's table of reasons.
CHECK_LABELS = {
    "honeypot": _("Hidden field"),
    "speed": _("Speed"),
    "links": _("Links"),
    "keywords": _("Keywords"),
    "duplicate": _("Same text twice"),
    "rate": _("Posting rate"),
    "classifier": _("Learning filter"),
    "akismet": "Akismet",
    "campaign": _("Campaign"),
}


def message(code: str, params: dict) -> str:
    """Return a finding in the active language ('' for a code this version does not know)."""
    template = MESSAGES.get(code)
    if template is None:
        return ""
    try:
        return str(template % params)
    except (KeyError, TypeError, ValueError):  # values that do not fit the message (an older record)
        return ""


@dataclass(frozen=True)
class CheckResult:
    check: str
    score: float
    reason: str  # in English: the audit log records it so
    hold: bool = False  # never approve automatically, whatever the score
    code: str = ""  # of the message in MESSAGES, with its values: the desk translates it
    params: dict = field(default_factory=dict, hash=False)


def _found(check: str, score: float, code: str, *, hold: bool = False, **params) -> CheckResult:
    with translation.override("en"):
        reason = message(code, params)
    return CheckResult(check, score, reason, hold, code, params)


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
        return "; ".join(shown) or "No check raised anything."


# --- The checks ---------------------------------------------------------------


def check_honeypot(comment: OrgComment) -> CheckResult:
    if comment.honeypot_filled:
        return _found("honeypot", 10.0, "honeypot")
    return CheckResult("honeypot", 0.0, "")


def check_speed(comment: OrgComment) -> CheckResult:
    seconds = comment.form_seconds
    if seconds is None:
        return CheckResult("speed", 0.0, "")
    if seconds < 3:
        return _found("speed", 4.0, "too-fast", seconds=seconds)
    if seconds < 10 and len(comment.comment) > 500:
        return _found("speed", 2.0, "fast-and-long", characters=len(comment.comment), seconds=seconds)
    return CheckResult("speed", 0.0, "")


def check_links(comment: OrgComment) -> CheckResult:
    count = len(_URL.findall(comment.comment))
    if count > 5:
        return _found("links", 4.0, "links", count=count)
    if count >= 3:
        return _found("links", 2.0, "links", count=count)
    return CheckResult("links", 0.0, "")


def check_keywords(comment: OrgComment) -> CheckResult:
    text = comment.comment.casefold()
    spam, hold = [], []
    for rule in KeywordRule.objects.all():
        phrase = rule.phrase.casefold().strip()
        if phrase and re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text):
            (spam if rule.action == KeywordRule.Action.SPAM else hold).append(rule.phrase)
    if spam:
        return _found("keywords", 6.0, "spam-words", hold=True, words=", ".join(spam))
    if hold:
        return _found("keywords", 0.0, "held-words", hold=True, words=", ".join(hold))
    return CheckResult("keywords", 0.0, "")


def check_same_poster_duplicate(comment: OrgComment) -> CheckResult:
    if not comment.fingerprint:
        return CheckResult("duplicate", 0.0, "")
    earlier = (
        OrgComment.objects.filter(fingerprint=comment.fingerprint, user_email__iexact=comment.user_email)
        .exclude(pk=comment.pk)
        .exclude(state=State.WITHDRAWN)
        .values_list("pk", flat=True)
        .first()
    )
    if earlier:
        return _found("duplicate", 1.0, "duplicate", hold=True, comment=earlier)
    return CheckResult("duplicate", 0.0, "")


def check_rate(comment: OrgComment) -> CheckResult:
    hour_ago = comment.submit_date - timedelta(hours=1)
    recent = OrgComment.objects.filter(submit_date__gte=hour_ago, submit_date__lte=comment.submit_date).exclude(
        pk=comment.pk
    )
    by_address = recent.filter(address_hash=comment.address_hash).count() if comment.address_hash else 0
    by_email = recent.filter(user_email__iexact=comment.user_email).count() if comment.user_email else 0
    busiest = max(by_address, by_email)
    if busiest >= 10:
        return _found("rate", 5.0, "rate", count=busiest)
    if busiest >= 3:
        return _found("rate", 2.0, "rate", count=busiest)
    return CheckResult("rate", 0.0, "")


def check_classifier(comment: OrgComment) -> CheckResult:
    from comments import classifier

    probability = classifier.spam_probability(comment.comment)
    score = round((probability - 0.5) * 8, 2)
    if abs(score) < 0.4:
        return CheckResult("classifier", 0.0, "")
    return _found("classifier", score, "classifier", percent=round(probability * 100))


def check_akismet(comment: OrgComment) -> CheckResult:
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
        return _found("akismet", 0.0, "akismet-unreachable")
    if verdict == akismet.CheckResponse.DISCARD:
        return _found("akismet", 8.0, "akismet-discard")
    if verdict == akismet.CheckResponse.SPAM:
        return _found("akismet", 5.0, "akismet-spam")
    return _found("akismet", -1.0, "akismet-ham")


CHECKS: list[Callable[[OrgComment], CheckResult]] = [
    check_honeypot,
    check_speed,
    check_links,
    check_keywords,
    check_same_poster_duplicate,
    check_rate,
    check_classifier,
    check_akismet,
]


# --- Near-duplicates across posters ---------------------------------------------


def minhash(text: str) -> list[int]:
    """Return a MinHash signature of the text's word shingles (empty for very short texts)."""
    words = [w.casefold() for w in _WORD.findall(text)]
    if len(words) < SHINGLE_WORDS:
        shingles = {" ".join(words)} if words else set()
    else:
        shingles = {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}
    if not shingles:
        return []
    signature = []
    for seed in range(MINHASH_SIZE):
        salt = seed.to_bytes(2, "big")
        signature.append(
            min(int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8, salt=salt).digest(), "big") for s in shingles)
        )
    return signature


def similarity(a: list[int], b: list[int]) -> float:
    if not a or not b or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


def check_near_duplicates(comment: OrgComment, signature: list[int]) -> tuple[CheckResult, int | None]:
    """Find other posters' near-identical texts; group them as one campaign rather than drop them."""
    if len(signature) != MINHASH_SIZE:
        return CheckResult("campaign", 0.0, ""), None
    candidates = (
        OrgComment.objects.exclude(pk=comment.pk)
        .exclude(user_email__iexact=comment.user_email)
        .exclude(minhash=[])
        .order_by("-pk")
        .values_list("pk", "minhash", "campaign_group")[:NEAR_DUPLICATE_WINDOW]
    )
    matches = [
        (pk, group) for pk, other, group in candidates if similarity(signature, other) >= NEAR_DUPLICATE_SIMILARITY
    ]
    if not matches:
        return CheckResult("campaign", 0.0, ""), None
    group = min((g or pk) for pk, g in matches)
    return _found("campaign", 1.0, "campaign", hold=True, count=len(matches), group=group), group


# --- Trust and decision -----------------------------------------------------------


def is_trusted(comment: OrgComment) -> bool:
    """A member of a verified organisation, or an email with an earlier approved comment."""
    if comment.user_id and comment.user.organisations.filter(verified_at__isnull=False).exists():
        return True
    if comment.organisation_id and comment.organisation and comment.organisation.verified_at and comment.user_id:
        return True
    return (
        OrgComment.objects.filter(user_email__iexact=comment.user_email, state=State.APPROVED)
        .exclude(pk=comment.pk)
        .exists()
    )


def decide(total: float, *, trusted: bool, held: bool) -> str:
    """Spam above the high threshold; approved below the low one for trusted posters; review otherwise."""
    if total >= settings.COMMENTS_SPAM_THRESHOLD:
        return State.SPAM
    if trusted and not held and total <= settings.COMMENTS_APPROVE_THRESHOLD:
        return State.APPROVED
    return State.REVIEW


def screen(comment: OrgComment) -> Screening:
    """Run every check on a comment and decide; writes nothing."""
    results = [check(comment) for check in CHECKS]
    signature = minhash(comment.comment)
    near, group = check_near_duplicates(comment, signature)
    results.append(near)
    total = round(sum(r.score for r in results), 2)
    trusted = is_trusted(comment)
    decision = decide(total, trusted=trusted, held=any(r.hold for r in results))
    return Screening(results, total, decision, trusted, signature, group)


def screen_comment(*, comment_id: int) -> str | None:
    """Screen a pending comment and record the decision; do nothing if it is no longer pending.

    The checks run outside the lock (they may call Akismet); the decision is applied under
    ``select_for_update`` after checking the state again, so a comment is never decided twice.
    """
    from comments import services

    comment = OrgComment.objects.select_related("user", "organisation").filter(pk=comment_id).first()
    if comment is None or comment.state != State.PENDING:
        return None
    result = screen(comment)
    with transaction.atomic():
        locked = OrgComment.objects.select_for_update().get(pk=comment_id)
        if locked.state != State.PENDING:
            return None
        OrgComment.objects.filter(pk=comment_id).update(
            spam_score=result.total,
            spam_reasons=result.reasons(),
            minhash=result.minhash,
            campaign_group=result.campaign_group,
        )
        if result.campaign_group is not None:
            # The first comment of a campaign joins its own group, so the desk counts it too.
            OrgComment.objects.filter(pk=result.campaign_group, campaign_group__isnull=True).update(
                campaign_group=result.campaign_group
            )
        locked.spam_score = result.total
        services.apply_screening(locked, result.decision, reason=result.summary(), score=result.total)
    return result.decision


def enqueue(comment_id: int) -> None:
    """Queue a pending comment for screening (settings.COMMENTS_ON_PENDING points here)."""
    from comments import tasks

    tasks.screen_comment.delay(comment_id)


def waiting_for_review(*, since) -> tuple[int, int]:
    """Return (comments that entered review since a time, comments waiting for review now)."""
    new = (
        ModerationEvent.objects.filter(new_state=State.REVIEW, created__gte=since)
        .values("comment_id")
        .distinct()
        .count()
    )
    return new, OrgComment.objects.filter(state=State.REVIEW).count()
