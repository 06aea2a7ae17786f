"""The consultation report (campaign/pages/report.py): its figures against comments whose counts are known,
its fixed number of queries, its data files (public fields only, under CC BY 4.0), its PDF rendered
without the network, the page cache, and its languages."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django_countries import countries
from pypdf import PdfReader

from campaign.lib import cache as page_cache
from campaign.lib import regions
from campaign.organisations.models import Organisation
from campaign.pages import pdf
from campaign.pages.report import AMENDMENTS_PER_PAGE, LICENCE, consultation_report
from comments import services
from comments.models import OrgComment, State
from tests.comments.builders import approved_comment

URL = "/note/guidance-note/report/"
#: Words that belong to people who did not choose to be named, or to comments the public may not see.
NEVER_SHOWN = (
    "Secret Name",
    "Secret Org",
    "Withdrawn Person",
    "Pending Org",
    "Rejected Person",
    "@example.org",
    "hash-of-an-address",
)


def hide(comment: OrgComment, state: str) -> OrgComment:
    """Put an approved comment back in another state (waiting, rejected, withdrawn): hidden."""
    OrgComment.objects.filter(pk=comment.pk).update(state=state, is_public=False)
    comment.refresh_from_db()
    return comment


def passage(section) -> tuple[str, str]:
    first = section.comment_passages()[0]
    return first.key, first.text


@pytest.fixture
def consultation(note, member):
    """Comments whose counts are known: published ones count, waiting, rejected and withdrawn ones never do."""
    draft = note.versions.get(number=2)
    draft.changelog = "Rewrote the rights section after the consultation."
    draft.save()
    introduction = note.sections.get(key="introduction")
    rights = note.sections.get(key="rights-based-approach")
    health = note.sections.get(key="health-services")
    sisters = Organisation.objects.get(slug="sisters-alliance")
    sisters.verified_at = draft.published
    sisters.save()
    common = {"address_hash": "hash-of-an-address"}

    # Endorsements of the rights section: a verified member's, an organisation's, an anonymous one, and one
    # that withholds its country; then the whole note endorsed from Brazil.
    approved_comment(
        rights, kind="endorse", user_name="Amina", organisation_name="Sisters Alliance", organisation=sisters,
        user=member, country="KE", display="name_org", user_email="amina@example.org", **common,
    )  # fmt: skip
    approved_comment(
        rights, kind="endorse", name="Secret Name", organisation_name="Red Umbrella", country="FR", display="org",
        user_email="red@example.org",
    )  # fmt: skip
    approved_comment(
        rights, kind="endorse", name="Secret Name", organisation_name="Secret Org", country="RU", display="anonymous",
        user_email="anon@example.org",
    )  # fmt: skip
    approved_comment(
        rights, kind="endorse", organisation_name="Quiet Collective", country="UG", show_country=False, display="org"
    )
    approved_comment(note, kind="endorse", organisation_name="Davida", country="BR", display="org")
    hide(approved_comment(rights, kind="endorse", organisation_name="Pending Org", display="org"), State.REVIEW)

    # Amendments, one of each answer, and two the public never sees.
    key, words = passage(rights)
    accepted = approved_comment(
        rights, kind="amend", passage_key=key, quote=words, proposal=words + " Funding follows.",
        text="Funding matters.", name="Amina", organisation_name="Sisters Alliance", country="KE", display="name_org",
        outcome="accepted", outcome_reason="We added it.", taken_up_in=draft, version=note.versions.get(number=1),
    )  # fmt: skip
    approved_comment(
        rights, kind="amend", passage_key=key, quote=words, proposal="No police.", text="Police harm us.",
        name="Secret Name", organisation_name="Secret Org", display="anonymous", country="RU",
        outcome="declined", outcome_reason="Out of scope.",
    )  # fmt: skip
    key, words = passage(introduction)
    approved_comment(
        introduction, kind="amend", passage_key=key, quote=words, proposal="Sex workers lead.", text="Say who leads.",
        organisation_name="Red Umbrella", country="FR", display="org", outcome="partly", outcome_reason="In part.",
    )  # fmt: skip
    key, words = passage(health)
    approved_comment(
        health, kind="amend", passage_key=key, quote=words, proposal="Clinics at night.", text="We work at night.",
        organisation_name="Night Shift", country="NZ", display="org",
    )  # fmt: skip
    hide(approved_comment(health, kind="amend", name="Withdrawn Person", display="name_org"), State.WITHDRAWN)
    hide(approved_comment(health, kind="amend", organisation_name="Pending Org", display="org"), State.REVIEW)

    # A concern and a question published; a question rejected.
    approved_comment(health, kind="concern", text="Naming us puts us at risk.", display="anonymous", country="RU")
    approved_comment(introduction, kind="question", text="Does this cover migrants?", name="Luz", country="CO")
    hide(approved_comment(introduction, kind="question", name="Rejected Person"), State.REJECTED)
    return accepted


def page(client, url: str = URL) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def pdf_html(client) -> str:
    """The report's page as the PDF lays it out: every amendment."""
    request = client.get(URL).wsgi_request
    context = {"report": consultation_report("guidance-note"), "licence": LICENCE, "for_pdf": True}
    return render_to_string("campaign/report.html", context, request=request)


def row_cells(content: str, heading: str) -> list[str]:
    """The figures of the table row whose heading holds ``heading``."""
    for row in re.findall(r"<tr>(.*?)</tr>", content, re.S):
        if heading in row and "<td>" in row:
            return re.findall(r"<td>(\d+)</td>", row)
    raise AssertionError(f"no row for {heading}")


# --- Figures ---------------------------------------------------------------------------------------------


def test_the_figures_count_only_published_comments_by_section_kind_and_answer(consultation):
    report = consultation_report("guidance-note")
    by_key = {row.key: row.figures for row in report.sections}
    assert [row.key for row in report.sections] == ["", "introduction", "rights-based-approach", "health-services"]

    assert by_key["rights-based-approach"].endorsements == 4
    assert by_key["rights-based-approach"].amendments == {"accepted": 1, "partly": 0, "declined": 1, "unanswered": 0}
    assert by_key["introduction"].amendments == {"accepted": 0, "partly": 1, "declined": 0, "unanswered": 0}
    assert by_key["introduction"].questions == 1
    assert by_key["health-services"].amendments == {"accepted": 0, "partly": 0, "declined": 0, "unanswered": 1}
    assert by_key["health-services"].concerns == 1
    assert by_key[""].endorsements == 1

    totals = report.totals
    assert (totals.endorsements, totals.amendments_total, totals.concerns, totals.questions) == (5, 4, 1, 1)
    assert totals.amendments == {"accepted": 1, "partly": 1, "declined": 1, "unanswered": 1}


def test_the_page_shows_the_same_figures(client, consultation):
    content = page(client)
    # endorsements, amendments (all, accepted, in part, declined, not answered), concerns, questions, others
    assert row_cells(content, "Rights based approach") == ["4", "2", "1", "0", "1", "0", "0", "0", "0"]
    assert row_cells(content, "Introduction") == ["0", "1", "0", "1", "0", "0", "0", "1", "0"]
    assert row_cells(content, "All published comments") == ["5", "4", "1", "1", "1", "1", "1", "1", "0"]


def test_endorsing_organisations_are_grouped_by_region_and_country_as_their_posters_chose(consultation):
    report = consultation_report("guidance-note")
    found = {
        region.code: {
            country.code: ([o.name for o in country.organisations], country.unnamed) for country in region.countries
        }
        for region in report.regions
    }
    assert found == {
        "africa": {"KE": (["Sisters Alliance"], 0)},
        "americas": {"BR": (["Davida"], 0)},
        "europe": {"FR": (["Red Umbrella"], 0), "RU": ([], 1)},
        # A withheld country is neither shown nor placed in a region.
        "": {"": (["Quiet Collective"], 0)},
    }
    assert [region.code for region in report.regions] == ["africa", "americas", "europe", ""]
    (kenya,) = report.regions[0].countries
    assert kenya.organisations[0].verified
    assert (report.endorsements, report.organisations, report.countries) == (5, 4, 4)


def test_every_country_has_its_m49_region_but_antarctica():
    assert {code for code, _name in countries if not regions.region_of(code)} == {"AQ"}
    assert [regions.region_of(code) for code in ("KE", "br", "RU", "CY", "NZ", "")] == [
        "africa", "americas", "europe", "asia", "oceania", "",
    ]  # fmt: skip


def test_the_amendments_show_their_wording_answer_and_version_and_never_a_hidden_name(client, consultation):
    report = consultation_report("guidance-note")
    assert [(a.section_key, a.outcome) for a in report.amendments] == [
        ("rights-based-approach", "accepted"),
        ("rights-based-approach", "declined"),
        ("introduction", "partly"),
        ("health-services", "unanswered"),
    ]
    assert [a.signature.who for a in report.amendments] == [
        "Amina · Sisters Alliance", "Anonymous participant", "Red Umbrella", "Night Shift",
    ]  # fmt: skip
    content = page(client)
    assert "<ins> Funding follows.</ins>" in content
    assert "We added it." in content and "Out of scope." in content
    assert "Taken up in version 2" in content
    for hidden in NEVER_SHOWN:
        assert hidden not in content, hidden


def test_an_amendment_in_free_words_is_counted_and_a_long_reason_is_cut_with_a_link_to_it(client, consultation):
    health = consultation.content_type.get_object_for_this_type(key="health-services")
    approved_comment(health, kind="amend", text="Open clinics at night, in free words.", display="org")
    key, words = passage(health)
    long = approved_comment(
        health, kind="amend", passage_key=key, quote=words, proposal="Clinics open all night.",
        text=" ".join(f"word{n}" for n in range(200)), organisation_name="Night Shift", display="org",
    )  # fmt: skip
    report = consultation_report("guidance-note")
    assert "Open clinics at night" not in page(client)  # in the counts, not the list of wordings
    assert report.totals.amendments_total == 6
    (listed,) = [a for a in report.amendments if a.id == long.pk]
    assert listed.truncated and listed.excerpt.endswith("…") and "word199" not in listed.excerpt
    assert f'<a href="{long.get_absolute_url()}" lang="en">Read it in full</a>' in page(client)


def test_what_changed_between_versions_and_what_each_took_up(client, consultation):
    report = consultation_report("guidance-note")
    newest, first = report.changes
    assert (newest.version.number, newest.previous.number) == (2, 1)
    assert [(g.status, len(g.sections)) for g in newest.groups] == [("changed", 3)]
    assert [a.id for a in newest.taken_up] == [consultation.pk]
    assert first.previous is None and first.groups == []
    content = page(client)
    assert "Rewrote the rights section after the consultation." in content
    assert 'href="/note/guidance-note/compare/v1/v2/"' in content
    # The page lists a page of amendments: it links to the version's own list of what it took up...
    assert newest.taken_up_count == 1
    assert '<a href="/note/guidance-note/v2/#responses-heading">Took up 1 amendment</a>' in content
    # ...and the PDF, which holds every amendment, links to each.
    assert f'href="#amendment-{consultation.pk}"' in pdf_html(client)


def test_the_report_reads_a_fixed_number_of_queries_whatever_the_comments(client, note):
    section = note.sections.get(key="rights-based-approach")
    key, words = passage(section)
    approved_comment(section, kind="endorse", organisation_name="One", country="KE", display="org")
    approved_comment(section, kind="amend", passage_key=key, quote=words, proposal="First wording.", display="org")
    client.get(URL)  # content types and the like, cached once per process

    def counted(url: str = URL) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = counted()
    for n in range(120):
        kind = ("endorse", "amend", "concern", "question")[n % 4]
        amendment = {"passage_key": key, "quote": words, "proposal": f"Wording {n}."} if kind == "amend" else {}
        approved_comment(
            section, kind=kind, organisation_name=f"Org {n}", country=("KE", "FR", "BR")[n % 3], display="org",
            outcome="accepted" if kind == "amend" else "", **amendment,
        )  # fmt: skip
    approved_comment(note, kind="endorse", organisation_name="Whole", country="NZ", display="org")
    assert counted() == counted(URL + "?page=2") == few == 5


def test_the_page_lists_the_amendments_a_page_at_a_time_and_the_files_list_them_all(client, note):
    section = note.sections.get(key="rights-based-approach")
    key, words = passage(section)
    posted = [
        approved_comment(section, kind="amend", passage_key=key, quote=words, proposal=f"Wording number {n}.",
                         organisation_name=f"Org {n}", display="org")
        for n in range(AMENDMENTS_PER_PAGE + 3)
    ]  # fmt: skip
    first = page(client)
    assert "Wording number 0." not in first  # the proposals are shown as diffs: look for the permalinks
    links = lambda content: re.findall(r'id="amendment-(\d+)"', content)  # noqa: E731
    assert [int(pk) for pk in links(first)] == [c.pk for c in posted[:AMENDMENTS_PER_PAGE]]
    assert f"1 to {AMENDMENTS_PER_PAGE} of {len(posted)}" in first
    assert '<a href="?page=2#amendments" rel="next">Later amendments</a>' in first
    second = page(client, URL + "?page=2")
    assert [int(pk) for pk in links(second)] == [c.pk for c in posted[AMENDMENTS_PER_PAGE:]]
    assert f'<ol class="amendment-list" start="{AMENDMENTS_PER_PAGE + 1}">' in second
    assert '<a href="?page=1#amendments" rel="prev">Earlier amendments</a>' in second
    assert links(page(client, URL + "?page=99")) == links(second)  # past the end: the last page
    # The PDF and the data files hold them all.
    assert len(links(pdf_html(client))) == len(posted)
    assert len(json.loads(client.get(URL.replace("/report/", "/report.json")).content)["amendments"]) == len(posted)


def test_an_unknown_document_has_no_report(client, note):
    assert client.get("/note/no-such-note/report/").status_code == 404
    assert client.get("/note/no-such-note/report.csv").status_code == 404


# --- Data files -------------------------------------------------------------------------------------------


def test_the_json_holds_public_fields_only_and_names_its_licence(client, consultation):
    response = client.get("/note/guidance-note/report.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Link"] == f'<{LICENCE["url"]}>; rel="license"'
    text = response.content.decode()
    for hidden in NEVER_SHOWN:
        assert hidden not in text, hidden
    data = json.loads(text)
    assert data["licence"]["name"] == "CC BY 4.0"
    assert data["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["totals"] == {
        "endorsements": 5, "amendments": 4,
        "amendments_by_outcome": {"accepted": 1, "partly": 1, "declined": 1, "unanswered": 1},
        "concerns": 1, "questions": 1, "comments": 0,
    }  # fmt: skip
    assert set(data["amendments"][0]) == {
        "id", "url", "section", "section_title", "quoted_words", "proposed_wording", "text", "language", "outcome",
        "outcome_reason", "taken_up_in_version", "taken_up_in_version_label", "signed", "organisation",
        "on_behalf_of", "country", "date",
    }  # fmt: skip
    anonymous = data["amendments"][1]
    assert (anonymous["signed"], anonymous["organisation"], anonymous["country"]) == ("Anonymous participant", "", "RU")
    assert data["amendments"][0]["taken_up_in_version"] == 2
    assert data["versions"][0]["amendments_taken_up"] == [consultation.pk]
    regions_found = {r["region"]: [c["country"] for c in r["countries"]] for r in data["endorsements"]["regions"]}
    assert regions_found == {"africa": ["KE"], "americas": ["BR"], "europe": ["FR", "RU"], "": [""]}


def test_the_csv_holds_public_fields_only_and_every_row_its_licence(client, consultation):
    response = client.get("/note/guidance-note/report.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Link"] == f'<{LICENCE["url"]}>; rel="license"'
    assert response["Content-Disposition"] == 'attachment; filename="guidance-note-report-en.csv"'
    text = response.content.decode()
    for hidden in NEVER_SHOWN:
        assert hidden not in text, hidden
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["licence"] for row in rows} == {"CC BY 4.0 https://creativecommons.org/licenses/by/4.0/"}
    amendments = [row for row in rows if row["record"] == "amendment"]
    assert [(row["section"], row["outcome"], row["signed"]) for row in amendments] == [
        ("rights-based-approach", "accepted", "Amina · Sisters Alliance"),
        ("rights-based-approach", "declined", "Anonymous participant"),
        ("introduction", "partly", "Red Umbrella"),
        ("health-services", "unanswered", "Night Shift"),
    ]
    assert amendments[0]["taken_up_in_version"] == "2"
    counts = {
        (row["section"], row["kind"], row["outcome"]): int(row["count"]) for row in rows if row["record"] == "count"
    }
    assert counts[("rights-based-approach", "endorse", "")] == 4
    assert counts[("rights-based-approach", "amend", "declined")] == 1
    assert counts[("", "endorse", "")] == 1
    endorsements = {
        (row["region"], row["country"], row["organisation"]): int(row["count"])
        for row in rows
        if row["record"] == "endorsements"
    }
    assert endorsements == {
        ("africa", "KE", "Sisters Alliance"): 1,
        ("americas", "BR", "Davida"): 1,
        ("europe", "FR", "Red Umbrella"): 1,
        ("europe", "RU", ""): 1,
        ("", "", "Quiet Collective"): 1,
    }


def test_a_csv_cell_a_spreadsheet_would_run_is_kept_as_text(client, note):
    section = note.sections.get(key="rights-based-approach")
    approved_comment(
        section, kind="amend", text="=HYPERLINK(1)", proposal="+1", organisation_name="@Org", display="org"
    )
    rows = list(csv.DictReader(io.StringIO(client.get("/note/guidance-note/report.csv").content.decode())))
    (amendment,) = [row for row in rows if row["record"] == "amendment"]
    assert (amendment["text"], amendment["proposed_wording"], amendment["signed"]) == ("'=HYPERLINK(1)", "'+1", "'@Org")


# --- PDF --------------------------------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError(f"the network is off in this test ({address!r})")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_pdf_is_rendered_without_the_network_and_holds_the_figures(client, consultation, no_network):
    response = client.get("/note/guidance-note/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert no_network == []
    text = pdf_text(response.content)
    for words in (
        "Consultation report",
        "Rights based approach",
        "Sisters Alliance",
        "Red Umbrella",
        "Quiet Collective",
        "We added it.",
        "CC BY 4.0",
        "Rewrote the rights section after the consultation.",
        "All published comments 5 4 1 1 1 1 1 1 0",
    ):
        assert words in text, words
    # Printed as a document: no navigation, language switcher, skip link or download links.
    for words in ("Skip to content", "Русский", "Menu", "Download the report", *NEVER_SHOWN):
        assert words not in text, words


def test_a_web_process_starts_without_weasyprint():
    """WeasyPrint (Pango, HarfBuzz: ~40 MiB a process) is imported at the first PDF, not with the site."""
    started = subprocess.run(
        [sys.executable, "-c", "import sys, campaign.wsgi; from django.urls import get_resolver;"
         " get_resolver().url_patterns; print('weasyprint' in sys.modules)"],
        capture_output=True, text=True, timeout=120, check=True, env={**os.environ, "DEBUG": "false"},
    )  # fmt: skip
    assert started.stdout.strip() == "False", started.stderr[-2000:]


def test_the_pdf_fetches_the_sites_static_files_from_disk_and_nothing_else(no_network):
    fetcher = pdf.static_only_fetcher(django_settings.SITE_URL + "/")
    css = fetcher.fetch(f"{django_settings.SITE_URL}/static/css/site.css")
    assert b"@media print" in css.read()
    for url in (
        "https://example.org/static/css/site.css",
        f"{django_settings.SITE_URL}/static/../campaign/settings.py",
        f"{django_settings.SITE_URL}/admin/",
        "file:///etc/passwd",
        "data:text/css,body{}",
    ):
        with pytest.raises(pdf.Refused):
            fetcher.fetch(url)
    html = (
        '<html><head><link rel="stylesheet" href="https://fonts.example.org/a.css"></head>'
        '<body><img src="http://tracker.example.org/p.png" alt=""><p>Offline</p></body></html>'
    )
    assert "Offline" in pdf_text(pdf.render_pdf(html))
    assert no_network == []


# --- The page cache ---------------------------------------------------------------------------------------


@pytest.fixture
def cached(transactional_db, settings, tmp_path):
    """Hits and misses for real: no test-wide transaction, a cache namespace of this test's own."""
    default = dict(settings.CACHES["default"])
    default["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {**settings.CACHES, "default": default}
    settings.PAGE_CACHE_GENERATION_FILE = tmp_path / "page-cache-generation"
    yield
    from django.core.cache import cache

    with contextlib.suppress(Exception):
        cache.delete(page_cache.GENERATION_KEY)


def test_the_report_and_its_files_are_cached_and_an_approval_changes_them(client, cached, note, coordinator):
    section = note.sections.get(key="rights-based-approach")
    approved_comment(section, kind="endorse", organisation_name="First Org", country="KE", display="org")
    waiting = hide(
        approved_comment(section, kind="endorse", organisation_name="Later Org", country="FR", display="org"),
        State.REVIEW,
    )
    addresses = (URL, "/note/guidance-note/report.csv", "/note/guidance-note/report.json")
    for address in addresses:
        assert client.get(address)[page_cache.STATE_HEADER] == "miss"
        response = client.get(address)
        assert response[page_cache.STATE_HEADER] == "hit", address
        assert "Later Org" not in response.content.decode()

    services.comment_approve(comment=waiting, by=coordinator, reason="test")

    for address in addresses:
        response = client.get(address)
        assert response[page_cache.STATE_HEADER] == "miss", address
        assert "Later Org" in response.content.decode(), address
    assert row_cells(page(client), "All published comments")[0] == "2"


def test_the_pdf_is_cached_with_its_headers(client, cached, note):
    first = client.get("/note/guidance-note/report.pdf")
    second = client.get("/note/guidance-note/report.pdf")
    assert (first[page_cache.STATE_HEADER], second[page_cache.STATE_HEADER]) == ("miss", "hit")
    assert second["Content-Type"] == "application/pdf"
    assert second["Link"] == f'<{LICENCE["url"]}>; rel="license"'
    assert second.content == first.content


# --- Languages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ("Rapport de consultation", "Afrique", "Accepté", "Réponse du groupe de travail")),
        ("es", ("Informe de la consulta", "África", "Aceptada")),
        ("ru", ("Отчёт о консультации", "Африка")),  # noqa: RUF001 - Cyrillic on purpose
    ],
)
def test_the_report_speaks_the_language_of_its_address(client, consultation, language, words):
    content = page(client, f"/{language}{URL}")
    assert f'<html lang="{language}"' in content
    for word in words:
        assert word in content, word
    assert f'href="/{language}/note/guidance-note/report.pdf"' in content
    data = json.loads(client.get(f"/{language}/note/guidance-note/report.json").content)
    assert data["language"] == language
    assert data["licence"]["name"] == "CC BY 4.0"


# --- Links and print ---------------------------------------------------------------------------------------


def test_the_note_and_the_home_page_link_to_the_report(client, note):
    assert f'href="{URL}"' in page(client, "/note/guidance-note/")
    assert f'href="{URL}"' in page(client, "/")


def test_the_stylesheet_prints_every_page_without_its_forms_and_navigation():
    css = (django_settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    printed = " ".join(re.findall(r"@media print \{(.*?)\n\}", css, re.S))
    hidden = set()
    for selectors in re.findall(r"([^{}]*)\{\s*display: none;", printed):
        hidden |= {part.strip() for part in selectors.split(",")}
    for selector in (".skip", ".site-header nav", "form", ".comment-form", "button", ".button", ".filters"):
        assert selector in hidden, selector
    assert ".report-part { break-before: page; }" in printed


def test_the_endorsers_list_prints_each_name_organisation_country_and_date(client, consultation):
    content = page(client, "/endorsements/")
    assert '<form class="filters"' in content  # hidden in print by the stylesheet
    groups = re.findall(r'<section class="country-group">(.*?)</section>', content, re.S)
    (kenya,) = [group for group in groups if "Kenya" in group]
    assert "Amina · Sisters Alliance" in kenya
    assert re.search(r"<span class=\"muted\">· [^<]*\d{4}</span>", kenya), "each entry is dated"
    assert '<span class="no-print">' in kenya
