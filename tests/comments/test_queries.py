"""Public pages run a constant number of queries, whatever the number of comments."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from tests.comments.builders import threads

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("count", [10, 100, 1000])
def test_the_section_page_runs_the_same_queries_for_10_100_and_1000_comments(client, section, count):
    threads(section, count)
    baseline = _queries(client, section.get_absolute_url())
    assert baseline == SECTION_PAGE_QUERIES, baseline
    page = client.get(section.get_absolute_url()).content.decode()
    assert page.count('class="comment level-') == min(count, 200)


def test_the_document_page_query_count_does_not_grow_with_comments(client, note):
    threads(note, 8)
    small = _queries(client, note.get_absolute_url())
    threads(note, 120)
    assert _queries(client, note.get_absolute_url()) == small


def test_the_endorsers_page_query_count_does_not_grow_with_comments(client, section):
    threads(section, 8)
    small = _queries(client, "/endorsements/?kind=all")
    threads(section, 120)
    assert _queries(client, "/endorsements/?kind=all") == small


def test_the_comment_feed_query_count_does_not_grow_with_comments(client, section):
    url = f"/comments/feeds/{section.document.slug}/{section.key}.atom"
    threads(section, 8)
    client.get(url)  # the first request also reads the Site record, which Django then caches
    small = _queries(client, url)
    threads(section, 120)
    assert _queries(client, url) == small


# The page (4: document, versions, section texts, the sections before and after) + its passages' comment
# counts + the count, the thread ids and the comments.
SECTION_PAGE_QUERIES = 8


def test_each_comment_says_the_version_it_was_written_on_and_links_to_the_changes_since(client, section):
    from campaign.organisations.models import Organisation
    from tests.comments.builders import approved_comment

    original, draft = section.document.versions.order_by("number")
    verified = Organisation.objects.create(name="Sisters Alliance", verified_at=timezone.now())
    poster = factories.UserFactory(username="sister")
    verified.members.add(poster)  # the badge vouches for members only
    older = approved_comment(section, text="On the first text.", version=original, organisation_name="Old Friends")
    newer = approved_comment(
        section,
        text="On the draft.",
        version=draft,
        organisation=verified,
        organisation_name="Sisters Alliance",
        user=poster,
    )
    approved_comment(section, text="Before versions were recorded.")

    page = client.get(section.get_absolute_url()).content.decode()
    comments = {c.split('"', 1)[0]: c for c in page.split('<li class="comment level-0" id="c')[1:]}
    since = f'{section.get_absolute_url()}?from=1&amp;to=2">an earlier version: see what changed since</a>'
    assert "on Original text" in comments[str(older.pk)] and since in comments[str(older.pk)]
    assert "verified" not in comments[str(older.pk)]
    assert "on Reworked draft 1" in comments[str(newer.pk)] and "see what changed" not in comments[str(newer.pk)]
    assert '<span class="badge verified">verified</span>' in comments[str(newer.pk)]
    assert sum(" · on " in c for c in comments.values()) == 2  # the third says nothing of a version
