"""The Guidance Note: documents, their versions, and sections with stable keys.

A ``Section`` is the identity of a section across versions (its ``key``); a
``SectionText`` is what that section says in one version. Comments attach to the
``Section``, so they survive new versions.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guidance.passages import Passage
from guidance.passages import load as load_passages
from guidance.rendering import lift_headings

key_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$", _("Use lowercase letters, digits and single hyphens, like rights-based-approach.")
)


class DocumentQuerySet(models.QuerySet):
    def primary(self) -> Document | None:
        """Return the document the home page presents."""
        if settings.CAMPAIGN_DOCUMENT:
            return self.filter(slug=settings.CAMPAIGN_DOCUMENT).first()
        return self.order_by("created").first()


class Document(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    language = models.CharField(
        _("original language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    consultation_opens = models.DateField(_("consultation opens"), null=True, blank=True)
    consultation_closes = models.DateField(_("consultation closes"), null=True, blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consultation_opens__isnull=True)
                | Q(consultation_closes__isnull=True)
                | Q(consultation_closes__gte=models.F("consultation_opens")),
                name="document_consultation_window_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("guidance:document", kwargs={"slug": self.slug})

    def consultation_status(self, today=None) -> str:
        """Say whether the consultation is upcoming, open or closed ('' when no window is set)."""
        today = today or timezone.localdate()
        if self.consultation_opens and today < self.consultation_opens:
            return "upcoming"
        if self.consultation_closes and today > self.consultation_closes:
            return "closed"
        if self.consultation_opens or self.consultation_closes:
            return "open"
        return ""

    def current_version(self) -> Version | None:
        """Return the newest published version in the document's own language."""
        return self.versions.filter(translation_of__isnull=True, published__isnull=False).order_by("-number").first()

    def reference_stamp(self) -> tuple[int, int]:
        """What changes whenever the note's text does (a text added, replaced or removed): one query."""
        found = SectionText.objects.filter(version__document_id=self.pk).aggregate(top=Max("id"), count=Count("id"))
        return found["top"] or 0, found["count"]

    # What a model offers to be commented on (comments.targets.CommentTarget). The comment feeds are
    # served by the comments app; the note names their addresses, as it names its own pages.

    def comment_title(self) -> str:
        return self.title

    def comment_document(self) -> Document:
        return self

    def comment_feed_url(self) -> str:
        return reverse("comments:document-feed", kwargs={"slug": self.slug})

    def comment_changes_url(self, since: int, until: int) -> str:
        """Where a reader sees what changed in the note between two version numbers."""
        return reverse("guidance:compare", kwargs={"slug": self.slug, "a": since, "b": until})

    def comment_scope(self) -> list[tuple[type[models.Model], models.QuerySet]]:
        """The note as a whole and each of its sections: what its comments, counts and endorsers cover."""
        return [(Document, Document.objects.filter(pk=self.pk)), (Section, Section.objects.filter(document_id=self.pk))]

    def comment_passages(self) -> list[Passage]:
        """The note as a whole has no passages of its own: comments point at a section's."""
        return []

    def reference_languages(self) -> set[str]:
        """The languages the note's text exists in (its versions and their translations)."""
        return set(Version.objects.filter(document_id=self.pk).values_list("language", flat=True))

    def reference_texts(self) -> list[str]:
        """The note's own words in every version and language: title, summary, each section's heading
        and body, for a reader (the relevance check) to compare a comment with."""
        texts = [self.title, self.summary]
        for heading, body in SectionText.objects.filter(version__document_id=self.pk).values_list(
            "heading", "body_markdown"
        ):
            texts.append(heading)
            texts.extend(paragraph for paragraph in body.split("\n\n") if paragraph.strip())
        return [text for text in texts if text.strip()]


class VersionQuerySet(models.QuerySet):
    def published(self) -> VersionQuerySet:
        return self.filter(published__isnull=False, published__lte=timezone.now())

    def originals(self) -> VersionQuerySet:
        """Versions in the document's own language (not translations)."""
        return self.filter(translation_of__isnull=True)


class Version(models.Model):
    class Kind(models.TextChoices):
        ORIGINAL = "original", _("Original text")
        DRAFT = "draft", _("Reworked draft")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    label = models.CharField(_("label"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.DRAFT)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    published = models.DateTimeField(_("published"), null=True, blank=True)
    changelog = models.TextField(_("changelog"), blank=True)
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("translation of"),
    )
    created = models.DateTimeField(default=timezone.now, editable=False)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["document", "number", "language"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number", "language"], name="version_unique_number_language"),
            models.UniqueConstraint(fields=["document", "label", "language"], name="version_unique_label_language"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
            models.CheckConstraint(
                condition=~Q(translation_of=models.F("id")), name="version_not_translation_of_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.slug} v{self.number} {self.label} ({self.language})"

    def clean(self) -> None:
        source = self.translation_of
        if source is not None:
            if source.translation_of_id is not None:
                raise ValidationError({"translation_of": _("Translate an original version, not a translation.")})
            if source.document_id != self.document_id:
                raise ValidationError({"translation_of": _("A translation belongs to the same document.")})
            if source.language == self.language:
                raise ValidationError({"language": _("A translation is in another language than its source.")})
            if source.number != self.number:
                raise ValidationError({"number": _("A translation carries the number of the version it translates.")})

    @property
    def is_translation(self) -> bool:
        return self.translation_of_id is not None

    def url_kwargs(self) -> dict:
        kwargs = {"slug": self.document.slug, "number": self.number}
        if self.is_translation:
            kwargs["lang"] = self.language
        return kwargs

    def get_absolute_url(self) -> str:
        name = "guidance:version-translation" if self.is_translation else "guidance:version"
        return reverse(name, kwargs=self.url_kwargs())

    def get_print_url(self) -> str:
        name = "guidance:version-print-translation" if self.is_translation else "guidance:version-print"
        return reverse(name, kwargs=self.url_kwargs())


def _current_heading() -> Coalesce:
    """A section's heading in the document's current version (its newest published original).

    Before any version is published, the newest draft's heading; the key only for a section no
    version has text for, so that readers and coordinators see words, not slugs.
    """
    originals = SectionText.objects.filter(section_id=OuterRef("pk"), version__translation_of__isnull=True)
    published = originals.filter(version__published__isnull=False, version__published__lte=timezone.now())
    newest = ("-version__number",)
    return Coalesce(
        Subquery(published.order_by(*newest).values("heading")[:1]),
        Subquery(originals.order_by(*newest).values("heading")[:1]),
        "key",
    )


class SectionQuerySet(models.QuerySet):
    def with_title(self) -> SectionQuerySet:
        """Annotate each section's ``title`` in the same query (lists stay at a constant query count)."""
        return self.annotate(current_heading=_current_heading())


class Section(models.Model):
    """The stable identity of one section of a document across its versions."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(_("key"), max_length=100, validators=[key_validator])
    created = models.DateTimeField(default=timezone.now, editable=False)

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["document", "key"]
        constraints = [models.UniqueConstraint(fields=["document", "key"], name="section_unique_key")]

    def __str__(self) -> str:
        return f"{self.document.slug}#{self.key}"

    def get_absolute_url(self) -> str:
        return reverse("guidance:section", kwargs={"slug": self.document.slug, "key": self.key})

    @property
    def title(self) -> str:
        """The section's heading in the current version (see ``SectionQuerySet.with_title``).

        Load sections with ``with_title()`` where several are shown; otherwise this costs a query.
        """
        heading = getattr(self, "current_heading", None)
        if heading is None:
            heading = Section.objects.with_title().filter(pk=self.pk).values_list("current_heading", flat=True).first()
        return heading or self.key

    # What a model offers to be commented on (comments.targets.CommentTarget).

    def comment_title(self) -> str:
        return self.title

    def comment_document(self) -> Document:
        return self.document

    def comment_feed_url(self) -> str:
        return reverse("comments:section-feed", kwargs={"slug": self.document.slug, "key": self.key})

    def comment_changes_url(self, since: int, until: int) -> str:
        """Where a reader sees how this section changed between two version numbers."""
        return f"{self.get_absolute_url()}?from={since}&to={until}"

    def comment_scope(self) -> list[tuple[type[models.Model], models.QuerySet]]:
        return [(Section, Section.objects.filter(pk=self.pk))]

    def comment_passages(self) -> list[Passage]:
        """The passages a comment may point at: the section's newest published original text's.

        One query, once per object: the comment form and the thread on a page ask for them both.
        """
        if "_comment_passages" in self.__dict__:
            return self.__dict__["_comment_passages"]
        stored = (
            SectionText.objects.filter(
                section_id=self.pk,
                version__in=Version.objects.published().originals(),
            )
            .order_by("-version__number")
            .values_list("passages", flat=True)
            .first()
        )
        self.__dict__["_comment_passages"] = load_passages(stored)
        return self.__dict__["_comment_passages"]

    def reference_stamp(self) -> tuple[int, int]:
        """A section is commented on in the light of the whole note: see ``Document.reference_stamp``."""
        return Document(pk=self.document_id).reference_stamp()

    def reference_texts(self) -> list[str]:
        return self.document.reference_texts()

    def reference_languages(self) -> set[str]:
        return self.document.reference_languages()


class SectionTextQuerySet(models.QuerySet):
    def for_toc(self, version: Version) -> SectionTextQuerySet:
        """Return the version's sections in reading order, without their bodies."""
        return (
            self.filter(version=version)
            .select_related("section")
            .defer("body_markdown", "body_html", "body_text")
            .order_by("position")
        )

    def for_reading(self, version: Version) -> SectionTextQuerySet:
        """Return the version's sections in reading order, with their rendered bodies."""
        return (
            self.filter(version=version)
            .select_related("section")
            .defer("body_markdown", "body_text")
            .order_by("position")
        )


class SectionText(models.Model):
    """What one section says in one version: its number, heading and body."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="texts")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="texts")
    position = models.PositiveIntegerField(_("position"))
    number = models.CharField(_("number"), max_length=20, blank=True)
    heading = models.CharField(_("heading"), max_length=300)
    level = models.PositiveSmallIntegerField(_("heading level"), default=2)
    body_markdown = models.TextField(_("body (Markdown)"), blank=True)
    body_html = models.TextField(_("body (sanitised HTML)"), blank=True, editable=False)
    # The body's words without markup (rendering.plain_text of body_html): what search matches and
    # quotes, so a snippet is never cut inside a tag and is escaped like any text.
    body_text = models.TextField(_("body (plain text)"), blank=True, default="", editable=False)
    # The body's passages (paragraphs, lists, quotes...) with their lasting anchors: guidance.passages.
    passages = models.JSONField(_("passages"), default=list, blank=True, editable=False)
    # For a translation: the original text this one was translated from (the same section in the
    # version translated, or in an earlier one when the translation was carried over unchanged).
    # When the section reads differently in a later original, the translation may be out of date.
    translated_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("translated from"),
    )

    objects = SectionTextQuerySet.as_manager()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "section"], name="sectiontext_one_per_version"),
            models.UniqueConstraint(fields=["version", "position"], name="sectiontext_unique_position"),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=6), name="sectiontext_level_1_to_6"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.heading}".strip()

    def clean(self) -> None:
        if self.section_id and self.version_id and self.section.document_id != self.version.document_id:
            raise ValidationError(_("The section and the version belong to different documents."))

    @property
    def body_html_as_page(self) -> str:
        """The body for the section's own page, whose h1 is the section's heading: its headings start at h2."""
        return lift_headings(self.body_html)

    @property
    def anchor(self) -> str:
        return self.section.key

    def passage_list(self) -> list[Passage]:
        """The body's passages, each with its anchor (a heading inside the body has none)."""
        return load_passages(self.passages)

    def passage_texts(self) -> dict[str, str]:
        """Each anchored passage's words, by anchor."""
        return {item["key"]: item["text"] for item in self.passages if item.get("key")}

    def reads_like(self, other: SectionText | None) -> bool:
        """Say whether two texts of a section have the same heading and body (numbering aside)."""
        return other is not None and self.heading == other.heading and self.body_markdown == other.body_markdown
