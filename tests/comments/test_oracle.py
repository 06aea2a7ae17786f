"""No submission may tell its sender who wrote an existing comment.

The adversary: someone who reads a published, anonymous comment and guesses its author's address.
They post the same text again under the guessed address, then under an address that is surely not
the author's, and compare what comes back: the answer (status, redirect, headers, the page it leads
to), the mail (how many, to whom, what), what becomes visible, and the work the site did (the SQL it
ran, a proxy for the timing class). Every one of these must be the same for the two addresses.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comments.models import ModerationEvent, OrgComment, State
from tests.comments.conftest import form_data

pytestmark = pytest.mark.django_db

AUTHOR = "author@sisters.example"
STRANGER = "nobody-at-all@elsewhere.example"
TEXT = "We were evicted twice last year after the police raided our flat.\n\nWe endorse section 3."

# What differs from one answer to the next whoever sends it: fresh tokens, signed times, nonces, ids.
_VOLATILE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken" value="[csrf]"'),
    (re.compile(r'name="timestamp" value="\d+"'), 'name="timestamp" value="[time]"'),
    (re.compile(r'name="security_hash" value="[0-9a-f]+"'), 'name="security_hash" value="[hash]"'),
    (re.compile(r'nonce="[^"]+"'), 'nonce="[nonce]"'),
    (re.compile(r"/comments/(confirm|withdraw)/[\w:-]+/"), r"/comments/\1/[token]/"),
]
_HEADERS_THAT_VARY = {"date", "set-cookie", "content-security-policy"}


def normalised(text: str, *addresses: str) -> str:
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    for address in addresses:
        text = text.replace(address, "[address]")
    return text


@pytest.fixture
def published(post, confirm, approve, section) -> OrgComment:
    """The author's anonymous comment, posted, confirmed by mail and approved, as on the live site."""
    post(section, comment=TEXT, email=AUTHOR, name="", organisation_name="", display="anonymous")
    confirm()
    comment = approve(OrgComment.objects.get())
    mail.outbox.clear()
    return comment


def probe(section, email: str, django_capture_on_commit_callbacks, *, user=None) -> dict:
    """Post the published text under ``email`` from a fresh browser; return everything it can observe."""
    browser = Client(REMOTE_ADDR="203.0.113.9")
    if user is not None:
        browser.force_login(user)
    mail.outbox.clear()
    before = set(OrgComment.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/comments/post/", form_data(section, comment=TEXT, email=email, name=""))
    page = browser.get(response["Location"]) if response.status_code == 302 else response
    new = list(OrgComment.objects.exclude(pk__in=before))
    observed = {
        "status": response.status_code,
        "location": response.get("Location"),
        "headers": {k.lower(): v for k, v in response.items() if k.lower() not in _HEADERS_THAT_VARY},
        "cookies": sorted(response.cookies),
        "page status": page.status_code,
        "page": normalised(page.content.decode(), email),
        "mail": [(m.to == [email], m.subject, normalised(m.body, email)) for m in mail.outbox],
        "stored": [(c.state, c.is_public, c.comment == TEXT) for c in new],
        "events": sorted(ModerationEvent.objects.filter(comment__in=new).values_list("action", "new_state")),
        "public comments": OrgComment.objects.visible().count(),
        # The statements the request ran, values left out: the same work takes the same time.
        "sql": [re.sub(r"\d+", "N", q["sql"].split(" WHERE ")[0]) for q in queries.captured_queries],
    }
    # Out of the way, so that the next probe is not the same member's own second copy (which they may be told of).
    OrgComment.objects.filter(pk__in=[c.pk for c in new]).update(state=State.WITHDRAWN)
    return observed


def assert_the_same(a: dict, b: dict) -> None:
    for key in a:
        assert a[key] == b[key], f"the answers differ in {key!r}"


def test_the_authors_address_and_a_strangers_get_the_same_answer_mail_and_work(
    published, section, django_capture_on_commit_callbacks
):
    as_author = probe(section, AUTHOR, django_capture_on_commit_callbacks)
    as_stranger = probe(section, STRANGER, django_capture_on_commit_callbacks)
    assert_the_same(as_author, as_stranger)
    # And that common answer is the ordinary one: stored, hidden, one confirmation mail to the typed address.
    assert as_author["status"] == 302 and as_author["stored"] == [("unconfirmed", False, True)]
    assert [sent_to_typed for sent_to_typed, _, _ in as_author["mail"]] == [True]
    assert "You already sent" not in as_author["page"]


def test_a_signed_in_member_typing_the_authors_address_learns_nothing_either(
    published, section, member, django_capture_on_commit_callbacks
):
    as_author = probe(section, AUTHOR, django_capture_on_commit_callbacks, user=member)
    as_stranger = probe(section, STRANGER, django_capture_on_commit_callbacks, user=member)
    assert_the_same(as_author, as_stranger)
    assert as_author["stored"] == [("unconfirmed", False, True)]


def test_a_verified_members_guess_is_not_published_at_once_on_the_authors_record(
    published, section, member, django_capture_on_commit_callbacks
):
    """The trust path was an oracle too: a comment under an address with an approved comment went
    out at once, under any other it waited for a coordinator."""
    organisation = member.organisations.get()
    organisation.verified_at = None
    organisation.save()
    for email in (AUTHOR, STRANGER):
        result = probe(section, email, django_capture_on_commit_callbacks, user=member)
        assert result["public comments"] == 1, email  # the author's alone
        assert result["stored"] == [("unconfirmed", False, True)], email
