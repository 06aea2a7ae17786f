"""Comments on a paragraph and amendments with wording: posted, shown as changes, answered, taken up."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from comments.models import Kind, ModerationEvent, OrgComment, Outcome, State
from guidance.importer import import_markdown
from guidance.models import Document, Section

ACCESS = "Sex workers must have access to HIV services without fear of arrest or police harassment."
FUNDING = "Funding goes to community-led organisations for at least five years at a time."
POSTER = "collective@example.org"


def note(*paragraphs: str) -> str:
    return "# Guidance Note\n\n## Services {#services}\n\n" + "\n\n".join(paragraphs) + "\n"


@pytest.fixture
def document(db):
    document = Document.objects.create(slug="note", title="Guidance Note")
    import_markdown(document=document, source=note(ACCESS, FUNDING), label="Draft one")
    return document


@pytest.fixture
def services_section(document) -> Section:
    return document.sections.get(key="services")


def key_of(section: Section, words: str) -> str:
    (key,) = [p.key for p in section.comment_passages() if p.text == words]
    return key


def amend(post, section, **fields):
    version = section.document.versions.get(number=1)
    values = {
        "kind": "amend",
        "passage": key_of(section, ACCESS),
        "proposal": ACCESS.replace("without fear of arrest", "free of charge and without fear of arrest"),
        "comment": "Services must cost nothing, or the poorest workers stay away.",
        "email": POSTER,
        "version": str(version.pk),
    }
    return post(section, **{**values, **fields})


@pytest.fixture
def published_amendment(post, confirm, approve, services_section) -> OrgComment:
    response = amend(post, services_section)
    assert response.status_code == 302, response.content.decode()[:2000]
    confirm()
    comment = OrgComment.objects.get(kind=Kind.AMEND)
    approve(comment)
    comment.refresh_from_db()
    assert comment.state == State.APPROVED
    return comment


def test_an_amendment_keeps_its_passage_the_words_it_quotes_and_its_wording(published_amendment, services_section):
    assert published_amendment.passage_key == key_of(services_section, ACCESS)
    assert published_amendment.quote == ACCESS
    assert "free of charge" in published_amendment.proposal
    assert published_amendment.is_amendment


def test_readers_see_the_proposal_as_changes_to_the_passage_and_its_count_beside_it(
    client, published_amendment, services_section
):
    page = client.get(services_section.get_absolute_url()).content.decode()
    assert "<ins>free of charge and </ins>" in page or "<ins>free of charge and</ins>" in page
    assert "Proposed wording, as changes to the text:" in page
    key = published_amendment.passage_key
    assert f'href="?passage={key}#comments">' in page
    assert "1 amendment" in page.split(f'id="{key}"')[1].split("</div>")[0]


def test_a_selection_inside_the_paragraph_is_quoted_as_the_text_writes_it(post, services_section):
    response = post(
        services_section,
        kind="comment",
        passage=key_of(services_section, ACCESS),
        quote="  WITHOUT fear of   arrest ",
        comment="Yes: fear keeps people away.",
    )
    assert response.status_code == 302
    assert OrgComment.objects.get().quote == "without fear of arrest"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"quote": "words that are not there"}, "These words are not in the paragraph you chose"),
        ({"passage": "", "proposal": "New words."}, "Choose the paragraph your proposed wording is for."),
        ({"kind": "concern"}, "Proposed wording goes with"),
        ({"proposal": ACCESS}, "Your proposed wording is the same as the text"),
        ({"passage": "p-000000"}, "Select a valid choice"),
    ],
)
def test_a_passage_that_does_not_fit_is_refused_with_the_text_kept(post, services_section, fields, message):
    response = amend(post, services_section, **fields)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "Services must cost nothing, or the poorest workers stay away." in page
    assert not OrgComment.objects.exists()


def test_propose_new_wording_opens_the_form_on_the_paragraph_with_its_words_to_edit(client, services_section):
    key = key_of(services_section, FUNDING)
    page = client.get(f"{services_section.get_absolute_url()}?passage={key}&kind=amend").content.decode()
    assert f'<option value="{key}" selected>' in page
    assert f'id="id_proposal">\n{FUNDING}</textarea>' in page
    assert re.search(r'<input type="radio" name="kind" value="amend"[^>]*checked', page)


def test_a_passage_link_shows_only_its_discussions(client, published_amendment, services_section, post, confirm):
    other = key_of(services_section, FUNDING)
    page = client.get(f"{services_section.get_absolute_url()}?passage={other}").content.decode()
    assert "Showing the discussions on one paragraph." in page
    assert f'id="c{published_amendment.pk}"' not in page
    page = client.get(f"{services_section.get_absolute_url()}?passage={published_amendment.passage_key}")
    assert f'id="c{published_amendment.pk}"' in page.content.decode()


def test_a_changed_or_removed_passage_is_said_on_the_comment(client, document, published_amendment, services_section):
    edited = ACCESS.replace("police harassment", "harassment by police or health workers")
    import_markdown(document=document, source=note(edited, FUNDING), label="Draft two")
    section = Section.objects.get(pk=services_section.pk)
    page = client.get(section.get_absolute_url()).content.decode()
    assert "This passage has changed since: see what changed." in page
    assert "?from=1&amp;to=2" in page
    # The passage kept its anchor through the edit, so its count is still shown beside it.
    assert f'id="{published_amendment.passage_key}"' in page

    import_markdown(document=document, source=note(FUNDING), label="Draft three")
    page = client.get(section.get_absolute_url()).content.decode()
    assert "This paragraph is no longer in the current text." in page
    assert f'id="c{published_amendment.pk}"' in page  # still on its section


def test_the_working_group_answers_publicly_and_mails_the_poster_once_in_their_language(
    client, coordinator, published_amendment, services_section, django_capture_on_commit_callbacks
):
    OrgComment.objects.filter(pk=published_amendment.pk).update(mail_language="fr")
    client.force_login(coordinator)
    mail.outbox.clear()
    url = reverse("desk:amendment-answer", args=[published_amendment.pk])
    data = {"outcome": Outcome.PARTLY, "reason": "Free services are in; the wording on police stays as it was."}
    for _ in range(2):  # the same answer twice: one mail
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url, data).status_code == 302
    (sent,) = [m for m in mail.outbox if POSTER in m.to]
    assert "Accepté en partie" in sent.subject or "Accepté en partie" in sent.body
    assert "Free services are in" in sent.body
    assert ModerationEvent.objects.filter(comment=published_amendment, action="answer").count() == 1
    client.logout()
    page = client.get(services_section.get_absolute_url()).content.decode()
    assert "Answer of the working group: <strong>Accepted in part</strong>." in page
    assert "Free services are in; the wording on police stays as it was." in page


def test_an_answer_needs_an_outcome_and_a_reason(client, coordinator, published_amendment):
    client.force_login(coordinator)
    url = reverse("desk:amendment-answer", args=[published_amendment.pk])
    client.post(url, {"outcome": "maybe", "reason": "x"})
    client.post(url, {"outcome": Outcome.DECLINED, "reason": "   "})
    published_amendment.refresh_from_db()
    assert published_amendment.outcome == ""


def test_a_new_version_is_linked_to_the_amendments_it_took_up(
    client, coordinator, document, published_amendment, services_section
):
    edited = ACCESS.replace("without fear of arrest", "free of charge and without fear of arrest")
    import_markdown(document=document, source=note(edited, FUNDING), label="Draft two")
    client.force_login(coordinator)
    desk = client.get(reverse("desk:amendments") + "?show=changed").content.decode()
    assert f"amendment-{published_amendment.pk}" in desk
    assert "The passage reads differently in the newest version." in desk
    response = client.post(reverse("desk:amendment-take-up", args=[published_amendment.pk]), {"version": "2"})
    assert response.status_code == 302
    published_amendment.refresh_from_db()
    assert published_amendment.taken_up_in.number == 2
    client.logout()
    page = client.get("/note/note/v2/").content.decode()
    assert "Changed in response to 1 amendment from 1 organisations" in page
    assert published_amendment.get_absolute_url() in page
    section_page = client.get(services_section.get_absolute_url()).content.decode()
    assert "Taken up in version 2." in section_page
    # Not to a version before or at the one it was written on.
    client.force_login(coordinator)
    client.post(reverse("desk:amendment-take-up", args=[published_amendment.pk]), {"version": "1"})
    published_amendment.refresh_from_db()
    assert published_amendment.taken_up_in.number == 2


def test_the_desk_lists_amendments_to_answer_in_a_fixed_number_of_queries(
    client, coordinator, published_amendment, django_assert_max_num_queries
):
    client.force_login(coordinator)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("desk:amendments")).content.decode()
    assert f"amendment-{published_amendment.pk}" in page
    assert "<ins>" in page


def test_coordinators_read_the_proposed_wording_before_they_decide(
    client, coordinator, post, confirm, services_section
):
    amend(post, services_section)
    confirm()
    assert OrgComment.objects.get().state == State.REVIEW
    client.force_login(coordinator)
    page = client.get(reverse("desk:home")).content.decode()
    assert "Proposed wording, as changes to the text:" in page
    assert "<ins>free of charge and " in page
