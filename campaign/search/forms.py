"""The search form: the words (``q``) and four filters, read from the address (a GET form, no script)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.search.selectors import Choices, Filters

#: The longest query searched, in characters (longer ones are refused with a message, never cut).
MAX_QUERY = 200
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def normal_query(text: str) -> str:
    """The words as searched: control characters dropped, one space between words."""
    return " ".join(_INVISIBLE.sub(" ", text).split())


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"),
        required=False,
        strip=True,
        max_length=MAX_QUERY,
        widget=forms.SearchInput(attrs={"enterkeyhint": "search"}),
        help_text=_("One or more words: each result holds them all, in any form (“worker” finds “workers”)."),
        error_messages={
            "max_length": _(
                "Use at most %(limit_value)d characters (this has %(show_value)d): keep the few words that matter most."
            ),
            "null_characters_not_allowed": _("The words hold a character that cannot be searched for."),
        },
    )
    section = forms.ChoiceField(label=_("Section"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, data, *, choices: Choices) -> None:
        super().__init__(data)
        self.fields["section"].choices = [("", _("All sections")), *choices.sections]
        self.fields["kind"].choices = [("", _("All kinds")), *choices.kinds]
        self.fields["language"].choices = [("", _("All languages")), *choices.languages]
        self.fields["country"].choices = [("", _("All countries")), *choices.countries]

    def clean_q(self) -> str:
        return normal_query(self.cleaned_data["q"])

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(section=data["section"], kind=data["kind"], language=data["language"], country=data["country"])
