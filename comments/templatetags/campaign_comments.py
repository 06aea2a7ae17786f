"""Template tags that put threads and the comment form on any page that takes comments."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape as html_escape  # Django's escape() without its lazy-string wrapper
from typing import ClassVar

from django import forms, template
from django.conf import settings
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone
from django.utils.translation import get_language, gettext
from django_countries import countries

from comments import languages, selectors
from comments.forms import OrgCommentForm
from comments.models import Kind, Outcome, State
from comments.services import max_thread_level
from guidance.diff import word_diff

register = template.Library()


def _translate_with(translated: str, **values) -> str:
    """What {% blocktranslate with name=value %} gives: the translation, with the values escaped."""
    return mark_safe(translated % {key: conditional_escape(value) for key, value in values.items()})  # noqa: S308


class _Thread:
    """Writes the HTML of each comment of a thread, in Python, from values worked out once per render.

    A thread of 10,000 comments is 25 MB of HTML: rendering it through a template costs a method
    call, a translation lookup, a URL reversal, two date formats and some thirty template nodes per
    comment. Here the translations, the kind labels, the country names, the version notes and the
    reply URL's pattern are made once per render, each comment is one string, and the page joins
    them once. The markup is the one a template would write (see templates/comments/thread.html,
    which prints the result; tests/comments check the page).
    """

    def __init__(self, *, target, current_number: int | None, passages: dict[str, str] | None = None) -> None:
        self.kinds = {value: escape(label) for value, label in Kind.choices}
        self.months = {number: str(name).title() for number, name in MONTHS_3.items()}  # the "M" of |date
        self.countries: dict[str, str] = {}
        self.versions: dict[int | None, str] = {}
        self.target = target
        self.current_number = current_number
        self.max_level = max_thread_level()
        self.timezone = get_current_timezone() if settings.USE_TZ else None  # what |date shows
        sentinel = 987654321
        self.reply_url = escape(reverse("comments:reply", args=[sentinel])).split(str(sentinel))
        official = gettext("Official reply of the working group")  # outside the f-string, where makemessages sees it
        self.official = f' <span class="badge official">{escape(official)}</span>'
        self.anonymous = f"<strong>{escape(gettext('Anonymous participant'))}</strong>"
        self.separator = '<span class="sep"> · </span>'
        self.verified = f' <span class="badge verified">{escape(gettext("verified"))}</span>'
        self.since = escape(gettext("an earlier version: see what changed since"))
        self.link = escape(gettext("Link to this comment"))
        self.reply = escape(gettext("Reply"))
        self.on_behalf = gettext("on behalf of %(who)s")
        self.language_names: dict[str, str] = {}
        self.withdrawn = escape(gettext("This comment was withdrawn by its author."))
        self.edited = f' · <span class="edited">{escape(gettext("edited"))}</span>'
        # Comments on a passage: what it quoted, whether the passage changed since, an amendment's answer.
        self.passages = passages or {}
        self.target_url = escape(target.get_absolute_url()) if self.passages else ""
        self.text_language = html_escape(getattr(target.comment_document(), "language", "") or "")
        self.on_passage = escape(gettext("On this paragraph"))
        self.proposed = escape(gettext("Proposed wording, as changes to the text:"))
        self.passage_removed = escape(gettext("This paragraph is no longer in the current text."))
        self.passage_changed = escape(gettext("This passage has changed since: see what changed."))
        self.outcomes = {value: escape(label) for value, label in Outcome.choices}
        self.answer = gettext("Answer of the working group: %(outcome)s")
        self.taken_up = gettext("Taken up in version %(number)s")
        # A comment brought over from the old page (comments.imports) says so beside its date.
        imported = gettext("from the original campaign page")
        self.imported = f' · <span class="imported">{escape(imported)}</span>'

    def country(self, code: str) -> str:
        if code not in self.countries:
            self.countries[code] = escape(countries.name(code)) if code else ""
        return self.countries[code]

    def language(self, code: str) -> str:
        """The language's name in the reader's language, marked as such (it is not in the comment's)."""
        if code not in self.language_names:
            self.language_names[code] = f'<span class="comment-language">{escape(languages.name(code) or code)}</span>'
        return self.language_names[code]

    def version(self, comment) -> str:
        """The note on the version a comment was written on, with a link to what changed since."""
        if comment.version_id not in self.versions:
            note = ""
            if comment.version_number is not None:  # annotated by selectors.thread_page
                note = " · " + _translate_with(gettext("on %(label)s"), label=comment.version_label)
                if self.current_number and comment.version_number != self.current_number:
                    url = self.target.comment_changes_url(comment.version_number, self.current_number)
                    note += f' (<a href="{escape(url)}">{self.since}</a>)'
            self.versions[comment.version_id] = note
        return self.versions[comment.version_id]

    def passage(self, comment) -> str:
        """The passage a comment is about: the words it quoted (an amendment's as changes), and whether
        the passage reads differently now or is gone."""
        key = html_escape(comment.passage_key)
        current = self.passages.get(comment.passage_key)
        if current is None:
            status = f'<p class="notice">{self.passage_removed}</p>\n'
        elif comment.quote and comment.quote not in current:
            status = f'<p class="notice">{self.passage_changed}'
            if comment.version_number is not None and self.current_number:
                url = self.target.comment_changes_url(comment.version_number, self.current_number)
                status = f'<p class="notice"><a href="{escape(url)}">{self.passage_changed}</a>'
            status += "</p>\n"
        else:
            status = ""
        link = f'<a href="{self.target_url}#{key}">{self.on_passage}</a>' if current is not None else self.on_passage
        lang = f' lang="{self.text_language}"' if self.text_language else ""
        if comment.proposal:
            changes = word_diff(comment.quote, comment.proposal)
            words = f'<p class="meta">{self.proposed}</p>\n<p class="diff"{lang}>{changes}</p>'
        else:
            words = f"<blockquote{lang}><p>{html_escape(comment.quote)}</p></blockquote>"
        return f'<div class="passage-ref">\n<p class="meta">{link}</p>\n{words}\n{status}</div>\n'

    def outcome(self, comment) -> str:
        """The working group's public answer to an amendment, and the version that took it up."""
        number = getattr(comment, "taken_up_number", None)
        taken = escape(self.taken_up % {"number": number}) if number is not None else ""
        if not comment.outcome:
            return f'<p class="outcome">{taken}.</p>\n' if taken else ""
        label = self.outcomes.get(comment.outcome, "")
        answer = _translate_with(self.answer, outcome=mark_safe(f"<strong>{label}</strong>"))  # noqa: S308
        reason = f" {html_escape(comment.outcome_reason)}" if comment.outcome_reason else ""
        taken = f" {taken}." if taken else ""
        return f'<p class="outcome outcome-{html_escape(comment.outcome)}">{answer}.{reason}{taken}</p>\n'

    def placeholder(self, comment) -> str:
        """What stands in a thread for a comment its author withdrew: no text, no signature, no date,
        only its place, so that the replies others wrote under it keep their context and anchors."""
        pk = str(comment.pk)
        return (
            f'<li class="comment withdrawn level-{comment.level}" id="c{pk}">\n<article>\n'
            f'<p class="muted">{self.withdrawn}</p>\n</article>\n</li>\n'
        )

    def __call__(self, comment) -> str:
        if comment.state == State.WITHDRAWN:
            return self.placeholder(comment)
        signed = comment.signature  # comments.signature: what the poster chose to show, and nothing else
        country = self.country(signed.country)
        if signed.anonymous:
            signature = self.anonymous
        else:
            # Names, places and organisations are isolated (<bdi>): one in Arabic or Hebrew keeps its
            # own direction and does not reorder the punctuation and words around it. A name and an
            # organisation are kept visibly apart, as comments.signature.PublicSignature.text() does.
            signature = f"<strong><bdi>{html_escape(signed.name)}</bdi></strong>" if signed.name else ""
            if signed.organisation:
                signature += self.separator if signed.name else ""
                signature += f"<strong><bdi>{html_escape(signed.organisation)}</bdi></strong>"
                if signed.verified:
                    signature += self.verified
        if signed.on_behalf_of:
            who = mark_safe(f"<bdi>{html_escape(signed.on_behalf_of)}</bdi>")  # noqa: S308 - escaped
            signature += f" <span>{_translate_with(self.on_behalf, who=who)}</span>"
        city = f"<bdi>{html_escape(signed.city)}</bdi>" if signed.city else ""
        place = f" · <span>{city}{', ' if city and country else ''}{country}</span>" if city or country else ""
        local = comment.submit_date.astimezone(self.timezone) if self.timezone else comment.submit_date
        pk, kind, lang = str(comment.pk), html_escape(comment.kind), html_escape(comment.language)
        reply = (
            f'<p class="reply"><a href="{pk.join(self.reply_url)}">{self.reply}</a></p>\n'
            if comment.level < self.max_level
            else ""
        )
        return (
            f'<li class="comment level-{comment.level}" id="c{pk}">\n<article>\n<header class="meta">\n'
            f'<span class="badge kind-{kind}">{self.kinds.get(comment.kind, kind)}</span>'
            f"{self.official if comment.official else ''}\n"
            f"{signature}{place}\n"
            f" · {self.language(comment.language)}"
            f' · <time datetime="{local.isoformat(timespec="seconds")}">'
            f"{local.day} {self.months[local.month]} {local.year:04d}</time>"
            f"{self.imported if comment.origin else ''}"
            f"{self.version(comment) if comment.version_id else ''}"
            f"{self.edited if comment.edited_at else ''}\n"
            f' · <a href="#c{pk}" aria-label="{self.link}">#</a>\n</header>\n'
            f"{self.passage(comment) if comment.passage_key else ''}"
            f'<div class="comment-body" lang="{lang}" dir="auto">{comment.comment_html}</div>\n'
            f"{self.outcome(comment)}"
            f"{reply}</article>\n</li>\n"
        )

    def render(self, comments) -> str:
        return mark_safe("".join(map(self, comments)))  # noqa: S308 - every value above is escaped


class _RenderedOnce(forms.Select):
    """A select that renders the same on every page in a language: the country and language lists of the form.

    Its ~250 options go through Django's widget templates one by one, 24 ms per page; here they are
    rendered once per language, name, value and attributes, and kept for the life of the process.
    """

    rendered: ClassVar[dict[tuple, str]] = {}

    def render(self, name, value, attrs=None, renderer=None):
        key = (get_language(), name, str(value), tuple(sorted({**self.attrs, **(attrs or {})}.items())))
        html = self.rendered.get(key)
        if html is None:
            html = self.rendered[key] = super().render(name, value, attrs, renderer)
        return html


def _blank_form(target, initial: dict) -> OrgCommentForm:
    form = OrgCommentForm(target, initial=initial)
    for name in ("country", "language"):  # some 250 countries, some 100 languages
        widget = form.fields[name].widget
        if type(widget) is forms.Select:
            widget.__class__ = _RenderedOnce  # the same widget, its rendering kept
    return form


def _link(request, **changes) -> str:
    """The page's address with some query parameters changed ('' removes one), for links within it."""
    params = request.GET.copy()
    for name, value in changes.items():
        if value in ("", None):
            params.pop(name, None)
        else:
            params[name] = value
    query = params.urlencode()
    return f"{request.path}?{query}" if query else request.path


@dataclass(frozen=True)
class LanguageFilter:
    code: str  # '' for every language
    name: str
    count: int
    url: str
    current: bool


def _language_filters(request, result: selectors.ThreadPage) -> list[LanguageFilter]:
    """Links to the discussions in each language present (and in all), most discussions first."""
    if len(result.languages) < 2 and not result.language:
        return []
    present = sorted(result.languages.items(), key=lambda item: (-item[1], languages.name(item[0])))
    everything = _link(request, language="", page="")
    entries = [
        LanguageFilter("", gettext("All languages"), sum(result.languages.values()), everything, not result.language)
    ]
    for code, count in present:
        url = _link(request, language=code, page="")
        entries.append(LanguageFilter(code, languages.name(code), count, url, code == result.language))
    return entries


@register.inclusion_tag("comments/thread.html", takes_context=True)
def comments_for(context, target, current_version=None):
    """Render a target's approved threads (one page of them, in one language or all) and the form to post."""
    request = context["request"]
    newest_first = request.GET.get("order") == "newest"
    language = request.GET.get("language", "")
    passages = {p.key: p.text for p in target.comment_passages() if p.key}
    passage = request.GET.get("passage", "")
    passage = passage if passage in passages else ""
    result = selectors.thread_page(
        target,
        page_number=request.GET.get("page", 1),
        newest_first=newest_first,
        per_page=settings.COMMENTS_PAGE_SIZE,
        language=language if languages.is_known(language) else "",
        passage=passage,
    )
    thread = _Thread(
        target=target, current_number=current_version.number if current_version else None, passages=passages
    )
    initial = {"version": current_version.pk} if current_version else {}
    if passage:
        # "Comment on this paragraph" and "Propose new wording" (no script needed): the form starts there.
        initial["passage"] = passage
        if request.GET.get("kind") == Kind.AMEND:
            initial.update(kind=Kind.AMEND, proposal=passages[passage])
    page = result.page
    return {
        "request": request,
        "target": target,
        "thread": result,
        "comments_html": thread.render(result.comments),
        "newest_first": newest_first,
        "language_filters": _language_filters(request, result),
        "language_name": languages.name(result.language),
        "links": {
            "newest": _link(request, order="newest", page=""),
            "oldest": _link(request, order="", page=""),
            "previous": _link(request, page=page.previous_page_number()) if page.has_previous() else "",
            "next": _link(request, page=page.next_page_number()) if page.has_next() else "",
            "all_languages": _link(request, language="", page=""),
            "all_passages": _link(request, passage="", kind="", page=""),
        },
        "form": _blank_form(target, initial),
        "feed_url": target.comment_feed_url(),
        "current_version": current_version,
    }


@register.simple_tag
def amendment_diff(comment) -> str:
    """An amendment's proposed wording as changes to the words it quoted (guidance.diff, escaped)."""
    return word_diff(comment.quote, comment.proposal)
