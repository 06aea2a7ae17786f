"""An organisation's page lists its published endorsements and comments, each signed as its poster chose."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import OrgComment, State
from comments.signature import Display
from tests import factories
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def lune(db):
    return factories.OrganisationFactory(name="Collectif Lune", slug="collectif-lune", city="Lyon", country="FR")


def link(section, org, text, **fields) -> OrgComment:
    return approved_comment(section, text=text, organisation=org, organisation_name=org.name, **fields)


def page_of(client, org) -> str:
    response = client.get(f"/organisations/{org.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_lists_what_was_published_under_the_organisations_name(client, section, lune):
    org_only = link(section, lune, "We endorse it.", display=Display.ORGANISATION_ONLY, user_name="Mira", city="Lyon")
    named = link(section, lune, "Yes.", display=Display.NAME_AND_ORGANISATION, user_name="Amina Diallo")
    page = page_of(client, lune)
    assert f'href="/comments/c/{org_only.pk}/"' in page and f'href="/comments/c/{named.pk}/"' in page
    assert "Collectif Lune" in page and "Amina Diallo" in page
    # "Organisation only": no person's name, no city.
    assert "Mira" not in page


def test_it_never_attributes_an_anonymous_or_unpublished_comment_to_the_organisation(client, section, lune):
    hidden = link(section, lune, "Anonymous.", display=Display.ANONYMOUS, user_name="Secret Person")
    waiting = link(section, lune, "Waiting.", display=Display.NAME_AND_ORGANISATION, user_name="Not Yet Approved")
    OrgComment.objects.filter(pk=waiting.pk).update(state=State.REVIEW, is_public=False)
    page = page_of(client, lune)
    assert "Secret Person" not in page and "Not Yet Approved" not in page
    assert f"/{hidden.pk}/" not in page
    assert "Nothing published under this organisation" in page


def test_the_page_makes_the_same_queries_for_one_comment_or_twenty(client, section, lune, settings):
    settings.PAGE_CACHE = False
    link(section, lune, "First.", display=Display.ORGANISATION_ONLY)
    with CaptureQueriesContext(connection) as one:
        page_of(client, lune)
    for number in range(19):
        link(section, lune, f"More {number}.", display=Display.NAME_AND_ORGANISATION, user_name=f"P{number}")
    with CaptureQueriesContext(connection) as twenty:
        assert page_of(client, lune).count("badge kind-") == 20
    assert 0 < len(one) == len(twenty)
