"""Forms of the desk: they parse and validate input; the decisions themselves are in the services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from campaign.organisations.models import Organisation
from comments import languages
from comments.desk import selectors
from comments.desk_services import DECISIONS
from comments.models import KeywordRule, Kind, ModerationEvent, Outcome, RejectionReason

ORDER_CHOICES = [("newest", _("Newest first")), ("oldest", _("Oldest first"))]
DECISION_LABELS = {"approve": _("Approve"), "reject": _("Reject"), "spam": _("Spam"), "not_spam": _("Not spam")}


class QueueFilterForm(forms.Form):
    """The queue's GET filters; a value that does not parse is ignored, the others still apply."""

    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    target = forms.ChoiceField(label=_("Page"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices])
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=lambda: [("", _("All languages")), *languages.choices()]
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    score_min = forms.FloatField(label=_("Score from"), required=False)
    score_max = forms.FloatField(label=_("Score to"), required=False)
    group = forms.IntegerField(label=_("Campaign group"), required=False, min_value=0)
    order = forms.ChoiceField(label=_("Order"), required=False, choices=ORDER_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", _("All pages")), *selectors.target_choices()]
        self.fields["country"].choices = [("", _("All countries")), *countries]

    def queue_filters(self) -> selectors.QueueFilters:
        self.is_valid()
        data = self.cleaned_data
        target = None
        if data.get("target"):
            content_type_id, object_pk = data["target"].split("-", 1)
            target = (int(content_type_id), object_pk)
        return selectors.QueueFilters(
            target=target,
            kind=data.get("kind") or "",
            language=data.get("language") or "",
            country=data.get("country") or "",
            score_min=data.get("score_min"),
            score_max=data.get("score_max"),
            campaign_group=data.get("group"),
            oldest_first=data.get("order") == "oldest",
            words=data.get("q") or "",
        )


class RejectForm(forms.Form):
    reason = forms.ModelChoiceField(
        label=_("Reason"), queryset=RejectionReason.objects.all(), empty_label=_("Choose a reason")
    )
    note = forms.CharField(label=_("Note to the poster (optional)"), required=False, max_length=2000)


class BulkForm(forms.Form):
    """A decision on the comments ticked on a queue page, or on a whole campaign group in a queue."""

    decision = forms.ChoiceField(choices=[(d, DECISION_LABELS[d]) for d in DECISIONS])
    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)
    group = forms.IntegerField(required=False, min_value=0)
    state = forms.ChoiceField(required=False, choices=[(s, s) for s in selectors.QUEUES])
    reason = forms.ModelChoiceField(queryset=RejectionReason.objects.all(), required=False)
    note = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any integer is accepted here; the service acts only on comments that exist.
        values = self.data.getlist("ids") if self.is_bound else []
        self.fields["ids"].choices = [(v, v) for v in values if str(v).isdigit()]

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reason"):
            self.add_error("reason", _("Choose a reason to send to the posters."))
        if data.get("group") is not None and not data.get("state"):
            self.add_error("state", _("Choose the queue of the group."))
        if not data.get("ids") and data.get("group") is None:
            raise forms.ValidationError(_("Tick at least one comment."))
        return data


class OfficialReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply of the working group"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=settings.COMMENTS_TEXT_MAX_LENGTH,
    )
    language = forms.ChoiceField(label=_("Language"), choices=languages.choices)


class KeywordRuleForm(forms.Form):
    phrase = forms.CharField(label=_("Word or phrase"), max_length=200)
    action = forms.ChoiceField(label=_("What to do"), choices=KeywordRule.Action.choices)


class RejectionReasonForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    text = forms.CharField(label=_("Text sent to the poster (English)"), widget=forms.Textarea(attrs={"rows": 3}))
    text_fr = forms.CharField(
        label=_("In French"), required=False, widget=forms.Textarea(attrs={"rows": 3, "lang": "fr"})
    )
    text_es = forms.CharField(
        label=_("In Spanish"), required=False, widget=forms.Textarea(attrs={"rows": 3, "lang": "es"})
    )
    text_ru = forms.CharField(
        label=_("In Russian"), required=False, widget=forms.Textarea(attrs={"rows": 3, "lang": "ru"})
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, initial=0, required=False)


TRANSLATED = ("fr", "es", "ru")  # the languages a rejection reason's text is written in, besides English


class CorrectionRejectForm(forms.Form):
    note = forms.CharField(label=_("Note for the audit log (optional)"), required=False, max_length=2000)


class PrivateMessageForm(forms.Form):
    text = forms.CharField(
        label=_("Private message to the poster"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=settings.COMMENTS_TEXT_MAX_LENGTH,
    )


class AmendmentAnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Answer"), choices=Outcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason (public, and mailed to the poster)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class TakeUpForm(forms.Form):
    version = forms.IntegerField(label=_("Taken up in version"), required=False, min_value=1)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the comment"), choices=languages.choices)


class MergeForm(forms.Form):
    duplicate = forms.ModelChoiceField(
        label=_("Duplicate (deleted)"), queryset=Organisation.objects.only("id", "name", "city")
    )
    keep = forms.ModelChoiceField(label=_("Keep"), queryset=Organisation.objects.only("id", "name", "city"))

    def clean(self):
        data = super().clean()
        if data.get("keep") and data.get("duplicate") and data["keep"].pk == data["duplicate"].pk:
            raise forms.ValidationError(_("Choose two different organisations."))
        return data


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All actions")), *ModerationEvent.Action.choices]
    )
    actor = forms.ChoiceField(label=_("By"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", _("Anyone")), *selectors.actor_choices()]
