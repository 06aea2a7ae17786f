"""No poster's live link reaches a log: every 4xx answer on a link is logged without its token.

Each answer below makes Django log a warning with the request's path (CSRF refusals, wrong methods,
refused erasures, rate limits, not found). The test reads what the site's own handlers, as
``LOGGING`` configures them, write: the records must be there, and no token in them.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client

from campaign.lib.logredact import redact
from comments import services
from comments import tokens as links
from comments.models import OrgComment, State
from tests.comments.builders import approved_comment
from tests.subscriptions.builders import make_subscriber

pytestmark = pytest.mark.django_db


class SiteLog:
    """What the handlers configured in LOGGING write, and every record they were given."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.records: list[logging.LogRecord] = []

    def texts(self) -> Iterator[str]:
        yield self.stream.getvalue()
        for record in self.records:
            yield record.getMessage()
            yield str(record.exc_text or "")
            yield from (str(value) for value in vars(record).values() if isinstance(value, str))
            request = getattr(record, "request", None)
            if request is not None:
                yield f"{request.path} {request.path_info} {request.META.get('PATH_INFO')} {request}"


@pytest.fixture
def site_log() -> Iterator[SiteLog]:
    log = SiteLog()
    handlers = [logging.getHandlerByName(name) for name in settings.LOGGING["handlers"]]
    original = [(handler, handler.setStream(log.stream), handler.handle) for handler in handlers]

    def keeping(handler):
        def handle(record):
            accepted = handler.filter(record)
            if accepted:
                log.records.append(record)
                handler.emit(record)
            return accepted

        return handle

    for handler in handlers:
        handler.handle = keeping(handler)
    yield log
    for handler, stream, handle in original:
        handler.setStream(stream)
        handler.handle = handle


@pytest.fixture
def tokens(note) -> dict[str, str]:
    comment = approved_comment(note.sections.first(), text="We ask for decriminalisation.")
    pending = approved_comment(note.sections.first(), text="We also ask for funding.")
    OrgComment.objects.filter(pk=pending.pk).update(state=State.UNCONFIRMED, is_public=False)
    return {
        "confirm": services.issue_confirmation_token(comment_id=pending.pk),
        "withdraw": links.withdraw_token(comment),
        "mute": links.mute_token(comment),
    }


def test_every_handler_in_logging_redacts_tokens():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_tokens" in handler.get("filters", []), name
    assert settings.LOGGING["filters"]["redact_tokens"]["()"] == "campaign.lib.logredact.RedactTokens"


def test_no_refused_answer_on_a_poster_link_logs_its_token(site_log, tokens, settings):
    settings.RATELIMIT_CONFIRM = "1/h"
    confirm, withdraw, mute = (f"/comments/{kind}/{tokens[kind]}/" for kind in ("confirm", "withdraw", "mute"))
    yours = withdraw.replace("/withdraw/", "/yours/")
    poster = Client()
    answers = [
        (poster.post(yours + "erase/"), 400),  # an erasure without its tick box
        (poster.put(confirm), 405),  # wrong methods
        (poster.delete(withdraw), 405),
        (poster.post(yours), 405),
        (poster.post(yours + "copy.json"), 405),
        (poster.get(yours + "erase/"), 405),
        (poster.put(f"/fr{withdraw}"), 405),
        (poster.patch(mute), 405),
        (poster.get(f"/es{yours}no-such-page/"), 404),
        (poster.post(confirm), 200),
        (poster.post(confirm), 429),  # a rate-limited confirmation
    ]
    assert [status for response, status in answers] == [response.status_code for response, _ in answers]
    texts = list(site_log.texts())
    logged = "\n".join(texts)
    assert "Method Not Allowed" in logged, logged
    assert "Too Many Requests" in logged and "Bad Request" in logged, logged
    assert "/comments/withdraw/[token]/" in logged and "/comments/yours/[token]/erase/" in logged, logged
    leaks = [f"the {kind} token in: {text}" for text in texts for kind, token in tokens.items() if token in text]
    assert not leaks, "\n".join(leaks)


def test_a_token_in_an_argument_or_an_exception_is_redacted_too(site_log, tokens):
    token = tokens["withdraw"]
    try:
        raise ValueError(f"while reading /comments/yours/{token}/")
    except ValueError:
        logging.getLogger("django.request").exception("Failed: %s", f"/comments/withdraw/{token}/")
    logged = site_log.stream.getvalue()
    assert "Failed: /comments/withdraw/[token]/" in logged
    assert "ValueError: while reading /comments/yours/[token]/" in logged
    assert token not in logged


@pytest.mark.parametrize("kind", ["confirm", "manage", "unsubscribe"])
def test_a_subscribers_link_is_redacted_in_any_language(site_log, kind):
    token = "Zq8subscriberToken-From_A_Mail"
    for prefix in ("", "/fr", "/ru"):
        logging.getLogger("django.request").warning("Not Found: %s/subscriptions/%s/%s/", prefix, kind, token)
        assert redact(f"{prefix}/subscriptions/{kind}/{token}/?x=1") == f"{prefix}/subscriptions/{kind}/[token]/?x=1"
    logged = site_log.stream.getvalue()
    assert f"Not Found: /ru/subscriptions/{kind}/[token]/" in logged
    assert token not in logged


def test_a_subscribers_refused_requests_log_no_token(site_log):
    token = make_subscriber("reader@example.org")[1]
    reader = Client()
    for response, status in (
        (reader.put(f"/subscriptions/manage/{token}/"), 405),
        (reader.delete(f"/fr/subscriptions/unsubscribe/{token}/"), 405),
        (reader.get(f"/subscriptions/confirm/{token}x/"), 404),
    ):
        assert response.status_code == status
    logged = "\n".join(site_log.texts())
    assert "/subscriptions/manage/[token]/" in logged and "/fr/subscriptions/unsubscribe/[token]/" in logged
    assert token not in logged
