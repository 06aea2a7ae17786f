"""What the screening's checks found, as codes and values a coordinator reads in their own language.

A leaf: the screening records findings with ``found``, the models and the desk tell them again with
``message`` and ``describe``; it imports nothing of the app, so every module may use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

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
    "classifier-words": _(
        "The learning filter rates this %(percent)d%% likely to be spam; the words that weighed most: %(words)s."
    ),
    "classifier-sure": _(
        "The learning filter is sure this is spam (%(percent)d%%); the words that weighed most: %(words)s."
    ),
    "unrelated": _(
        "Seems unrelated to the note: only %(percent)d%% of its words appear in the note's text in any language."
    ),
    "akismet-unreachable": _("Akismet could not be reached; screened without it."),
    "akismet-discard": _("Akismet says this is blatant spam."),
    "akismet-spam": _("Akismet says this is spam."),
    "akismet-ham": _("Akismet says this is not spam."),
    "campaign": ngettext_lazy(
        "Nearly the same text as %(count)d other poster: grouped as campaign #%(group)s.",
        "Nearly the same text as %(count)d other posters: grouped as campaign #%(group)s.",
        "count",
    ),
    "impersonation": _(
        "Signed as the verified organisation %(organisation)s by someone who is not one of its members."
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
    "relevance": _("Relevance to the note"),
    "akismet": "Akismet",
    "campaign": _("Campaign"),
    "impersonation": _("Organisation"),
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


def found(check: str, score: float, code: str, *, hold: bool = False, **params) -> CheckResult:
    with translation.override("en"):
        reason = message(code, params)
    return CheckResult(check, score, reason, hold, code, params)


NOTHING_FOUND = "No check raised anything."  # the summary of a clean screening, as the audit log records it


def describe(findings: list) -> str:
    """A screening's findings as one line in the active language; '' if one of them cannot be told
    (recorded by a version that had other messages): the caller then shows the recorded summary."""
    if not isinstance(findings, list):
        return ""
    shown = []
    for entry in findings:
        if not isinstance(entry, dict) or not isinstance(entry.get("params"), dict):
            return ""
        text, score = message(str(entry.get("code", "")), entry["params"]), entry.get("score")
        if not text or not isinstance(score, int | float):
            return ""
        shown.append(f"{text} ({score:+g})")
    return "; ".join(shown) or gettext("No check raised anything.")
