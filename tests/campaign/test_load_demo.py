"""``manage.py load_demo``: the sample note in four versions, organisations, a coordinator; idempotent."""

from __future__ import annotations

import json
import re
import stat
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from campaign.organisations.models import Organisation
from guidance.models import Document, Section, SectionText, Version

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
HEADING = re.compile(r"^## (\d+)\. (.+?) \{#([a-z0-9-]+)\}$", re.MULTILINE)

ORIGINAL_KEYS = [
    "introduction",
    "purpose-and-scope",
    "key-terms",
    "the-legal-environment",
    "reducing-demand",
    "trafficking",
    "access-to-services",
    "health-services",
    "violence",
    "stigma-and-discrimination",
    "economic-empowerment",
    "community-participation",
    "monitoring-and-evaluation",
    "the-way-forward",
]
DRAFT_1_KEYS = [
    "introduction",
    "purpose-and-scope",
    "rights-based-approach",
    "key-terms",
    "the-legal-environment",
    "trafficking",
    "health-services",
    "access-to-services",
    "violence",
    "stigma-and-discrimination",
    "economic-empowerment",
    "community-participation",
    "monitoring-and-evaluation",
    "the-way-forward",
]
DRAFT_2_KEYS = [*DRAFT_1_KEYS[:9], "digital-safety", *DRAFT_1_KEYS[9:]]


@pytest.fixture
def var_dir(settings, tmp_path):
    """Keep the generated password out of the checkout's own var/ folder; hash it quickly."""
    settings.BASE_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path / "var"


@pytest.fixture
def demo(db, var_dir):
    """Run the command once and return its output."""
    return run_load_demo()


def run_load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def version(label: str, language: str = "en") -> Version:
    return Version.objects.get(document__slug="guidance-note", label=label, language=language)


def keys(v: Version) -> list[str]:
    return list(v.texts.order_by("position").values_list("section__key", flat=True))


def headings(v: Version) -> dict[str, str]:
    return dict(v.texts.values_list("section__key", "heading"))


def bodies(v: Version) -> dict[str, str]:
    return dict(v.texts.values_list("section__key", "body_markdown"))


# --- The fixture files themselves (no database) ---------------------------------------------


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("original.en.md", ORIGINAL_KEYS),
        ("draft-1.en.md", DRAFT_1_KEYS),
        ("draft-2.en.md", DRAFT_2_KEYS),
        ("draft-2.fr.md", DRAFT_2_KEYS),
    ],
)
def test_each_markdown_file_has_a_title_and_numbered_keyed_sections(filename, expected):
    text = (FIXTURES / "note" / filename).read_text(encoding="utf-8")
    assert text.startswith("# ")
    found = HEADING.findall(text)
    assert [key for _, _, key in found] == expected
    assert [int(number) for number, _, _ in found] == list(range(1, len(expected) + 1))
    assert len(re.findall(r"^## ", text, re.MULTILINE)) == len(expected)  # no heading without a key


def test_organisations_fixture_is_fictional_and_varied():
    records = json.loads((FIXTURES / "organisations.json").read_text(encoding="utf-8"))
    assert 8 <= len(records) <= 10
    assert len({r["slug"] for r in records}) == len(records)
    assert len({r["country"] for r in records}) >= 8
    assert {r["verified"] for r in records} == {True, False}
    assert any(r["network"] for r in records) and any(not r["network"] for r in records)
    for record in records:
        assert urlsplit(record["website"]).hostname.endswith(".example.org")
        assert "@" not in json.dumps(record)


# --- What the command loads -------------------------------------------------------------------


def test_it_creates_one_document_with_an_open_consultation(demo):
    document = Document.objects.get()
    assert document.slug == "guidance-note"
    assert document.title == "Guidance Note on HIV and Sex Work"
    assert document.summary
    assert document.language == "en"
    assert document.consultation_status() == "open"


def test_it_imports_three_english_versions_and_two_translations(demo):
    document = Document.objects.get()
    assert document.versions.count() == 5
    original, draft_1, draft_2 = document.versions.filter(language="en").order_by("number")
    assert [(v.label, v.kind) for v in (original, draft_1, draft_2)] == [
        ("Original text", "original"),
        ("Reworked draft 1", "draft"),
        ("Reworked draft 2", "draft"),
    ]
    assert original.number < draft_1.number < draft_2.number
    french = document.versions.get(language="fr")
    assert french.translation_of == draft_2
    assert french.number == draft_2.number
    spanish = document.versions.get(language="es")
    assert spanish.translation_of == draft_1
    assert keys(spanish) == ["introduction", "the-legal-environment"]
    assert all(v.changelog and v.published for v in document.versions.all())
    assert document.current_version() == draft_2


def test_the_spanish_introduction_is_out_of_date_and_the_legal_environment_is_not(demo, client):
    introduction = client.get("/es/note/guidance-note/sections/introduction/").content.decode()
    assert "Puede que esta traducción esté desactualizada" in introduction
    assert "Las personas que ejercen el trabajo sexual" in introduction
    legal = client.get("/es/note/guidance-note/sections/the-legal-environment/").content.decode()
    assert "Ningún modelo jurídico es neutral." in legal
    assert "Puede que esta traducción esté desactualizada" not in legal


def test_each_english_version_has_at_least_fourteen_sections_in_order(demo):
    assert keys(version("Original text")) == ORIGINAL_KEYS
    assert keys(version("Reworked draft 1")) == DRAFT_1_KEYS
    assert keys(version("Reworked draft 2")) == DRAFT_2_KEYS
    for label in ("Original text", "Reworked draft 1", "Reworked draft 2"):
        assert version(label).texts.count() >= 14


def test_draft_1_removes_adds_renames_swaps_and_rewrites_sections(demo):
    original, draft_1 = version("Original text"), version("Reworked draft 1")
    assert "reducing-demand" in keys(original) and "reducing-demand" not in keys(draft_1)
    assert "rights-based-approach" not in keys(original) and "rights-based-approach" in keys(draft_1)
    assert headings(original)["economic-empowerment"] == "Alternative livelihoods"
    assert headings(draft_1)["economic-empowerment"] == "Economic empowerment and labour rights"
    before, after = keys(original), keys(draft_1)
    assert before.index("access-to-services") < before.index("health-services")
    assert after.index("health-services") < after.index("access-to-services")
    old, new = bodies(original), bodies(draft_1)
    unchanged = {key for key in new if old.get(key) == new[key]}
    assert unchanged == {"health-services", "monitoring-and-evaluation"}
    assert "decriminalisation" in new["the-legal-environment"].lower()


def test_draft_2_adds_digital_safety_and_rewords_a_heading(demo):
    draft_1, draft_2 = version("Reworked draft 1"), version("Reworked draft 2")
    assert set(keys(draft_2)) - set(keys(draft_1)) == {"digital-safety"}
    assert set(keys(draft_1)) - set(keys(draft_2)) == set()
    renamed = {key for key, heading in headings(draft_2).items() if headings(draft_1).get(key, heading) != heading}
    assert renamed == {"community-participation"}
    assert headings(draft_2)["community-participation"] == "Community-led responses"
    old, new = bodies(draft_1), bodies(draft_2)
    changed = {key for key in old if old[key] != new[key]}
    assert changed == {"introduction", "trafficking", "monitoring-and-evaluation", "the-way-forward"}
    # The sections are the same rows across versions: comments on them survive.
    assert Section.objects.filter(document__slug="guidance-note").count() == len(set(ORIGINAL_KEYS + DRAFT_2_KEYS))


def test_the_french_translation_follows_draft_2_with_french_headings(demo):
    draft_2, french = version("Reworked draft 2"), Version.objects.get(language="fr")
    assert keys(french) == keys(draft_2)
    french_headings = headings(french)
    assert french_headings["trafficking"] == "Traite des êtres humains et exploitation sexuelle"
    assert french_headings["rights-based-approach"] == "Une approche fondée sur les droits"
    assert french_headings["community-participation"] == "Réponses communautaires"
    english = headings(draft_2)
    assert sum(french_headings[key] != english[key] for key in english) >= len(english) - 1  # "Introduction"
    assert "travail du sexe" in bodies(french)["introduction"]


def test_it_loads_the_organisations_some_verified_by_the_coordinator(demo):
    records = json.loads((FIXTURES / "organisations.json").read_text(encoding="utf-8"))
    assert Organisation.objects.count() == len(records)
    coordinator = get_user_model().objects.get(username="coordinator")
    for record in records:
        organisation = Organisation.objects.get(slug=record["slug"])
        assert organisation.name == record["name"]
        assert organisation.country.code == record["country"]
        assert organisation.is_verified == record["verified"]
        assert organisation.verified_by == (coordinator if record["verified"] else None)
    assert 0 < Organisation.objects.verified().count() < len(records)


def test_the_coordinator_is_staff_in_the_coordinators_group(demo):
    coordinator = get_user_model().objects.get(username="coordinator")
    assert coordinator.is_staff and not coordinator.is_superuser
    assert coordinator.groups.filter(name="Coordinators").exists()
    assert coordinator.has_perm("guidance.change_sectiontext")
    assert coordinator.has_perm("campaign.view_organisation")
    assert not coordinator.has_perm("guidance.delete_document")
    permissions = Group.objects.get(name="Coordinators").permissions
    assert set(permissions.values_list("content_type__app_label", flat=True)) == {"guidance", "campaign", "comments"}


def test_the_generated_password_is_printed_and_saved_for_its_owner_only(demo, var_dir):
    path = var_dir / "demo-coordinator-password"
    password = path.read_text(encoding="utf-8").strip()
    assert len(password) >= 16
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert password in demo
    assert get_user_model().objects.get(username="coordinator").check_password(password)


def test_it_prints_progress_and_a_summary(demo):
    assert "Imported Original text: 14 sections" in demo
    assert "Imported Reworked draft 1: 14 sections" in demo
    assert "Imported Reworked draft 2: 15 sections" in demo
    assert "Imported Projet retravaillé 2 (fr): 15 sections" in demo
    assert "Demo data loaded" in demo


# --- Idempotence --------------------------------------------------------------------------------


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Document, Version, Section, SectionText, Organisation, Group, get_user_model())
    }


def test_running_it_twice_changes_nothing_and_says_so(demo, var_dir):
    before = counts()
    verified_at = dict(Organisation.objects.values_list("slug", "verified_at"))
    password = (var_dir / "demo-coordinator-password").read_text(encoding="utf-8")

    output = run_load_demo()

    assert counts() == before
    assert dict(Organisation.objects.values_list("slug", "verified_at")) == verified_at
    assert (var_dir / "demo-coordinator-password").read_text(encoding="utf-8") == password
    assert password.strip() not in output
    assert "Imported" not in output
    assert "already exists" in output and str(var_dir / "demo-coordinator-password") in output
    assert "Nothing to do" in output


def test_it_completes_a_partly_loaded_demo(db, var_dir):
    run_load_demo()
    version("Projet retravaillé 2", "fr").delete()
    Organisation.objects.filter(slug="lantern-street-collective").delete()

    output = run_load_demo()

    assert "Imported Projet retravaillé 2 (fr)" in output
    assert "Imported Original text" not in output
    assert Version.objects.count() == 5
    assert Organisation.objects.get(slug="lantern-street-collective").is_verified
    assert "Nothing to do" not in output


def test_it_loads_threaded_sample_comments_in_five_languages(demo):
    from comments.models import OrgComment

    visible = OrgComment.objects.visible()
    assert visible.count() >= 14
    assert set(visible.values_list("language", flat=True)) == {"en", "fr", "es", "ru", "ar"}
    assert visible.filter(level__gte=2).exists()
    assert visible.filter(display="anonymous").exists()
    assert visible.exclude(on_behalf_of="").exists()
    assert len(set(visible.values_list("country", flat=True))) >= 6
    assert not OrgComment.objects.exclude(state="approved").exists()
