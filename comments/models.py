"""Organisational comments and endorsements, on top of django-comments-xtd.

``OrgComment`` extends ``XtdComment`` (threads) with what the campaign needs: the
kind of statement, how the poster signs, what they allow to be shown, and a
moderation ``state``. ``is_public`` is kept by the services as "approved, and every
ancestor approved"; ``OrgCommentQuerySet.visible()`` is the one place that says
what the public may see.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_comments_xtd.models import XtdComment, XtdCommentManager
from django_countries.fields import CountryField

from comments import languages
from comments.findings import describe
from comments.signature import Display, PublicSignature, public_signature


class Kind(models.TextChoices):
    ENDORSE = "endorse", _("Endorsement")
    AMEND = "amend", _("Support with amendments")
    CONCERN = "concern", _("Concern")
    QUESTION = "question", _("Question")
    COMMENT = "comment", _("Comment")


class State(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("Waiting for email confirmation")
    PENDING = "pending", _("Pending screening")
    REVIEW = "review", _("Waiting for a coordinator")
    SPAM = "spam", _("Spam")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn by its poster")


class Outcome(models.TextChoices):
    """The working group's answer to an amendment, shown with it and mailed to its poster."""

    ACCEPTED = "accepted", _("Accepted")
    PARTLY = "partly", _("Accepted in part")
    DECLINED = "declined", _("Declined")


class Origin(models.TextChoices):
    """Where a comment was written: on this site, or brought over from the original campaign page."""

    SITE = "", _("this site")
    WORDPRESS = "wordpress", _("the original campaign page (WordPress)")


class OrgCommentQuerySet(models.QuerySet):
    def visible(self) -> OrgCommentQuerySet:
        """Return what the public may see: approved, with every ancestor approved.

        Pages, counts, feeds, search, exports and caches all read through here.
        """
        return self.filter(state=State.APPROVED, is_public=True, is_removed=False)

    def for_target(self, target: models.Model) -> OrgCommentQuerySet:
        from django.contrib.contenttypes.models import ContentType

        return self.filter(content_type=ContentType.objects.get_for_model(target), object_pk=str(target.pk))


class OrgCommentManager(XtdCommentManager.from_queryset(OrgCommentQuerySet)):
    def get_queryset(self) -> OrgCommentQuerySet:
        # XtdCommentManager joins user and content type on every query; public pages need neither.
        return OrgCommentQuerySet(self.model, using=self._db).order_by("thread_id", "order")


class OrgComment(XtdComment):
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.COMMENT)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "campaign.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"), blank=True)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=200, blank=True)
    # The language the comment is written in: any language Django knows, not only the site's.
    language = models.CharField(_("language"), max_length=8, choices=languages.choices, default="en")
    # The language of the poster's mail: a language of the site (comments.languages.mail_language).
    mail_language = models.CharField(_("language of mail"), max_length=8, blank=True, editable=False)
    version = models.ForeignKey("guidance.Version", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    display = models.CharField(
        _("what may be shown"), max_length=16, choices=Display.choices, default=Display.ANONYMOUS
    )
    # The poster may withhold their country too (comments.signature.SHOWN); earlier comments showed it.
    show_country = models.BooleanField(_("country may be shown"), default=True)
    comment_html = models.TextField(_("comment as shown"), blank=True, editable=False)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.UNCONFIRMED, db_index=True)
    state_changed_at = models.DateTimeField(default=timezone.now)
    spam_score = models.FloatField(null=True, blank=True)
    spam_reasons = models.JSONField(default=list, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    # Keyed HMAC of the client address; the raw address is never stored. Purged after a retention period.
    address_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # SHA-256 of the opaque confirmation token mailed to the poster; the token itself is not stored.
    confirmation_hash = models.CharField(max_length=64, blank=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The poster opened the link mailed to ``user_email``: the only proof that the address is theirs.
    # A sender's history and trust by email (comments.screening) count only comments that have it.
    confirmed_by_mail = models.BooleanField(default=False, editable=False)
    # A reply by a coordinator on behalf of the working group: signed as the group, never by name.
    official = models.BooleanField(_("official reply of the working group"), default=False)
    # MinHash signature of the text's word shingles, to find near-duplicates across posters.
    minhash = models.JSONField(default=list, blank=True, editable=False)
    # Near-duplicates are grouped as one campaign: the id of the group's first comment.
    campaign_group = models.IntegerField(null=True, blank=True, db_index=True)
    # Seconds from the form's signed render time to the submission (the screening's speed check).
    form_seconds = models.IntegerField(null=True, blank=True, editable=False)
    # The hidden field people never see was filled in: almost always a bot. Kept, scored, never dropped.
    honeypot_filled = models.BooleanField(default=False, editable=False)
    # When a correction by its poster was approved and replaced the text: readers see "edited".
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)
    # The passage of the section the comment is about (guidance.passages: an anchor that lasts across
    # versions), and the words it quotes from it as they read in ``version`` when it was written.
    passage_key = models.CharField(_("passage"), max_length=16, blank=True, db_index=True)
    quote = models.TextField(_("quoted words"), blank=True)
    # An amendment's proposed wording for the quoted words; its reason is the comment's text.
    proposal = models.TextField(_("proposed wording"), blank=True)
    # The working group's public answer to an amendment, and the version that took it up.
    outcome = models.CharField(_("answer"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(_("reason for the answer"), blank=True)
    outcome_at = models.DateTimeField(_("answered"), null=True, blank=True)
    taken_up_in = models.ForeignKey(
        "guidance.Version",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="amendments_taken_up",
        verbose_name=_("taken up in version"),
    )
    # A comment brought over by an import (``manage.py import_wordpress``) says where it came from, and
    # keeps the key of its row there (the export's site and the comment's number), so a second run
    # of the same export finds it and imports nothing twice. Both are empty for comments posted here.
    origin = models.CharField(
        _("origin"), max_length=16, choices=Origin.choices, blank=True, default="", editable=False
    )
    import_key = models.CharField(max_length=255, blank=True, default="", editable=False)

    objects = OrgCommentManager()

    class Meta:
        verbose_name = pgettext_lazy("model", "comment")
        verbose_name_plural = pgettext_lazy("model", "comments")
        permissions = [("moderate_orgcomment", "Can moderate comments")]
        indexes = [
            models.Index(fields=["state", "state_changed_at"], name="orgcomment_state_changed"),
            # Amendments with proposed wording, a few among thousands of comments: the report lists
            # them a page at a time, read through this index rather than a scan of every comment.
            models.Index(fields=["state", "kind"], condition=~models.Q(proposal=""), name="orgcomment_worded"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["import_key"], condition=~models.Q(import_key=""), name="orgcomment_unique_import_key"
            ),
        ]

    def get_absolute_url(self, anchor_pattern: str = "#c%(id)s") -> str:
        return reverse("comments:permalink", kwargs={"comment_id": self.pk})

    @property
    def signature(self) -> PublicSignature:
        """What readers see of who wrote this comment (comments.signature: the one rule for every page)."""
        loaded = vars(self)
        if "organisation_verified_at" in loaded:
            # Annotated by the page's query (selectors.thread_page): no Organisation to build or fetch.
            organisation = loaded.get("organisation_linked_name") or self.organisation_name
            verified = loaded["organisation_verified_at"]
        else:
            linked = self.organisation if self.organisation_id and self.display != Display.ANONYMOUS else None
            organisation = linked.name if linked else self.organisation_name
            verified = linked.verified_at if linked else None
        # The raw code where it was loaded: CountryField wraps it in a Country object on access.
        country = loaded.get("country")
        if not isinstance(country, str):
            country = self.country.code or ""
        return public_signature(
            display=self.display,
            name=self.user_name,
            organisation=organisation,
            city=self.city,
            country=country,
            on_behalf_of=self.on_behalf_of,
            show_country=self.show_country,
            verified=bool(verified),
        )

    @property
    def public_name(self) -> str:
        """Return the name the poster allowed to be shown."""
        return self.signature.name

    @property
    def public_organisation(self) -> str:
        return self.signature.organisation

    @property
    def language_name(self) -> str:
        """The name of the comment's language, in the reader's language."""
        return languages.name(self.language)

    @property
    def mail_language_or_default(self) -> str:
        """The language of this poster's mail (comments saved before it was recorded: from their language)."""
        return self.mail_language or languages.mail_language(self.language)

    @property
    def is_amendment(self) -> bool:
        """An amendment with wording: a proposal for quoted words of a passage."""
        return bool(self.proposal and self.passage_key)

    @property
    def is_anonymous(self) -> bool:
        return self.signature.anonymous


class ModerationEvent(models.Model):
    """Append-only audit log: every change of a comment's state, by whom and why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        CONFIRM = "confirm", _("Confirmed by email")
        SCREEN = "screen", _("Screened")
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        SPAM = "spam", _("Marked as spam")
        NOT_SPAM = "not_spam", _("Marked as not spam")
        REQUEUE = "requeue", _("Sent back for review")
        WITHDRAW = "withdraw", _("Withdrawn by its poster")
        ERASE = "erase", _("Personal data erased at its poster's request")
        CORRECT = "correct", _("Correction proposed by its poster")
        CORRECT_APPROVE = "correct_approve", _("Correction approved")
        CORRECT_REJECT = "correct_reject", _("Correction rejected")
        MESSAGE = "message", _("Private message sent to the poster")
        LANGUAGE = "language", _("Language corrected")
        ANSWER = "answer", _("Amendment answered")
        TAKE_UP = "take_up", _("Amendment linked to a version")

    comment = models.ForeignKey(OrgComment, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    old_state = models.CharField(max_length=16, choices=State.choices, blank=True)
    new_state = models.CharField(max_length=16, choices=State.choices)
    reason = models.TextField(blank=True)  # as written: a coordinator's note, or a screening's findings in English
    score = models.FloatField(null=True, blank=True)
    # A screening's findings as message codes, values and scores (comments.findings.MESSAGES), so
    # that the desk shows them in each coordinator's language; None for every other event.
    findings = models.JSONField(null=True, blank=True, editable=False)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.old_state} -> {self.new_state} ({self.action})"

    @property
    def actor_label(self) -> str:
        return self.actor.get_username() if self.actor_id else gettext("system")

    @property
    def shown_reason(self) -> str:
        """The reason in the reader's language where it can be: a screening's is told again from its
        findings; a coordinator's note is shown as they wrote it."""
        if self.findings is not None:
            return describe(self.findings) or self.reason
        return self.reason


class MinHashBand(models.Model):
    """One band of a comment's MinHash signature, hashed to one number (locality-sensitive hashing).

    Two texts whose signatures agree on all rows of any one band share a key, so the screening
    finds its near-duplicate candidates with one indexed lookup, however many comments there are,
    and compares only those signatures (comments.screening.check_near_duplicates).
    """

    comment = models.ForeignKey(OrgComment, on_delete=models.CASCADE, related_name="minhash_bands")
    key = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.key}"


class KeywordRule(models.Model):
    """A word or phrase coordinators want held for review or treated as spam."""

    class Action(models.TextChoices):
        HOLD = "hold", _("Hold for review")
        SPAM = "spam", _("Treat as spam")

    phrase = models.CharField(_("word or phrase"), max_length=200)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices, default=Action.HOLD)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["action", "phrase"]
        constraints = [models.UniqueConstraint(fields=["phrase", "action"], name="keywordrule_unique_phrase_action")]

    def __str__(self) -> str:
        return f"{self.phrase} ({self.get_action_display()})"


class RejectionReason(models.Model):
    """An editable reason a coordinator can choose when rejecting a comment; sent to the poster.

    ``text`` is the English text; the others are its translations, mailed to posters who write in
    those languages (an empty one falls back to English).
    """

    title = models.CharField(_("title"), max_length=120, unique=True)
    text = models.TextField(_("text sent to the poster"))
    text_fr = models.TextField(_("text in French"), blank=True)
    text_es = models.TextField(_("text in Spanish"), blank=True)
    text_ru = models.TextField(_("text in Russian"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title

    def text_in(self, language: str) -> str:
        """The text for a poster whose mail is in ``language``: its translation, or the English."""
        return getattr(self, f"text_{language}", "") or self.text


class CommentRevision(models.Model):
    """A correction a poster proposed for their comment, kept apart until a coordinator decides.

    The comment readers see keeps its text until the correction is approved; then the text is
    replaced and the comment says "edited". A rejected correction stays here, for the audit.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a coordinator")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    comment = models.ForeignKey(OrgComment, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField(_("corrected text"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    # What screening found in the corrected text (messages for coordinators), and its score.
    spam_score = models.FloatField(null=True, blank=True)
    spam_reasons = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.status}"


class PrivateMessage(models.Model):
    """A coordinator's private answer to a poster, mailed by a task to the address the comment keeps.

    The coordinator writes the text and never sees the address; ``sent_at`` makes the mail go once.
    """

    comment = models.ForeignKey(OrgComment, on_delete=models.CASCADE, related_name="private_messages")
    text = models.TextField(_("message"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.comment_id}: message {self.pk}"


# The three models below held the naive Bayes classifier that ClassifierModel replaced. Nothing reads
# or writes them any more; they stay until a later migration drops their tables (migrations here are
# additive: add, move over, then remove).


class SpamToken(models.Model):
    """Naive Bayes counts for one token (no longer used: see ClassifierModel)."""

    token = models.CharField(max_length=64, unique=True)
    spam = models.PositiveIntegerField(default=0)
    ham = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.token}: {self.spam}/{self.ham}"


class ClassifierTotals(models.Model):
    """How many spam and ham documents the naive Bayes classifier had learned (no longer used)."""

    label = models.CharField(max_length=4, unique=True, choices=[("spam", "spam"), ("ham", "ham")])
    documents = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.label}: {self.documents}"


class TrainedComment(models.Model):
    """What the naive Bayes classifier last learned from a comment (no longer used: labels now come
    from the comments' current states at each retrain)."""

    comment = models.OneToOneField(OrgComment, on_delete=models.CASCADE, related_name="training")
    label = models.CharField(max_length=4, choices=[("spam", "spam"), ("ham", "ham")])
    trained_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.label}"


class ClassifierModel(models.Model):
    """One fitted spam classifier: the scikit-learn pipeline, pickled, with what it learned from.

    Rows are only ever added: the newest version is the model in use, so a new one takes over for
    every process at once, by one INSERT, and an older one stays for comparison. A row without a
    pipeline records a training that found too few examples: the classifier then abstains.
    """

    version = models.PositiveIntegerField(unique=True)
    created = models.DateTimeField(default=timezone.now)
    spam_examples = models.PositiveIntegerField(default=0)
    ham_examples = models.PositiveIntegerField(default=0)
    # The newest decision or labelled text it learned from: a retrain with nothing newer is skipped.
    data_through = models.DateTimeField(null=True, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    pipeline = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}: {self.spam_examples} spam, {self.ham_examples} ham"


class LabelledText(models.Model):
    """A labelled text that is not a comment (from ``spam_train --csv``): it takes part in every retrain."""

    text = models.TextField()
    label = models.CharField(max_length=4, choices=[("spam", "spam"), ("ham", "ham")])
    created = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.label}: {self.text[:40]}"


class SentMail(models.Model):
    """One mail sent once: a retried or redelivered task finds its row and mails nobody twice.

    The recipient is kept only as a keyed hash (``mail.recipient_key``), never as an address.
    """

    kind = models.CharField(max_length=40)  # e.g. "followup", "decision_approved", "review_digest"
    object_key = models.CharField(max_length=40)  # the comment's id, or the digest's period
    recipient_key = models.CharField(max_length=64)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_key", "recipient_key"], name="sent_mail_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_key}"
