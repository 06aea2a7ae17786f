"""Hostile strings in every field and link of the subscriptions: no 5xx, no markup but the templates'.

The subscription form's address, topics and trap field, the manage form's topics and language, and
the token of the confirm, manage and unsubscribe links each get the strings (``tests/security/hostile.py``).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import override_settings

from tests.security.hostile import Sender, plain_template_rendering, quiet_request_log, sampled, strings
from tests.subscriptions.builders import make_subscriber

FIELDS = (
    "subscribe email",
    "subscribe topics",
    "subscribe trap field",
    "manage topics",
    "manage language",
    "link token (confirm)",
    "link token (manage)",
    "link token (one-click unsubscribe)",
)


@pytest.fixture(scope="module")
def sender(module_transaction) -> Sender:
    sender = Sender()
    _subscriber, token = make_subscriber("hostile@example.org")
    manage = f"/subscriptions/manage/{token}/"
    with override_settings(RATELIMIT_SUBSCRIBE="1000000/h"), quiet_request_log(), plain_template_rendering():
        for index, value in enumerate(strings()):
            sender.send("subscribe email", value, "post", "/subscriptions/", {"email": value, "topics": "closing"})
            if not sampled(index):
                continue
            data = {"email": f"h{index}@example.org", "topics": value}
            sender.send("subscribe topics", value, "post", "/subscriptions/", data)
            data = {"email": f"t{index}@example.org", "topics": "replies", "website": value}
            sender.send("subscribe trap field", value, "post", "/subscriptions/", data)
            sender.send("manage topics", value, "post", manage, {"topics": value, "language": "en"})
            sender.send("manage language", value, "post", manage, {"topics": "closing", "language": value})
            link = quote(value, safe="")
            sender.send("link token (confirm)", value, "get", f"/subscriptions/confirm/{link}/")
            sender.send("link token (manage)", value, "get", f"/fr/subscriptions/manage/{link}/")
            sender.send(
                "link token (one-click unsubscribe)",
                value,
                "post",
                f"/subscriptions/unsubscribe/{link}/",
                "List-Unsubscribe=One-Click",
                content_type="application/x-www-form-urlencoded",
            )
    return sender


@pytest.mark.django_db
@pytest.mark.parametrize("field", FIELDS)
def test_no_field_answers_500_or_stray_markup(sender, field):
    sender.assert_clean(field)
