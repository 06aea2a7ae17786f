"""Every field a coordinator writes on the desk, fed with every hostile string; then the pages that show them.

Rejection notes (through the single and the bulk form), official replies, the organisations'
public fields, the merge form, and the ``next`` field every desk form carries. Keyword rules and
rejection reasons are in test_hostile_desk_lists.py: hundreds of reasons would be listed again in
every queue item's reason list here.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.test import Client
from django.utils import timezone

from campaign.organisations.models import Organisation
from comments import services
from comments.desk import selectors as desk_selectors
from comments.desk.access import COORDINATORS_GROUP
from comments.desk.forms import OfficialReplyForm
from comments.models import Kind, ModerationEvent, OrgComment, RejectionReason, State
from comments.text import clean_text, fingerprint
from guidance.models import Section
from tests import factories
from tests.security import markup
from tests.security.hostile import (
    Sender,
    one_sender_settings,
    plain_template_rendering,
    quiet_request_log,
    sampled,
    strings,
)

pytestmark = pytest.mark.django_db

FIELDS = (
    "rejection note",
    "rejection note (bulk)",
    "official reply",
    "merge form",
)


@dataclass
class Desk:
    sender: Sender
    section: Section
    coordinator: Client
    organisations: list[Organisation]
    redirects: list[str]


def _waiting(section: Section, count: int) -> list[int]:
    """Put ``count`` plain comments in the review queue (their text is not what is tested here)."""

    def submission(index: int) -> services.Submission:
        return services.Submission(
            target=section, text=f"Comment {index}", kind=Kind.ENDORSE, email=f"w{index}@example.org",
            signature=services.Signature(), language="en",
        )  # fmt: skip

    ids = [services.comment_submit(submission=submission(index)).pk for index in range(count)]
    OrgComment.objects.filter(pk__in=ids).update(state=State.REVIEW)
    return ids


ORGANISATION_FIELDS = ("name", "slug", "city", "country", "website", "network", "description")
OrganisationForm = modelform_factory(Organisation, fields=ORGANISATION_FIELDS)


def _organisation(index: int, value: str) -> Organisation:
    """An organisation whose public fields all hold the string, validated as Django's admin validates them.

    Coordinators write these fields in the admin, through a model form like this one. A field that
    refuses the string (a website that is no URL, a name too long) is left out, as the admin would
    refuse it with a message; the other fields still hold the string.
    """
    data = dict.fromkeys(ORGANISATION_FIELDS, value)
    data.update(slug=f"hostile-{index}", country="KE")
    form = OrganisationForm(data)
    if not form.is_valid():
        for name in form.errors:
            data[name] = f"Organisation {index}" if name == "name" else ""
        form = OrganisationForm(data)
    return form.save()


@pytest.fixture(scope="module")
def desk(module_transaction) -> Desk:
    with (
        one_sender_settings(),
        pytest.MonkeyPatch.context() as patch,
        plain_template_rendering(),
        quiet_request_log(),
    ):
        patch.setattr(desk_selectors, "PAGE_SIZE", 100_000)
        patch.setattr(desk_selectors, "LOG_PAGE_SIZE", 100_000)
        version = factories.VersionFactory(document=factories.DocumentFactory(slug="hostile-desk"), number=1)
        section = factories.SectionTextFactory(version=version).section
        user = factories.UserFactory(username="hostile-desk", is_staff=True)
        user.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
        sender = Sender()
        sender.client.force_login(user)
        reason = RejectionReason.objects.create(title="Not about the note", text="Please comment on the note.")
        values = strings()
        waiting = _waiting(section, len(values))
        organisations = [_organisation(index, value) for index, value in enumerate(values)]
        # Half of them verified, so their names are shown with the badge too.
        Organisation.objects.filter(pk__in=[o.pk for o in organisations[::2]]).update(verified_at=timezone.now())
        redirects = []
        for index, (value, comment_id) in enumerate(zip(values, waiting, strict=True)):
            # Each note once, through the form of one comment or (every other one) through the bulk form.
            if index % 2 == 0:
                data = {"reason": reason.pk, "note": value, "next": value}
                response = sender.send("rejection note", value, "post", f"/desk/c/{comment_id}/reject/", data)
            else:
                data = {"decision": "reject", "ids": [comment_id], "reason": reason.pk, "note": value, "next": value}
                response = sender.send("rejection note (bulk)", value, "post", "/desk/bulk/", data)
            redirects.append(response.get("Location", ""))
            # Each published under a comment of its own, so they appear in the thread as replies do.
            OrgComment.objects.filter(pk=comment_id).update(state=State.APPROVED, is_public=True)
            if sampled(index):
                data = {"text": value, "language": "en", "next": value}
                response = sender.send("official reply", value, "post", f"/desk/c/{comment_id}/reply/", data)
                redirects.append(response.get("Location", ""))
            # The comment speaks for the organisation, so its name is shown with the comment.
            OrgComment.objects.filter(pk=comment_id).update(organisation=organisations[index])
        for index, value in enumerate(values):
            if not sampled(index):
                continue
            # (A string that is an organisation's id, like "01000", merges that one away, as it should.)
            data = {"duplicate": value, "keep": organisations[index].pk, "next": value}
            sender.send("merge form", value, "post", "/desk/organisations/merge/", data)
        coordinator = Client()
        coordinator.force_login(user)
        # Those not merged away.
        organisations = list(Organisation.objects.filter(slug__startswith="hostile-"))
        yield Desk(sender, section, coordinator, organisations, redirects)


@pytest.mark.parametrize("field", FIELDS)
def test_no_field_answers_500_or_stray_markup(desk, field):
    desk.sender.assert_clean(field)


def test_every_note_and_reply_was_taken(desk):
    count = len(strings())
    notes = ModerationEvent.objects.filter(comment__object_pk=str(desk.section.pk), action="reject")
    assert notes.count() > 0.99 * count  # all but those with NUL or over 2,000 characters, refused
    replies = OrgComment.objects.filter(official=True, is_public=True, object_pk=str(desk.section.pk))
    # All but those the form refuses, and a text the working group already posted (same words, other
    # punctuation: many naughty strings are only punctuation), which is kept once.
    sent = [value for index, value in enumerate(strings()) if sampled(index) and _a_reply(value)]
    assert replies.count() == len({fingerprint(value) for value in sent})


def test_no_next_leads_off_the_desk(desk):
    # Every note and reply above carried the string as ``next`` too (where the desk returns after).
    assert desk.redirects
    assert all(location.startswith("/desk/") for location in desk.redirects), {
        location for location in desk.redirects if not location.startswith("/desk/")
    }


def _a_reply(value: str) -> bool:
    try:
        text = OfficialReplyForm.base_fields["text"].clean(value)
    except ValidationError:
        return False
    return bool(clean_text(text).strip())


def _page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize(
    "path",
    ["/desk/log/", "/desk/queue/approved/?kind=endorse", "/desk/stats/"],
    ids=["audit log", "approved queue", "statistics"],
)
def test_desk_pages_stay_within_the_allow_list(desk, path):
    markup.assert_allowed(_page(desk.coordinator, path), where=path)


def test_the_audit_log_of_each_comment_stays_within_the_allow_list(desk):
    for comment_id in list(OrgComment.objects.filter(official=False).values_list("pk", flat=True))[::53]:
        path = f"/desk/c/{comment_id}/log/"
        markup.assert_allowed(_page(desk.coordinator, path), where=path)


def test_the_desk_organisations_pages_stay_within_the_allow_list(desk):
    pages = len(desk.organisations) // 50 + 1
    for number in range(1, pages + 1):
        path = f"/desk/organisations/?page={number}"
        markup.assert_allowed(_page(desk.coordinator, path), where=path)


@pytest.mark.parametrize(
    "path",
    ["/note/hostile-desk/sections/{key}/", "/endorsements/?kind=all", "/organisations/"],
    ids=["section", "endorsers", "organisations"],
)
def test_public_pages_stay_within_the_allow_list(desk, path):
    markup.assert_allowed(_page(Client(), path.format(key=desk.section.key)), where=path)


def test_each_organisation_page_stays_within_the_allow_list(desk):
    reader = Sender()
    for organisation in desk.organisations:
        reader.send("organisation page", organisation.name, "get", organisation.get_absolute_url())
    reader.assert_clean("organisation page")
    assert reader.statuses["organisation page"] == {200: len(desk.organisations)}


def test_the_csv_export_starts_no_cell_with_a_formula(desk):
    response = desk.coordinator.get("/desk/export/endorsements.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) > len(desk.organisations) // 2
    formulas = [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert not formulas
