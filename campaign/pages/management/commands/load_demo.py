"""``manage.py load_demo``: the sample Guidance Note, its organisations and a coordinator account.

Every step looks for what it would create and leaves what exists alone, so running the command
again changes nothing and says so. The loading logic lives in the small functions below; the
command only wires them together and prints.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from campaign.organisations.models import Organisation
from comments.demo import load_sample_comments
from guidance.importer import ImportRefused, import_markdown
from guidance.models import Document, Version

FIXTURES_DIR = Path(__file__).resolve().parents[4] / "fixtures"

DOCUMENT_SLUG = "guidance-note"
DOCUMENT_TITLE = "Guidance Note on HIV and Sex Work"
DOCUMENT_SUMMARY = (
    "A coalition of sex worker-led organisations has reworked a UN guidance note on HIV and sex work. "
    "The reworked note puts human rights first, calls for the decriminalisation of sex work, keeps sex work "
    "and trafficking apart, and asks that sex workers lead the programmes that concern them. Read it section "
    "by section, compare it with the original text, and tell us whether your organisation endorses it."
)
CONSULTATION_OPENED_DAYS_AGO = 30
CONSULTATION_CLOSES_IN_DAYS = 60

COORDINATOR_USERNAME = "coordinator"
COORDINATORS_GROUP = "Coordinators"
COORDINATOR_APPS = ("guidance", "campaign", "comments")
COORDINATOR_ACTIONS = ("view", "change")
LOGIN_FILENAME = "demo-coordinator-password"

ORGANISATION_FIELDS = ("name", "country", "city", "website", "network", "description")

Say = Callable[[str], None]


@dataclass(frozen=True)
class DemoVersion:
    """One Markdown file of the sample note and how to import it."""

    filename: str
    label: str
    kind: str
    language: str
    published_days_ago: int
    changelog: str
    translates: str | None = None  # label of the version (in the document's language) this one translates


DEMO_VERSIONS = (
    DemoVersion(
        filename="original.en.md",
        label="Original text",
        kind=Version.Kind.ORIGINAL,
        language="en",
        published_days_ago=30,
        changelog="The text as first published, kept so that readers can compare the reworked drafts with it.",
    ),
    DemoVersion(
        filename="draft-1.en.md",
        label="Reworked draft 1",
        kind=Version.Kind.DRAFT,
        language="en",
        published_days_ago=21,
        changelog=(
            "The coalition's first rework: adds a rights-based approach, calls for decriminalisation, separates "
            "sex work from trafficking, drops the section on reducing demand, renames 'Alternative livelihoods' "
            "and puts health services before access to services."
        ),
    ),
    DemoVersion(
        filename="draft-2.en.md",
        label="Reworked draft 2",
        kind=Version.Kind.DRAFT,
        language="en",
        published_days_ago=7,
        changelog=(
            "Refines draft 1 after the first comments: adds a section on digital safety, renames the participation "
            "section 'Community-led responses', protects migrant sex workers who report exploitation and adds "
            "community-led monitoring."
        ),
    ),
    DemoVersion(
        filename="draft-2.fr.md",
        label="Projet retravaillé 2",
        kind=Version.Kind.DRAFT,
        language="fr",
        published_days_ago=5,
        changelog="Traduction française du projet retravaillé 2.",
        translates="Reworked draft 2",
    ),
    # Two sections of draft 1 in Spanish: the introduction changed in draft 2 since, so Spanish readers
    # are told that its translation may be out of date; the legal environment did not.
    DemoVersion(
        filename="draft-1.es.md",
        label="Borrador reelaborado 1",
        kind=Version.Kind.DRAFT,
        language="es",
        published_days_ago=18,
        changelog="Traducción al español de dos secciones del borrador reelaborado 1.",
        translates="Reworked draft 1",
    ),
)


@dataclass
class DemoReport:
    """What one run did, for the final summary."""

    document_created: bool = False
    versions_imported: list[str] = field(default_factory=list)
    organisations_created: int = 0
    organisations_updated: int = 0
    coordinator_created: bool = False
    coordinator_updated: bool = False
    password: str | None = None
    password_file: Path | None = None
    comments_added: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.document_created
            or self.versions_imported
            or self.organisations_created
            or self.organisations_updated
            or self.coordinator_created
            or self.coordinator_updated
            or self.comments_added
        )


def password_path() -> Path:
    """Where the coordinator's generated password is kept (under ``BASE_DIR/var``)."""
    return Path(settings.BASE_DIR) / "var" / LOGIN_FILENAME


def ensure_document(today=None) -> tuple[Document, bool]:
    """Return the demo document, creating it with an open consultation window if it is missing."""
    today = today or timezone.localdate()
    return Document.objects.get_or_create(
        slug=DOCUMENT_SLUG,
        defaults={
            "title": DOCUMENT_TITLE,
            "summary": DOCUMENT_SUMMARY,
            "language": "en",
            "consultation_opens": today - timedelta(days=CONSULTATION_OPENED_DAYS_AGO),
            "consultation_closes": today + timedelta(days=CONSULTATION_CLOSES_IN_DAYS),
        },
    )


def import_demo_versions(document: Document, fixtures_dir: Path, say: Say) -> list[str]:
    """Import each sample version that has no version with its label and language yet; return what was imported."""
    imported = []
    now = timezone.now()
    for spec in DEMO_VERSIONS:
        name = spec.label if spec.language == document.language else f"{spec.label} ({spec.language})"
        if document.versions.filter(label=spec.label, language=spec.language).exists():
            say(f"{name} is already imported.")
            continue
        translation_of = None
        if spec.translates:
            translation_of = document.versions.filter(
                label=spec.translates, language=document.language, translation_of__isnull=True
            ).first()
            if translation_of is None:
                raise CommandError(f"{name} translates {spec.translates!r}, which is not imported.")
        source = (fixtures_dir / "note" / spec.filename).read_bytes()
        try:
            report = import_markdown(
                document=document,
                source=source,
                label=spec.label,
                language=spec.language,
                translation_of=translation_of,
                kind=spec.kind,
                published=now - timedelta(days=spec.published_days_ago),
                changelog=spec.changelog,
                allow_removal=True,
            )
        except ImportRefused as refusal:
            raise CommandError(f"The importer refused {spec.filename}: {refusal}") from refusal
        sections = report.section_count
        say(f"Imported {name}: {sections} sections{describe_changes(report, sections)}.")
        imported.append(name)
    return imported


def describe_changes(report, sections: int) -> str:
    """Summarise an import report's section changes, e.g. ' (1 added, 1 removed)'.

    Say nothing when there are no changes, or when every section is new (a first version).
    """
    if len(report.added) == sections and not (report.renamed or report.changed or report.removed):
        return ""
    parts = [
        f"{len(items)} {what}"
        for what, items in (
            ("added", report.added),
            ("renamed", report.renamed),
            ("changed", report.changed),
            ("removed", report.removed),
            ("moved", report.reordered),
        )
        if items
    ]
    return f" ({', '.join(parts)})" if parts else ""


def coordinator_permissions():
    """The view and change permissions on every guidance and campaign model."""
    codenames = [f"{action}_" for action in COORDINATOR_ACTIONS]
    permissions = Permission.objects.filter(content_type__app_label__in=COORDINATOR_APPS)
    return [p for p in permissions if p.codename.startswith(tuple(codenames))]


@transaction.atomic
def ensure_coordinator(path: Path) -> tuple[object, str | None, bool]:
    """Return (user, new password or None, whether anything changed) for the demo coordinator.

    A password is generated and written to ``path`` only when the account is created; an existing
    account keeps its password.
    """
    changed = False
    group, group_created = Group.objects.get_or_create(name=COORDINATORS_GROUP)
    changed |= group_created
    missing = set(coordinator_permissions()) - set(group.permissions.all())
    if missing:
        group.permissions.add(*missing)
        changed = True

    User = get_user_model()
    password = None
    user = User.objects.filter(username=COORDINATOR_USERNAME).first()
    if user is None:
        password = secrets.token_urlsafe(12)
        write_password(path, password)  # first, so that a failed write leaves no account without a password
        user = User.objects.create_user(username=COORDINATOR_USERNAME, password=password, is_staff=True)
        changed = True
    elif not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        changed = True
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        changed = True
    return user, password, changed


def write_password(path: Path, password: str) -> None:
    """Write the password to a file only its owner can read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")


def read_organisations(path: Path) -> list[dict]:
    """Read the organisations fixture: a JSON list of objects with a slug each."""
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(f"Cannot read {path}: {error}") from error
    if not isinstance(records, list) or not all(isinstance(r, dict) and r.get("slug") for r in records):
        raise CommandError(f"{path} must hold a list of organisations, each with a slug.")
    return records


@transaction.atomic
def load_organisations(records: list[dict], verifier) -> tuple[int, int]:
    """Create or update organisations by slug; return (created, updated).

    The fixture's fields win over what is stored. ``verified: true`` verifies an organisation that
    is not verified yet (now, by ``verifier``); an existing verification is never removed or redated.
    """
    created = updated = 0
    now = timezone.now()
    for record in records:
        values = {name: record.get(name, "") for name in ORGANISATION_FIELDS}
        organisation = Organisation.objects.filter(slug=record["slug"]).first()
        is_new = organisation is None
        if is_new:
            organisation = Organisation(slug=record["slug"])
        changes = [name for name, value in values.items() if is_new or getattr(organisation, name) != value]
        for name in changes:
            setattr(organisation, name, values[name])
        if record.get("verified") and organisation.verified_at is None:
            organisation.verified_at, organisation.verified_by = now, verifier
            changes += ["verified_at", "verified_by"]
        if not changes:
            continue
        try:
            organisation.full_clean()
        except ValidationError as error:
            raise CommandError(f"Organisation {record['slug']!r}: {error}") from error
        organisation.save()
        created += is_new
        updated += not is_new
    return created, updated


def load_demo(*, fixtures_dir: Path = FIXTURES_DIR, say: Say = print) -> DemoReport:
    """Load everything the demo needs; safe to run again."""
    report = DemoReport()
    document, report.document_created = ensure_document()
    say(f"{'Created' if report.document_created else 'Found'} the document {document.slug!r}.")

    report.versions_imported = import_demo_versions(document, fixtures_dir, say)

    report.password_file = password_path()
    coordinator, report.password, report.coordinator_updated = ensure_coordinator(report.password_file)
    report.coordinator_created = report.password is not None

    records = read_organisations(fixtures_dir / "organisations.json")
    report.organisations_created, report.organisations_updated = load_organisations(records, coordinator)
    say(
        f"Organisations: {report.organisations_created} created, {report.organisations_updated} updated, "
        f"{len(records) - report.organisations_created - report.organisations_updated} unchanged."
    )
    report.comments_added = load_sample_comments(document=document, path=fixtures_dir / "comments.json")
    say(
        f"Sample comments: {report.comments_added} added and approved."
        if report.comments_added
        else "Sample comments: already there."
    )
    return report


def summary(report: DemoReport) -> str:
    """The closing line: what the database now holds, and whether this run changed it."""
    document = Document.objects.get(slug=DOCUMENT_SLUG)
    totals = (
        f"{document.versions.count()} versions, {document.sections.count()} sections, "
        f"{Organisation.objects.count()} organisations ({Organisation.objects.verified().count()} verified)"
    )
    if not report.changed:
        return f"Nothing to do: the demo data is already loaded ({totals})."
    return f"Demo data loaded: {document.title!r} with {totals}."


class Command(BaseCommand):
    help = "Load the sample Guidance Note (four versions), organisations and a coordinator account. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixtures", type=Path, default=FIXTURES_DIR, help="Folder holding note/ and organisations.json."
        )

    def handle(self, *args, fixtures: Path, **options):
        report = load_demo(fixtures_dir=fixtures, say=self.stdout.write)
        if report.password:
            self.stdout.write(
                self.style.WARNING(
                    f"Created the user {COORDINATOR_USERNAME!r} (staff, in {COORDINATORS_GROUP!r}) "
                    f"with the password {report.password}; it is also saved in {report.password_file}."
                )
            )
        else:
            self.stdout.write(
                f"The user {COORDINATOR_USERNAME!r} already exists; its demo password, if generated here, "
                f"is in {report.password_file}."
            )
        self.stdout.write(self.style.SUCCESS(summary(report)))
