"""Site-wide pages: home, about, organisations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories


def text_of(response) -> str:
    return response.content.decode()


# --- home ----------------------------------------------------------------------------------


def test_it_presents_the_campaign(client, note):
    response = client.get("/")
    assert response.status_code == 200
    page = text_of(response)
    assert "coalition of sex worker\u2013led organisations" in page
    assert "endorse it" in page


def test_it_links_home_to_the_comparison_of_the_original_with_the_current_version(client, note):
    page = text_of(client.get("/"))
    assert "Compare the original text with the current rework" in page
    assert 'href="/note/guidance-note/compare/v1/v2/"' in page


def test_it_compares_the_original_with_the_newest_published_version(client, note):
    factories.VersionFactory(document=note, number=3, label="Reworked draft 2")
    factories.VersionFactory(document=note, number=4, published=None)
    page = text_of(client.get("/"))
    assert 'href="/note/guidance-note/compare/v1/v3/"' in page
    assert "v4" not in page


def test_it_offers_no_comparison_without_an_original_text(client, db):
    document = factories.DocumentFactory(slug="draft-only")
    factories.VersionFactory(document=document, number=1, kind="draft")
    page = text_of(client.get("/"))
    assert "Compare the original text with the current rework" not in page


def test_it_shows_the_current_contents_on_home(client, note):
    page = text_of(client.get("/"))
    assert 'href="/note/guidance-note/v2/#introduction"' in page
    assert 'href="/note/guidance-note/v2/#health-services"' in page
    assert "Rights based approach" in page


def test_it_lists_translations_of_the_current_version_on_home(client, note):
    draft = note.versions.get(number=2)
    factories.VersionFactory(document=note, number=2, label="Borrador 1", language="es", translation_of=draft)
    page = text_of(client.get("/"))
    assert 'href="/note/guidance-note/v2/es/"' in page
    assert 'hreflang="es"' in page


def test_it_leaves_unpublished_translations_off_home(client, note):
    draft = note.versions.get(number=2)
    factories.VersionFactory(document=note, number=2, language="ru", translation_of=draft, published=None)
    assert "/v2/ru/" not in text_of(client.get("/"))


@pytest.mark.parametrize(
    ("opens", "closes", "status"),
    [
        (-5, 10, "Open for endorsements and comments"),
        (3, 10, "Not open yet"),
        (-30, -1, "Closed"),
    ],
)
def test_it_shows_the_consultation_window_on_home(client, note, opens, closes, status):
    today = timezone.localdate()
    note.consultation_opens = today + timedelta(days=opens)
    note.consultation_closes = today + timedelta(days=closes)
    note.save()
    page = text_of(client.get("/"))
    assert status in page
    assert f'datetime="{note.consultation_opens:%Y-%m-%d}"' in page
    assert f'datetime="{note.consultation_closes:%Y-%m-%d}"' in page


def test_it_explains_how_to_import_a_note_when_there_is_none(client, db):
    response = client.get("/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Nothing published yet" in page
    assert "import_guidance" in page


def test_it_says_so_when_no_version_is_published_yet(client, db):
    document = factories.DocumentFactory(slug="waiting")
    factories.VersionFactory(document=document, number=1, published=None)
    page = text_of(client.get("/"))
    assert "No version of the note has been published yet." in page


def test_it_runs_five_queries_for_home(client, note, django_assert_num_queries):
    # The document, its published versions, the current version's contents, their comment counts,
    # the endorsements counted on the call to act.
    with django_assert_num_queries(5):
        client.get("/")


def test_it_runs_one_query_for_an_empty_home(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get("/")


# --- about -----------------------------------------------------------------------------------


def test_it_shows_the_about_page(client, db):
    response = client.get("/about/")
    assert response.status_code == 200
    assert "anonymously" in text_of(response)


# --- organisations ---------------------------------------------------------------------------


@pytest.fixture
def organisations(db):
    verified = factories.OrganisationFactory(
        name="Sisters Alliance",
        slug="sisters-alliance",
        city="Nairobi",
        country="KE",
        network="African Sex Workers Alliance",
        contact_email="private-sisters@example.org",
        verified_at=timezone.now(),
    )
    unverified = factories.OrganisationFactory(
        name="Collectif Lune",
        slug="collectif-lune",
        city="Lyon",
        country="FR",
        contact_email="private-lune@example.org",
        website="https://lune.example.org/",
        description="Un collectif de travailleuses du sexe.",
    )
    return verified, unverified


def test_it_lists_organisations(client, organisations):
    response = client.get("/organisations/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Sisters Alliance" in page
    assert "Nairobi" in page
    assert "Kenya" in page
    assert "African Sex Workers Alliance" in page
    assert "France" in page
    assert 'href="/organisations/collectif-lune/"' in page


def test_it_marks_verified_organisations(client, organisations):
    page = text_of(client.get("/organisations/"))
    assert page.count('class="badge verified"') == 1
    sisters = page.index("Sisters Alliance")
    assert "verified" in page[sisters : sisters + 200]


def test_it_never_lists_contact_emails(client, organisations):
    page = text_of(client.get("/organisations/"))
    assert "private-sisters@example.org" not in page
    assert "private-lune@example.org" not in page


def test_it_shows_an_empty_organisation_list(client, db):
    response = client.get("/organisations/")
    assert response.status_code == 200
    assert "No organisations are listed yet." in text_of(response)


def test_it_runs_one_query_for_the_organisation_list(client, organisations, django_assert_num_queries):
    factories.OrganisationFactory.create_batch(20)
    with django_assert_num_queries(1):
        client.get("/organisations/")


def test_it_shows_an_organisation(client, organisations):
    response = client.get("/organisations/collectif-lune/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Collectif Lune" in page
    assert "Lyon" in page
    assert "France" in page
    assert 'href="https://lune.example.org/"' in page
    assert "Un collectif de travailleuses du sexe." in page


def test_it_shows_the_verified_badge_on_an_organisation(client, organisations):
    assert 'class="badge verified"' in text_of(client.get("/organisations/sisters-alliance/"))
    assert 'class="badge verified"' not in text_of(client.get("/organisations/collectif-lune/"))


def test_it_never_shows_the_contact_email_of_an_organisation(client, organisations):
    for slug, email in [("sisters-alliance", "private-sisters"), ("collectif-lune", "private-lune")]:
        page = text_of(client.get(f"/organisations/{slug}/"))
        assert email not in page
        assert "@example.org" not in page


def test_it_404s_for_an_unknown_organisation(client, db):
    assert client.get("/organisations/nobody/").status_code == 404
