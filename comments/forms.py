"""The comment form: django-comments-xtd's form with the campaign's signature fields."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_comments_xtd.forms import XtdCommentForm
from django_countries import countries

from comments import languages
from comments.models import Kind
from comments.services import Signature, Submission
from comments.signature import PARTS, SHOWN, Display, PublicSignature, part_labels, public_signature
from comments.text import clean_text
from guidance.models import Version

SECURITY_FIELDS = ("timestamp", "security_hash", "content_type", "object_pk")
#: The fields a signature is made of, as the form names them, and the part of the signature each gives.
SIGNATURE_FIELDS = {
    "name": "name",
    "organisation_name": "organisation",
    "on_behalf_of": "on_behalf_of",
    "city": "city",
    "country": "country",
}
TEXT_HELP = _("Plain text. Paragraphs, lists and line breaks are kept as you type them; links become links.")
#: The fields whose limit is shown and counted as the poster types (static/js/comment-form.js).
COUNTED_FIELDS = ("comment", "name")


def _opening(text: str, words: int = 8) -> str:
    """The first words of a passage, to name it in a list."""
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


class BrowserText(forms.CharField):
    """A textarea's text, its line breaks counted as the browser counts them.

    A browser counts a line break as one character against ``maxlength`` but sends it as CR LF;
    the limit is checked here on the text with LF line breaks, so what the browser let through
    is accepted.
    """

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")


class DisplayChoice(forms.RadioSelect):
    """The visibility choices, each saying which parts of the signature it shows (for the live preview)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"]["data-shows"] = " ".join(part for part in PARTS if part in SHOWN.get(value, ()))
        return option


class OrgCommentForm(XtdCommentForm):
    """Post an endorsement or a comment; email is required but never shown."""

    kind = forms.ChoiceField(
        label=_("What is this?"), choices=Kind.choices, initial=Kind.COMMENT, widget=forms.RadioSelect
    )
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    country = forms.TypedChoiceField(label=_("Country"), required=False, choices=(), empty_value="")
    on_behalf_of = forms.CharField(
        label=_("On behalf of"),
        max_length=200,
        required=False,
        help_text=_("A campaign or network you speak for, if any."),
    )
    # Left on "recognise it", the language is detected from the text when it is sent (languages.detect).
    language = forms.ChoiceField(
        label=_("Language of your comment"),
        choices=lambda: [("", gettext("Recognise it from my text")), *languages.choices()],
        required=False,
        help_text=_("Readers' browsers and screen readers use it. Choose one if we might guess wrong."),
    )
    # The safest choice is the default: nothing names a poster unless they choose it.
    display = forms.ChoiceField(
        label=_("What may be shown with your comment?"),
        choices=Display.choices,
        initial=Display.ANONYMOUS,
        widget=DisplayChoice,
    )
    hide_country = forms.BooleanField(
        label=_("Do not show my country"),
        required=False,
        help_text=_("Readers then see no country with your comment, and it is not counted by country."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # On a section: the passage the comment is about, the words it quotes, an amendment's new wording.
    passage = forms.ChoiceField(
        label=_("Paragraph (optional)"),
        required=False,
        help_text=_("Choose one to comment on that paragraph only, or to propose new wording for it."),
    )
    quote = forms.CharField(
        label=_("The words you are commenting on (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("Copy them from the paragraph you chose. Leave this empty for the whole paragraph."),
    )
    proposal = BrowserText(
        label=_("Your proposed wording (for an amendment)"),
        required=False,
        max_length=settings.COMMENTS_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
        help_text=_(
            "The wording you propose instead of those words. Readers see it as changes to the text; "
            "give your reasons in your comment."
        ),
    )

    field_order = [
        "kind", "passage", "quote", "proposal", "comment", "name", "organisation_name", "city", "country",
        "on_behalf_of", "language", "display", "hide_country", "email", "followup", "honeypot",
    ]  # fmt: skip

    def __init__(self, target_object, *args, parent=None, **kwargs):
        self.parent = parent
        kwargs.setdefault("label_suffix", "")
        super().__init__(target_object, *args, comment=parent, **kwargs)
        del self.fields["url"]
        self.fields["comment"] = BrowserText(
            label=_("Your comment"),
            max_length=settings.COMMENTS_TEXT_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 10, "dir": "auto"}),
            help_text=f"{TEXT_HELP} {self._limit_note(settings.COMMENTS_TEXT_MAX_LENGTH)}",
        )
        name_limit = self.fields["name"].max_length
        self.fields["name"].required = False
        self.fields["name"].label = _("Your name (optional)")
        self.fields["name"].help_text = self._limit_note(name_limit)
        self.fields["name"].widget = forms.TextInput(
            attrs={"autocomplete": "name", "dir": "auto", "maxlength": str(name_limit)}
        )
        for name in COUNTED_FIELDS:
            # What the counter says as the poster types, in the page's language (the script has no catalogue).
            self.fields[name].widget.attrs["data-counter"] = gettext("%(count)s of %(limit)s characters")
        self.fields["email"].label = _("Email")
        self.fields["email"].help_text = _(
            "Required, to confirm your comment and to reach you. Never shown, never shared, never exported."
        )
        self.fields["email"].widget = forms.EmailInput(attrs={"autocomplete": "email"})
        self.fields["followup"].label = _("Email me when someone replies in this discussion")
        self.fields["followup"].widget.attrs.pop("class", None)
        self.fields["honeypot"].label = _("Leave this field empty")
        self.fields["country"].choices = [("", _("(not given)")), *countries]
        for name in ("organisation_name", "city", "on_behalf_of"):
            self.fields[name].widget.attrs["dir"] = "auto"
        # A reply answers a comment, and the note as a whole has no passages: no passage fields there.
        self.passages = {} if parent is not None else {p.key: p for p in target_object.comment_passages() if p.key}
        if self.passages:
            self.fields["passage"].choices = [
                ("", gettext("The whole section")),
                *(
                    (key, gettext("Paragraph %(n)d: %(start)s") % {"n": n, "start": _opening(p.text)})
                    for n, (key, p) in enumerate(self.passages.items(), 1)
                ),
            ]
        else:
            for name in ("passage", "quote", "proposal"):
                del self.fields[name]
        self.order_fields(self.field_order)

    @staticmethod
    def _limit_note(limit: int) -> str:
        return gettext("Up to %(limit)s characters.") % {"limit": number_format(limit, force_grouping=True)}

    def display_choices(self) -> list[tuple[object, str]]:
        """Each visibility choice's radio button, with what readers will see if it is chosen."""
        labels = part_labels()
        choices = []
        for radio in self["display"]:
            shown = SHOWN.get(radio.data["value"], frozenset())
            seen = [labels[part] for part in PARTS if part in shown]
            if "name" not in shown and "organisation" not in shown:
                seen.insert(0, gettext("“Anonymous participant”"))
            unseen = [labels[part] for part in PARTS if part not in shown]
            note = gettext("Readers see: %(shown)s.") % {"shown": ", ".join(seen)}
            if unseen:
                note += " " + gettext("Never shown: %(hidden)s.") % {"hidden": ", ".join(unseen)}
            choices.append((radio, note))
        return choices

    def preview_texts(self) -> dict[str, str]:
        """The words the live preview writes (static/js/comment-form.js has no catalogue of its own)."""
        return {"anonymous": gettext("Anonymous participant"), "on_behalf": gettext("on behalf of %(who)s")}

    def signature_preview(self) -> PublicSignature:
        """The signature as it will appear, from what the poster typed (the error page shows it)."""
        if not self.is_bound:
            return public_signature(display=self["display"].initial)
        data = self.data
        values = {part: " ".join(str(data.get(field, "")).split()) for field, part in SIGNATURE_FIELDS.items()}
        if values["country"] not in dict(countries):
            values["country"] = ""
        return public_signature(
            display=str(data.get("display", "")), show_country=not data.get("hide_country"), **values
        )

    def clean_comment(self) -> str:
        text = clean_text(self.cleaned_data.get("comment", ""))
        if not text.strip():
            raise forms.ValidationError(_("Please write your comment."))
        return text

    def clean_honeypot(self) -> str:
        # A filled honeypot is not refused here (that would teach bots): the screening scores it.
        return self.cleaned_data.get("honeypot", "")

    def form_seconds(self) -> int | None:
        """Seconds between the (signed) moment the form was rendered and now."""
        timestamp = self.cleaned_data.get("timestamp")
        return max(0, int(time.time()) - int(timestamp)) if timestamp else None

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in ("name", "organisation_name", "city", "on_behalf_of"):
            if name in cleaned:
                cleaned[name] = " ".join(clean_text(cleaned[name] or "").split())
        if self.passages:
            self._clean_passage(cleaned)
        if cleaned.get("display") == Display.ORGANISATION_ONLY and not cleaned.get("organisation_name"):
            self.add_error(
                "organisation_name",
                _("Give your organisation's name, or choose to be shown as an anonymous participant."),
            )
        return cleaned

    def _clean_passage(self, cleaned: dict) -> None:
        """The passage, the quoted words and the proposed wording must fit together."""
        key = cleaned.get("passage") or ""
        quote = " ".join(clean_text(cleaned.get("quote") or "").split())
        proposal = clean_text(cleaned.get("proposal") or "").strip()
        passage = self.passages.get(key)
        if passage is None:
            if quote and "passage" not in self.errors:
                self.add_error("passage", _("Choose the paragraph these words are from."))
            if proposal and "passage" not in self.errors:
                self.add_error("passage", _("Choose the paragraph your proposed wording is for."))
            return
        if quote and quote.casefold() not in passage.text.casefold():
            self.add_error(
                "quote",
                _(
                    "These words are not in the paragraph you chose: copy them from it, "
                    "or leave this empty to comment on the whole paragraph."
                ),
            )
            return
        if quote:
            start = passage.text.casefold().index(quote.casefold())
            quote = passage.text[start : start + len(quote)]  # as the text writes them
        else:
            quote = passage.text
        if proposal:
            if cleaned.get("kind") != Kind.AMEND:
                self.add_error(
                    "proposal",
                    _("Proposed wording goes with “Support with amendments”: choose it above, or leave this empty."),
                )
            elif " ".join(proposal.split()) == quote:
                self.add_error(
                    "proposal", _("Your proposed wording is the same as the text: change it, or leave this empty.")
                )
        cleaned["passage"], cleaned["quote"], cleaned["proposal"] = key, quote, proposal

    def has_security_errors(self) -> bool:
        return any(name in self.errors for name in SECURITY_FIELDS)

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and self.has_security_errors():
            self.add_error(
                None,
                _(
                    "This form was open too long or was changed on the way. "
                    "Your text is kept below: check it and send again."
                ),
            )

    def refuse_for_now(self, minutes: int) -> None:
        """Say, above the form kept as typed, that this connection sent too much and when to send again."""
        self.add_error(
            None,
            ngettext(
                "Many comments were sent from your connection in a short time. Your text is kept below: "
                "please send it again in %(minutes)d minute.",
                "Many comments were sent from your connection in a short time. Your text is kept below: "
                "please send it again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
        )

    def submission(self) -> Submission:
        """The valid form as the service takes it: what the poster wrote, how they sign, where."""
        data = self.cleaned_data
        target = self.target_object
        return Submission(
            target=target,
            parent=self.parent,
            text=data["comment"],
            kind=data["kind"],
            email=data["email"],
            signature=Signature(
                name=data["name"],
                organisation_name=data["organisation_name"],
                city=data["city"],
                country=data["country"],
                on_behalf_of=data["on_behalf_of"],
                display=data["display"],
                show_country=not data["hide_country"],
            ),
            language=data["language"] or languages.detect(data["comment"], fallback=self.page_language()),
            version=self._version_read(data.get("version")),
            followup=data["followup"],
            form_seconds=self.form_seconds(),
            honeypot_filled=bool(data.get("honeypot")),
            passage_key=data.get("passage") or "",
            quote=data.get("quote") or "",
            proposal=data.get("proposal") or "",
        )

    @staticmethod
    def page_language() -> str:
        return (get_language() or settings.LANGUAGE_CODE)[:2]

    def _version_read(self, version_id) -> Version | None:
        """The published version the poster was reading, if it belongs to the target's document."""
        if not version_id:
            return None
        document = self.target_object.comment_document()
        return Version.objects.published().filter(pk=version_id, document_id=document.pk).first()

    def refresh_security_data(self) -> None:
        """Re-sign the form so a poster whose page sat open too long can send again without retyping."""
        data = self.data.copy()
        data.update(self.generate_security_data())
        self.data = data
