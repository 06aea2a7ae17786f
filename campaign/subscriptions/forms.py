"""The subscription form and the form that changes a subscription's choices."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from campaign.subscriptions.models import Topic


class TopicsForm(forms.Form):
    topics = forms.MultipleChoiceField(
        label=_("Send me a mail when"),
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=True,
        error_messages={"required": _("Choose at least one kind of news.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def chosen(self) -> frozenset[str]:
        return frozenset(self.cleaned_data["topics"])


class SubscribeForm(TopicsForm):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("We mail you a link to confirm. Never shown, never shared; deleted when you unsubscribe."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # Hidden from people (CSS); bots fill it in. A filled one is answered as any other, and nothing is kept.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    field_order = ["email", "topics", "website"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].initial = list(Topic.values)
        self.order_fields(self.field_order)

    def from_a_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class ManageForm(TopicsForm):
    language = forms.ChoiceField(label=_("Language of the mail"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language named in itself, as the language switcher names them.
        self.fields["language"].choices = [
            (code, translation.get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
        ]
