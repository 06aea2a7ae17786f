"""Relevance: does a comment speak of the note it was posted on?

A comment is compared with the note's own text in every version and language it has (title,
summary, each section's heading and paragraphs), plus a short glossary of the campaign's subject
in the site's languages, for a language the note has no translation in yet. The measure is the
share of the comment's longer words (five letters or more) whose first five letters begin a word of
the note: a crude stem that matches across inflections ("criminalise", "criminalisation") and needs
no language-specific tokenizer. Measured on this project's corpus, it separated comments from
off-topic texts better than TF-IDF cosine over character n-grams, which long notes match with any
text in the same language.

Short texts are not judged: "We endorse this" or "Мы поддерживаем" says little in words but is
what the site is for. The note's stems are built once per note and kept in each process until the
note's text changes (checked at most every ``COMMENTS_SCREENING_CACHE_SECONDS``).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from comments import languages

# Fewer words than this: not judged (an endorsement, a thank-you).
MIN_WORDS = 12
# A note shorter than this (in words) is too little to compare with.
MIN_NOTE_WORDS = 300
_WORD = re.compile(r"[^\W_]+")
_LETTERS = re.compile(r"[^\W\d_]+")

#: The subject of the campaign in the site's languages: what a comment on the note speaks of even
#: when the note is not yet translated into its language. Written for this project.
GLOSSARY = [
    "sex work sex workers HIV AIDS prevention testing treatment condoms PrEP health services clinic"
    " rights decriminalisation criminalisation police violence stigma community-led organisations"
    " endorse support amendment guidance note section draft text working group consultation",
    "travail du sexe travailleuses et travailleurs du sexe VIH sida prévention dépistage traitement"
    " préservatifs services de santé droits décriminalisation pénalisation police violences stigmatisation"
    " organisations communautaires soutenons approuvons amendement note d'orientation section projet",
    "trabajo sexual trabajadoras sexuales VIH sida prevención pruebas tratamiento condones servicios de"
    " salud derechos despenalización criminalización policía violencia estigma organizaciones comunitarias"
    " apoyamos respaldamos enmienda nota de orientación sección borrador",
    "секс-работа секс-работники секс-работницы ВИЧ СПИД профилактика тестирование лечение презервативы"
    " медицинские услуги права декриминализация криминализация полиция насилие стигма сообщество"
    " организации поддерживаем поправка записка раздел текст рабочая группа консультация редакция документ"
    " правовая база облавы мигранты трансгендерные медицинские работники программа участницы версия"
    " государство закон права человека здоровье услуги финансирование сообщества",
]


STEM = 5


def stems(text: str) -> list[str]:
    """The first letters of each longer word of a text, casefolded."""
    return [word.casefold()[:STEM] for word in _LETTERS.findall(text or "") if len(word) >= STEM]


@dataclass
class _Reference:
    stamp: tuple
    checked_at: float
    stems: frozenset[str] | None  # None: too little text to judge against
    languages: frozenset[str] = frozenset()  # the languages the note's text is in


_kept: dict[tuple[int, str], _Reference] = {}


_targets: dict[tuple[int, str], object] = {}


def forget() -> None:
    """Forget every note's stems and every commented object kept in this process."""
    _kept.clear()
    _targets.clear()


def target_of(content_type_id: int, object_pk: str):
    """The commented object (a note or a section), kept per process: only its texts' stamp is read again."""
    key = (content_type_id, object_pk)
    if key not in _targets:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        _targets[key] = model._default_manager.filter(pk=object_pk).first() if model is not None else None
    return _targets[key]


def _reference(target, key: tuple[int, str]) -> _Reference:
    kept = _kept.get(key)
    now = time.monotonic()
    if kept is not None and now - kept.checked_at <= settings.COMMENTS_SCREENING_CACHE_SECONDS:
        return kept
    stamp = target.reference_stamp()
    if kept is None or kept.stamp != stamp:
        kept = _build(target.reference_texts(), stamp)
        kept.languages = frozenset(getattr(target, "reference_languages", set)())
    kept.checked_at = now
    _kept[key] = kept
    return kept


def _build(texts: list[str], stamp: tuple) -> _Reference:
    if sum(len(_WORD.findall(text)) for text in texts) < MIN_NOTE_WORDS:
        return _Reference(stamp, 0.0, None)
    return _Reference(stamp, 0.0, frozenset(stem for text in (*texts, *GLOSSARY) for stem in stems(text)))


def share(text: str, *, target, key: tuple[int, str], language: str = "") -> float | None:
    """The share (0 to 1) of the comment's longer words that the note uses too; None when not judged.

    ``key`` names the target (content type id, object pk) for the per-process cache. A comment in a
    ``language`` that neither the note nor the glossary is written in is not judged: an Arabic or
    Swahili statement shares no words with an English note, whatever it says.
    """
    if len(_WORD.findall(text or "")) < MIN_WORDS or target is None or not hasattr(target, "reference_texts"):
        return None
    reference = _reference(target, key)
    own = stems(text)
    if reference.stems is None or not own:
        return None
    if language and language not in reference.languages | set(languages.interface_languages()):
        return None
    return sum(stem in reference.stems for stem in own) / len(own)


def is_unrelated(value: float | None) -> bool:
    """Whether a share is below the line under which a comment seems to be about something else."""
    return value is not None and value < settings.COMMENTS_RELEVANCE_MIN_SHARE
