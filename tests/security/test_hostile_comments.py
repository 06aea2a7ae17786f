"""Every field a visitor can write, fed with every hostile string; then every page that shows them, checked.

The module fixture posts each string through the real comment form (as a comment and as a reply, in
every text field at once), through every other field of the form, and as the token of the
confirmation, withdrawal and mute links. Each test then checks one field (no 5xx, no stray markup
in its responses) or one page that shows the stored strings (parsed with html5lib, every tag,
attribute and URL held to the allow-list).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import html5lib
import pytest
from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils.html import escape

from comments import feeds, services
from comments.desk import selectors as desk_selectors
from comments.desk.access import COORDINATORS_GROUP
from comments.models import Kind, OrgComment, State
from comments.text import clean_text
from guidance.models import Section
from tests import factories
from tests.comments.conftest import form_data
from tests.security import markup
from tests.security.hostile import (
    Sender,
    one_sender_settings,
    plain_template_rendering,
    quiet_request_log,
    sampled,
    strings,
    xml_text,
)

pytestmark = pytest.mark.django_db

POST = "/comments/post/"
# The text fields and their lengths: a longer string is cut to fit, so that it is stored and shown (the
# full string goes to every field at once below, where the form refuses it and shows it back).
TEXT_FIELDS = {"comment": 20_000, "name": 50, "organisation_name": 200, "city": 120, "on_behalf_of": 200}
# The rest of the form: choices, the signature of the form, the honeypot, the email, the version read.
OTHER_FIELDS = (
    "kind", "display", "language", "country", "email", "followup", "honeypot", "version", "timestamp",
    "security_hash",
)  # fmt: skip
# Fields the view reads before the form: each gets a request of its own.
TARGET_FIELDS = ("content_type", "object_pk", "reply_to")
LINKS = {
    "confirmation link (GET)": ("get", "/comments/confirm/{}/"),
    "confirmation link (POST)": ("post", "/comments/confirm/{}/"),
    "withdrawal link (GET)": ("get", "/comments/withdraw/{}/"),
    "mute link (GET)": ("get", "/comments/mute/{}/"),
    "mute link (POST)": ("post", "/comments/mute/{}/"),
}
FIELDS = (
    "comment form",
    "reply form",
    "every form field at once",
    *(f"form field {name}" for name in (*TARGET_FIELDS, "version")),
    *LINKS,
)
KINDS = Kind.values


@dataclass
class Site:
    sender: Sender
    section: Section
    reader: Client
    coordinator: Client
    kept: list[str]


def _an_integer(value: str) -> bool:
    try:
        forms.IntegerField().clean(value)
    except ValidationError:
        return False
    return True


def _coordinator() -> Client:
    user = factories.UserFactory(username="hostile-coordinator", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(scope="module")
def site(module_transaction) -> Site:
    """Send every string to every field a visitor can write, then publish all that was stored."""
    with (
        one_sender_settings(),
        pytest.MonkeyPatch.context() as patch,
        plain_template_rendering(),
    ):
        # One page holds them all: every stored string is on the pages checked below.
        patch.setattr(desk_selectors, "PAGE_SIZE", 100_000)
        patch.setattr(feeds, "FEED_SIZE", 100_000)
        version = factories.VersionFactory(document=factories.DocumentFactory(slug="hostile-note"), number=1)
        section = factories.SectionTextFactory(version=version).section
        to_reply_to = services.Submission(
            target=section, text="A comment to reply to.", kind=Kind.COMMENT, email="parent@example.org",
            signature=services.Signature(name="Parent"), language="en",
        )  # fmt: skip
        parent = services.comment_submit(submission=to_reply_to)
        OrgComment.objects.filter(pk=parent.pk).update(state=State.APPROVED, is_public=True)
        sender = Sender()
        base = form_data(section)
        kept = []
        with quiet_request_log():
            for index, value in enumerate(strings()):
                # Each string once through the form, as a comment or (every other one) as a reply: the
                # reply is the same form with a parent, and a page shows both.
                what, reply_to = ("comment form", "0") if index % 2 == 0 else ("reply form", str(parent.pk))
                data = {name: value[:length] for name, length in TEXT_FIELDS.items()}
                data.update(kind=KINDS[index % len(KINDS)], reply_to=reply_to, email=f"p{index}@example.org")
                response = sender.send(what, value, "post", POST, {**base, **data})
                if response.status_code == 200 and escape(value) not in response.content.decode():
                    kept.append(f"{what}: {value[:60]!r} not kept")
                if sampled(index):
                    every = dict.fromkeys((*TEXT_FIELDS, *OTHER_FIELDS), value)
                    sender.send("every form field at once", value, "post", POST, {**base, **every})
                for name in TARGET_FIELDS:
                    sender.send(f"form field {name}", value, "post", POST, {**base, name: value})
                if _an_integer(value):  # any other value is refused by the field, as above
                    data = {**base, "version": value, "email": "version@example.org"}
                    sender.send("form field version", value, "post", POST, data)
                for what, (method, path) in LINKS.items():
                    sender.send(what, value, method, path.format(quote(value, safe="")))
        # Publish everything stored, without the screening and decisions tested elsewhere: these tests
        # are about what the pages make of the strings.
        OrgComment.objects.update(state=State.APPROVED, is_public=True)
        yield Site(sender=sender, section=section, reader=Client(), coordinator=_coordinator(), kept=kept)


@pytest.mark.parametrize("field", FIELDS)
def test_no_field_answers_500_or_stray_markup(site, field):
    site.sender.assert_clean(field)


def test_a_refused_comment_comes_back_with_the_text_as_typed(site):
    assert site.sender.statuses["comment form"][200], "no string was refused: the check below checked nothing"
    assert not site.kept


def test_the_strings_were_stored(site):
    accepted = site.sender.statuses["comment form"][302] + site.sender.statuses["reply form"][302]
    stored = OrgComment.objects.filter(user_email__regex=r"^p[0-9]+@example\.org$", is_public=True)
    assert stored.count() == accepted
    assert accepted > 0.95 * len(strings())  # all but the few the form refuses


def _comment_texts(page: str) -> dict[str, str]:
    """The text of each comment on a page, by the id of its item, as a reader's browser has it."""
    root = html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)
    return {
        item.get("id"): "".join(body.itertext())
        for item in root.iter("li")
        if item.get("id", "").startswith("c")
        for body in item.iter("div")
        if body.get("class") == "comment-body"
    }


def _page(site, path: str, *, coordinator: bool = False) -> str:
    response = (site.coordinator if coordinator else site.reader).get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def test_the_section_page_shows_every_comment_within_the_allow_list(site):
    page = _page(site, site.section.get_absolute_url())
    markup.assert_allowed(page, where="section page")
    shown = set(OrgComment.objects.filter(is_public=True).values_list("pk", flat=True))
    assert all(f'id="c{pk}"' in page for pk in shown)


def test_each_comment_reads_as_typed_on_the_section_page(site):
    bodies = _comment_texts(_page(site, site.section.get_absolute_url()))
    wrong = []
    for pk, text in OrgComment.objects.filter(is_public=True).values_list("pk", "comment"):
        expected = "\n".join(line for line in clean_text(text).split("\n") if line.strip())
        if "\n".join(line for line in bodies[f"c{pk}"].split("\n") if line.strip()) != expected:
            wrong.append(pk)
    assert not wrong, f"{len(wrong)} comments do not read as typed: {wrong[:10]}"


@pytest.mark.parametrize(
    "path",
    ["/endorsements/?kind=all", "/note/hostile-note/", "/note/hostile-note/v1/", "/", "/note/hostile-note/report/"],
    ids=["endorsers", "document", "version", "home", "report"],
)
def test_public_pages_stay_within_the_allow_list(site, path):
    markup.assert_allowed(_page(site, path), where=path)


def test_the_comment_feeds_stay_within_the_comment_allow_list(site):
    section = site.section
    for path in (f"/comments/feeds/hostile-note/{section.key}.atom", "/comments/feeds/hostile-note.atom"):
        response = site.reader.get(path)
        assert response.status_code == 200
        markup.assert_feed_allowed(response.content, markup.COMMENT_TEXT, where=path)


def test_the_comment_feeds_name_every_author_and_title_as_typed(site):
    """Titles and author names are plain text in Atom: each reads as the poster typed it."""
    shown = {
        comment.get_absolute_url(): comment
        for comment in OrgComment.objects.visible().for_target(site.section).select_related("organisation")
    }
    for path in (f"/comments/feeds/hostile-note/{site.section.key}.atom", "/comments/feeds/hostile-note.atom"):
        response = site.reader.get(path)
        assert response.status_code == 200, path
        wrong = []
        for entry in markup.feed_entries(response.content):
            comment = shown[urlsplit(entry["link"]).path]
            who = comment.public_organisation or comment.public_name
            signature = comment.signature.text()  # the pages' own signature (comments.signature)
            if who and (xml_text(who) not in entry["title"] or entry["author"] != xml_text(signature)):
                wrong.append((comment.pk, who[:40], entry["title"][:60], entry["author"][:40]))
        assert not wrong, f"{path}: {len(wrong)} entries not as typed: {wrong[:5]}"


def test_the_reply_pages_stay_within_the_allow_list(site):
    for pk in list(OrgComment.objects.filter(is_public=True).values_list("pk", flat=True))[::40]:
        markup.assert_allowed(_page(site, f"/comments/reply/{pk}/"), where=f"reply page of #{pk}")


def test_the_desk_queue_stays_within_the_allow_list(site):
    markup.assert_allowed(_page(site, "/desk/queue/approved/", coordinator=True), where="desk queue")


def test_the_desk_audit_log_of_a_comment_stays_within_the_allow_list(site):
    for pk in list(OrgComment.objects.filter(is_public=True).values_list("pk", flat=True))[::97]:
        markup.assert_allowed(_page(site, f"/desk/c/{pk}/log/", coordinator=True), where=f"log of #{pk}")
