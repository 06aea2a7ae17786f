"""No email or client address in any public response; no raw address in the database."""

from __future__ import annotations

import pytest
from django.db import connection

from comments.models import OrgComment

pytestmark = pytest.mark.django_db

EMAIL = "secret.poster@example.net"
ADDRESS = "198.51.100.77"


@pytest.fixture
def published(post, confirm, approve, section, note):
    post(section, email=EMAIL, REMOTE_ADDR=ADDRESS, display="name_org")
    confirm()
    approve(OrgComment.objects.get())
    post(note, email=EMAIL, REMOTE_ADDR=ADDRESS, comment="On the whole note.", display="anonymous")
    confirm()
    approve(OrgComment.objects.get(object_pk=str(note.pk)))
    return OrgComment.objects.all()


def public_urls(section, note) -> list[str]:
    comment = OrgComment.objects.first()
    return [
        "/",
        "/about/",
        "/organisations/",
        "/endorsements/",
        "/endorsements/?kind=all",
        note.get_absolute_url(),
        section.get_absolute_url(),
        f"/note/{note.slug}/v1/",
        f"/note/{note.slug}/v2/",
        f"/note/{note.slug}/v2/print/",
        f"/note/{note.slug}/compare/v1/v2/",
        f"/note/{note.slug}/versions.atom",
        f"/comments/feeds/{note.slug}.atom",
        f"/comments/feeds/{note.slug}/{section.key}.atom",
        f"/comments/c/{comment.pk}/",
        f"/comments/reply/{comment.pk}/",
        "/sitemap.xml",
        "/no-such-page/",
        "/comments/confirm/bogus-token/",
        "/comments/withdraw/bogus/",
    ]


def test_no_public_response_contains_the_email_or_the_address(client, published, section, note):
    for url in public_urls(section, note):
        response = client.get(url, follow=True)
        assert response.status_code in (200, 404), (url, response.status_code)
        body = response.content.decode()
        assert EMAIL not in body, url
        assert "secret.poster" not in body, url
        assert ADDRESS not in body, url


def test_no_raw_address_is_stored_anywhere_in_the_comment_tables(published):
    with connection.cursor() as cursor:
        for table in (
            "django_comments",
            "django_comments_xtd_xtdcomment",
            "comments_orgcomment",
            "comments_moderationevent",
        ):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            for row in cursor.fetchall():
                assert not any(ADDRESS in str(value) for value in row), table


def test_the_ip_address_column_stays_empty(published):
    assert not OrgComment.objects.exclude(ip_address=None).exists()
