"""The comment form: django-comments-xtd's form with the campaign's signature fields."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_comments_xtd.forms import XtdCommentForm
from django_countries import countries

from comments import languages
from comments.models import Display, Kind
from comments.text import clean_text

SECURITY_FIELDS = ("timestamp", "security_hash", "content_type", "object_pk")


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
    language = forms.ChoiceField(label=_("Language of your comment"), choices=languages.choices)
    display = forms.ChoiceField(
        label=_("What may be shown with your comment?"),
        choices=Display.choices,
        initial=Display.NAME_AND_ORGANISATION,
        widget=forms.RadioSelect,
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    field_order = [
        "kind", "comment", "name", "organisation_name", "city", "country", "on_behalf_of", "language",
        "display", "email", "followup", "honeypot",
    ]  # fmt: skip

    def __init__(self, target_object, *args, parent=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(target_object, *args, comment=parent, **kwargs)
        del self.fields["url"]
        self.fields["comment"] = forms.CharField(
            label=_("Your comment"),
            max_length=settings.COMMENTS_TEXT_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 10, "dir": "auto"}),
            help_text=_("Plain text. Paragraphs, lists and line breaks are kept as you type them; links become links."),
        )
        self.fields["name"].required = False
        self.fields["name"].label = _("Your name (optional)")
        self.fields["name"].widget = forms.TextInput(attrs={"autocomplete": "name", "dir": "auto"})
        self.fields["email"].label = _("Email")
        self.fields["email"].help_text = _(
            "Required, to confirm your comment and to reach you. Never shown, never shared, never exported."
        )
        self.fields["email"].widget = forms.EmailInput(attrs={"autocomplete": "email"})
        self.fields["followup"].label = _("Email me when someone replies in this discussion")
        self.fields["followup"].widget.attrs.pop("class", None)
        self.fields["honeypot"].label = _("Leave this field empty")
        self.fields["country"].choices = [("", _("(not given)")), *countries]
        self.fields["language"].initial = (get_language() or settings.LANGUAGE_CODE)[:2]
        for name in ("organisation_name", "city", "on_behalf_of"):
            self.fields[name].widget.attrs["dir"] = "auto"
        self.order_fields(self.field_order)

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
        if cleaned.get("display") == Display.ORGANISATION_ONLY and not cleaned.get("organisation_name"):
            self.add_error(
                "organisation_name",
                _("Give your organisation's name, or choose to be shown as an anonymous participant."),
            )
        return cleaned

    def has_security_errors(self) -> bool:
        return any(name in self.errors for name in SECURITY_FIELDS)

    def refresh_security_data(self) -> None:
        """Re-sign the form so a poster whose page sat open too long can send again without retyping."""
        data = self.data.copy()
        data.update(self.generate_security_data())
        self.data = data
