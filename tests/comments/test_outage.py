"""A comment stored just before the database goes down is answered as received.

Otherwise its poster would get the 503 page, which asks them to send it again, and then be told
it is a duplicate. (tests/system/test_load.py stops a real PostgreSQL while members post.)
"""

from __future__ import annotations

from unittest import mock

from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

from comments import services
from comments.models import OrgComment
from tests.comments.conftest import form_data


def test_a_comment_stored_just_before_the_database_goes_down_is_answered_as_received(client, section):
    outage = mock.patch.object(CursorWrapper, "execute", side_effect=OperationalError("server closed the connection"))
    submit = services.comment_submit

    def submit_then_lose_the_database(**kwargs):
        comment = submit(**kwargs)
        outage.start()
        return comment

    try:
        with mock.patch.object(services, "comment_submit", side_effect=submit_then_lose_the_database):
            response = client.post("/comments/post/", form_data(section))
    finally:
        outage.stop()
    assert response.status_code == 302
    assert response["Location"] == f"/comments/sent/?content_type=guidance.section&object_pk={section.pk}"
    assert OrgComment.objects.count() == 1
