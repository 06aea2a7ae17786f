"""The moderation desk through its real views, signed in as the coordinator persona."""

from __future__ import annotations

import csv
import importlib
import io
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core import mail
from django.utils import timezone

from campaign.lib import stylesheet
from comments import services
from comments.desk import stats
from comments.models import KeywordRule, ModerationEvent, OrgComment, RejectionReason, State
from guidance.models import Section, Version
from tests import factories
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.django_db

POSTER_EMAIL = "secret-poster@example.org"
ADDRESS_HASH = "f00dfeedcafe0123456789abcdef"
REASONS = [
    {"check": "links", "score": 2.0, "reason": "Contains 3 links."},
    {"check": "speed", "score": 0.5, "reason": "Quick."},
]


@pytest.fixture
def desk(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def off_topic(db) -> RejectionReason:
    return RejectionReason.objects.create(title="Elsewhere", text="Your comment is not about the Guidance Note.")


def waiting(target, *, state=State.REVIEW, score=2.5, reasons=None, group=None, **fields) -> OrgComment:
    """Build a comment that waits in a queue (review by default) with the screening's findings."""
    fields.setdefault("user_email", POSTER_EMAIL)
    fields.setdefault("address_hash", ADDRESS_HASH)
    comment = approved_comment(target, **fields)
    OrgComment.objects.filter(pk=comment.pk).update(
        state=state,
        is_public=False,
        spam_score=score,
        spam_reasons=REASONS if reasons is None else reasons,
        campaign_group=group,
    )
    if state != State.APPROVED:
        # The builder logs an approval; a comment that waits has only been submitted.
        ModerationEvent.objects.filter(comment=comment).update(
            action="submit", old_state="", new_state="unconfirmed", created=comment.submit_date
        )
    comment.refresh_from_db()
    return comment


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def last_event(comment: OrgComment) -> ModerationEvent:
    return ModerationEvent.objects.filter(comment=comment).order_by("-created", "-id").first()


# --- Queues, counts, filters -----------------------------------------------------------------


def test_it_lists_the_review_queue_with_counts_of_every_state(desk, section):
    for n in range(3):
        waiting(section, text=f"Waiting comment {n}")
    waiting(section, state=State.SPAM, text="Cheap pills")
    waiting(section, state=State.REJECTED, text="Rejected one")
    approved_comment(section, text="Published one")
    waiting(section, state=State.PENDING, text="Still pending")
    response = desk.get("/desk/")
    assert response.status_code == 200
    page = response.content.decode()
    assert all(f"Waiting comment {n}" in page for n in range(3))
    assert "Cheap pills" not in page and "Published one" not in page and "Still pending" not in page
    counts = response.context["counts"]
    assert (counts["review"], counts["spam"], counts["approved"], counts["rejected"]) == (3, 1, 1, 1)
    assert (counts["pending"], counts["unconfirmed"], counts["withdrawn"]) == (1, 0, 0)
    assert "1 pending screening" in page
    spam = desk.get("/desk/queue/spam/").content.decode()
    assert "Cheap pills" in spam and "Waiting comment 0" not in spam


def test_an_unknown_queue_is_404(desk):
    assert desk.get("/desk/queue/pending/").status_code == 404
    assert desk.get("/desk/queue/nonsense/").status_code == 404


def test_the_queue_is_paginated_25_per_page_newest_first_or_oldest_first(desk, section):
    start = timezone.now() - timedelta(days=1)
    for n in range(30):
        waiting(section, text=f"Number {n:02d}", submit_date=start + timedelta(minutes=n))
    first = desk.get("/desk/")
    assert len(first.context["result"].items) == 25
    assert first.context["result"].items[0].comment.comment == "Number 29"
    second = desk.get("/desk/?page=2").content.decode()
    assert "Number 00" in second and "Number 29" not in second
    oldest = desk.get("/desk/?order=oldest")
    assert oldest.context["result"].items[0].comment.comment == "Number 00"


def test_the_filters_narrow_the_queue(desk, note, section):
    other = Section.objects.get(document=note, key="health-services")
    waiting(section, text="Kenyan endorsement", kind="endorse", country="KE", language="en", score=1.0)
    waiting(section, text="Question française", kind="question", country="FR", language="fr", score=4.0, group=7)
    waiting(other, text="On health services", kind="concern", country="KE", language="es", score=8.0)
    waiting(note, text="On the whole note", kind="comment", score=None)

    def shown(query: str) -> set[str]:
        response = desk.get(f"/desk/?{query}")
        assert response.status_code == 200
        return {item.comment.comment for item in response.context["result"].items}

    assert shown("kind=endorse") == {"Kenyan endorsement"}
    assert shown("language=fr") == {"Question française"}
    assert shown("country=KE") == {"Kenyan endorsement", "On health services"}
    assert shown("score_min=3") == {"Question française", "On health services"}
    assert shown("score_min=3&score_max=5") == {"Question française"}
    assert shown("group=7") == {"Question française"}
    section_type = ContentType.objects.get_for_model(Section).pk
    document_type = ContentType.objects.get_for_model(note).pk
    assert shown(f"target={section_type}-{other.pk}") == {"On health services"}
    assert shown(f"target={document_type}-{note.pk}") == {"On the whole note"}
    # A value that does not parse is ignored; the others still apply.
    assert shown("score_min=lots&kind=concern") == {"On health services"}


def test_the_desk_finds_comments_by_words_of_their_text_signature_or_section(desk, note, section):
    other = Section.objects.get(document=note, key="health-services")
    waiting(section, text="We endorse the part on police raids", organisation_name="Sisters of Lagos", score=1.0)
    waiting(section, text="Question sur les préservatifs", city="Abidjan", language="fr", score=4.0)
    waiting(other, text="A concern", user_name="Amara", score=2.0)

    def shown(query: str) -> set[str]:
        response = desk.get(f"/desk/?{query}")
        assert response.status_code == 200
        return {item.comment.comment for item in response.context["result"].items}

    assert shown("q=POLICE+raids") == {"We endorse the part on police raids"}
    assert shown("q=lagos") == {"We endorse the part on police raids"}
    assert shown("q=abidjan") == {"Question sur les préservatifs"}
    assert shown("q=amara") == {"A concern"}
    assert shown("q=health") == {"A concern"}  # the section's key and heading
    assert shown("q=police+abidjan") == set()  # every word must be found
    assert shown("q=préservatifs&score_max=3") == set()  # with the queue's other filters
    # Never by what a poster did not sign with: the email or the address hash.
    assert shown("q=secret-poster") == set() and shown(f"q={ADDRESS_HASH}") == set()


def test_each_item_shows_public_fields_reasons_page_thread_and_log_link(desk, section):
    organisation = factories.OrganisationFactory(name="Sisters Alliance", verified_at=timezone.now())
    parent = approved_comment(section, text="The parent statement.", organisation_name="Parent Org", display="org")
    item = waiting(
        section,
        parent=parent,
        text="A reply to check.",
        user_name="Amina Private",
        organisation=organisation,
        city="Nairobi",
        country="KE",
        on_behalf_of="Regional Network",
        display="org",
        language="fr",
    )
    waiting(section, parent=item, text="A pending reply below.", state=State.PENDING)
    page = desk.get("/desk/").content.decode()
    assert "A reply to check." in page
    assert "Sisters Alliance" in page and "verified" in page
    assert "Nairobi" in page and "Kenya" in page and "Regional Network" in page and "French" in page
    assert "Amina Private" not in page  # the poster chose to show their organisation only
    assert "Contains 3 links." in page and "2.0" in page and "Quick." in page
    assert section.get_absolute_url() in page
    assert "The parent statement." in page and "A pending reply below." in page
    assert "Pending screening" in page  # the reply's state is shown
    assert f"/desk/c/{item.pk}/log/" in page
    assert POSTER_EMAIL not in page and ADDRESS_HASH not in page


def test_an_anonymous_posters_city_name_and_organisation_stay_hidden(desk, section):
    waiting(section, text="Anonymous view.", user_name="Hidden Name", organisation_name="Hidden Org",
            city="Hidden City", country="KE", on_behalf_of="Hidden Campaign", display="anonymous")  # fmt: skip
    page = desk.get("/desk/").content.decode()
    assert "Anonymous participant" in page and "Kenya" in page
    for hidden in ("Hidden Name", "Hidden Org", "Hidden City", "Hidden Campaign"):
        assert hidden not in page


# --- Decisions -----------------------------------------------------------------------------


def test_approve_through_the_view_publishes_logs_and_returns_to_the_filtered_queue(desk, section, coordinator):
    comment = waiting(section, text="Approve me.")
    response = desk.post(f"/desk/c/{comment.pk}/approve/", {"next": "/desk/?kind=endorse&page=1"})
    assert response.status_code == 302
    assert response["Location"] == "/desk/?kind=endorse&page=1"
    comment.refresh_from_db()
    assert comment.state == State.APPROVED and comment.is_public
    event = last_event(comment)
    assert (event.action, event.actor, event.old_state, event.new_state) == (
        "approve",
        coordinator,
        "review",
        "approved",
    )
    assert flash(response) == [f"Comment #{comment.pk} approved."]
    assert "Approve me." in desk.get(section.get_absolute_url()).content.decode()


def test_next_cannot_leave_the_desk(desk, section):
    comment = waiting(section)
    for target in ("https://evil.example/", "//evil.example/desk/", "/comments/post/"):
        response = desk.post(f"/desk/c/{comment.pk}/spam/", {"next": target})
        assert response["Location"] == "/desk/"
        desk.post(f"/desk/c/{comment.pk}/not-spam/")


def test_reject_sends_the_reason_and_the_note_to_the_poster(
    desk, section, coordinator, off_topic, django_capture_on_commit_callbacks
):
    comment = waiting(section, text="About something else.")
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            f"/desk/c/{comment.pk}/reject/", {"reason": off_topic.pk, "note": "Try the forum.", "next": "/desk/"}
        )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.state == State.REJECTED
    event = last_event(comment)
    assert event.actor == coordinator and event.action == "reject"
    # The reason's text is the poster's; its title is the coordinators' label, not mailed.
    assert event.reason == "Your comment is not about the Guidance Note.\n\nTry the forum."
    notices = [m for m in mail.outbox if POSTER_EMAIL in m.to]
    assert len(notices) == 1
    assert "Your comment is not about the Guidance Note." in notices[0].body
    assert "Try the forum." in notices[0].body


def test_reject_without_a_reason_is_refused_with_a_message(desk, section, off_topic):
    comment = waiting(section)
    response = desk.post(f"/desk/c/{comment.pk}/reject/", {"reason": "", "next": "/desk/"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.state == State.REVIEW
    assert flash(response)


def test_spam_then_not_spam_returns_the_comment_to_review(desk, section, coordinator):
    comment = waiting(section, text="Not really spam.")
    response = desk.post(f"/desk/c/{comment.pk}/spam/", {"next": "/desk/"})
    comment.refresh_from_db()
    assert comment.state == State.SPAM
    assert last_event(comment).actor == coordinator
    # The next queue page offers to undo it, once.
    page = desk.get(response["Location"]).content.decode()
    assert f"Undo: #{comment.pk} is not spam" in page
    assert f"Undo: #{comment.pk}" not in desk.get("/desk/").content.decode()
    desk.post(f"/desk/c/{comment.pk}/not-spam/", {"next": "/desk/queue/spam/"})
    comment.refresh_from_db()
    assert comment.state == State.REVIEW
    event = last_event(comment)
    assert (event.action, event.actor, event.old_state, event.new_state) == ("not_spam", coordinator, "spam", "review")


def test_a_refused_transition_shows_a_message_not_a_500(desk, section):
    comment = approved_comment(section, text="Already published.")
    response = desk.post(f"/desk/c/{comment.pk}/approve/", {"next": "/desk/queue/approved/"})
    assert response.status_code == 302
    messages = flash(response)
    assert len(messages) == 1 and "cannot become" in messages[0]
    withdrawn = waiting(section, state=State.WITHDRAWN)
    response = desk.post(f"/desk/c/{withdrawn.pk}/not-spam/", follow=True)
    assert response.status_code == 200
    assert "cannot become" in response.content.decode()
    assert desk.post("/desk/c/999999/approve/").status_code == 404


def test_bulk_approve_of_the_ticked_comments(desk, section, coordinator):
    ticked = [waiting(section, text=f"Ticked {n}") for n in range(3)]
    left = waiting(section, text="Not ticked")
    published = approved_comment(section, text="Already approved")
    ids = [c.pk for c in ticked] + [published.pk]
    response = desk.post("/desk/bulk/", {"decision": "approve", "ids": ids, "next": "/desk/"})
    assert response.status_code == 302
    assert all(OrgComment.objects.get(pk=c.pk).state == State.APPROVED for c in ticked)
    assert OrgComment.objects.get(pk=left.pk).state == State.REVIEW
    messages = flash(response)
    assert "Approve: 3 comments done." in messages
    assert any("could not be changed" in m for m in messages)
    assert ModerationEvent.objects.filter(comment__in=ticked, action="approve", actor=coordinator).count() == 3


def test_bulk_reject_needs_a_reason(desk, section, off_topic):
    comment = waiting(section)
    response = desk.post("/desk/bulk/", {"decision": "reject", "ids": [comment.pk]})
    assert OrgComment.objects.get(pk=comment.pk).state == State.REVIEW
    assert flash(response)
    desk.post("/desk/bulk/", {"decision": "reject", "ids": [comment.pk], "reason": off_topic.pk})
    assert OrgComment.objects.get(pk=comment.pk).state == State.REJECTED


def test_bulk_approve_of_a_whole_campaign_group(desk, section, coordinator):
    group = [waiting(section, text="Same campaign text.", group=41) for _ in range(4)]
    spam_in_group = waiting(section, text="Same campaign text.", group=41, state=State.SPAM)
    other = waiting(section, text="Another text.", group=42)
    page = desk.get("/desk/").content.decode()
    assert "Approve all 4 in this group" in page
    response = desk.post("/desk/bulk/", {"decision": "approve", "group": 41, "state": "review", "next": "/desk/"})
    assert response.status_code == 302
    assert all(OrgComment.objects.get(pk=c.pk).state == State.APPROVED for c in group)
    assert OrgComment.objects.get(pk=spam_in_group.pk).state == State.SPAM
    assert OrgComment.objects.get(pk=other.pk).state == State.REVIEW
    assert "Approve: 4 comments done." in flash(response)
    assert ModerationEvent.objects.filter(action="approve", actor=coordinator).count() == 4


def test_a_bulk_request_without_a_selection_changes_nothing(desk, section):
    waiting(section)
    response = desk.post("/desk/bulk/", {"decision": "approve", "next": "/desk/"})
    assert response.status_code == 302
    assert flash(response) == ["Tick at least one comment."]
    assert OrgComment.objects.filter(state=State.REVIEW).count() == 1


# --- Official replies ----------------------------------------------------------------------


def test_an_official_reply_is_approved_official_and_signed_by_the_working_group(
    desk, section, coordinator, django_capture_on_commit_callbacks
):
    coordinator.first_name, coordinator.last_name = "Zelda", "Quimby"
    coordinator.save()
    parent = approved_comment(section, text="A question for the working group?", kind="question")
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            f"/desk/c/{parent.pk}/reply/", {"text": "Thank you: see section 4.", "language": "en", "next": "/desk/"}
        )
    assert response.status_code == 302
    reply = OrgComment.objects.get(parent_id=parent.pk, level=1)
    assert reply.official and reply.state == State.APPROVED and reply.is_public
    approve = last_event(reply)
    assert (approve.action, approve.actor, approve.reason) == ("approve", coordinator, "official reply")
    page = desk.get(section.get_absolute_url()).content.decode()
    assert "Thank you: see section 4." in page
    assert "Working group" in page
    assert "Zelda" not in page and "Quimby" not in page and coordinator.email not in page
    assert ">coordinator<" not in page
    assert not [m for m in mail.outbox if coordinator.email in m.to]  # no decision notice to oneself


def test_an_official_reply_to_a_hidden_comment_is_refused_with_a_message(desk, section):
    hidden = waiting(section, text="Still in review.")
    response = desk.post(f"/desk/c/{hidden.pk}/reply/", {"text": "Reply.", "language": "en", "next": "/desk/"})
    assert response.status_code == 302
    assert "not published" in flash(response)[0]
    assert not OrgComment.objects.filter(parent_id=hidden.pk, level=1).exists()


# --- Privacy, export, statistics, log ------------------------------------------------------


def test_no_email_or_address_hash_appears_on_any_desk_page_or_the_csv(desk, section, note, off_topic):
    parent = waiting(section, state=State.APPROVED, text="Published parent.", kind="endorse")
    OrgComment.objects.filter(pk=parent.pk).update(is_public=True)
    waiting(section, parent=parent, text="Waiting reply.")
    for state in (State.SPAM, State.REJECTED, State.WITHDRAWN):
        waiting(section, state=state, text=f"In {state}.")
    waiting(note, text="On the whole note.")
    KeywordRule.objects.create(phrase="casino", action="spam")
    factories.OrganisationFactory(name="Org With Contact", contact_email="private-contact@example.org")
    urls = ["/desk/", "/desk/log/", "/desk/keywords/", "/desk/reasons/", "/desk/organisations/", "/desk/stats/"]
    urls += [f"/desk/queue/{state}/" for state in ("review", "spam", "approved", "rejected", "withdrawn")]
    urls += [f"/desk/c/{c.pk}/log/" for c in OrgComment.objects.all()]
    urls += [f"/desk/reasons/{off_topic.pk}/", "/desk/export/endorsements.csv"]
    for url in urls:
        response = desk.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert POSTER_EMAIL not in body, url
        assert ADDRESS_HASH not in body, url
        assert "private-contact" not in body, url
        assert "@example.org" not in body, url


def test_the_csv_export_lists_approved_endorsements_and_amendments_with_public_fields(desk, note, section):
    version = Version.objects.get(document=note, number=2)
    organisation = factories.OrganisationFactory(name="Linked Collective")
    approved_comment(section, kind="endorse", organisation_name="Sisters Alliance", country="KE", version=version,
                     display="org", user_email=POSTER_EMAIL)  # fmt: skip
    approved_comment(note, kind="amend", organisation=organisation, organisation_name="typed name", country="FR",
                     display="name_org", user_name="Jo")  # fmt: skip
    approved_comment(section, kind="endorse", organisation_name="Hidden Org", display="anonymous", country="ES")
    approved_comment(section, kind="endorse", organisation_name="=HYPERLINK(1)", display="org")
    approved_comment(section, kind="concern", organisation_name="Concerned Org", display="org")
    waiting(section, kind="endorse", organisation_name="Waiting Org", display="org")
    response = desk.get("/desk/export/endorsements.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="endorsements.csv"'
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    today = timezone.now().date().isoformat()
    assert rows == [
        ["signature", "name", "organisation", "on behalf of", "city", "country", "kind", "section", "version",
         "date"],
        ["Sisters Alliance · Kenya", "", "Sisters Alliance", "", "", "Kenya", "Endorsement", "Rights based approach",
         "Reworked draft 1", today],
        # As the pages sign it (comments.signature): the named person is named, not hidden or "anonymous".
        ["Jo · Linked Collective · France", "Jo", "Linked Collective", "", "", "France", "Support with amendments",
         "whole note", "", today],
        ["Anonymous participant · Spain", "", "", "", "", "Spain", "Endorsement", "Rights based approach", "",
         today],
        ["'=HYPERLINK(1)", "", "'=HYPERLINK(1)", "", "", "", "Endorsement", "Rights based approach", "", today],
    ]  # fmt: skip
    assert "@" not in response.content.decode()


def test_the_statistics_page_draws_an_svg_chart(desk, section, coordinator):
    waiting(section)
    waiting(section, state=State.PENDING)
    from comments import services

    auto = waiting(section, state=State.PENDING, submit_date=timezone.now() - timedelta(hours=2))
    services.apply_screening(auto, State.APPROVED, reason="screening", findings=[], score=0.0)
    caught = waiting(section, state=State.PENDING, text="Casino bonus", honeypot_filled=True, form_seconds=1)
    caught_links = " ".join(f"https://spin{n}.example" for n in range(7))
    OrgComment.objects.filter(pk=caught.pk).update(comment=f"Casino bonus {caught_links}")
    assert services.comment_screen(comment_id=caught.pk) == State.SPAM
    # Sample content (load_demo) is approved without a coordinator, but by no screening either.
    sample = waiting(section, state=State.PENDING)
    services.change_state(comment=sample, new_state=State.APPROVED, action="approve", by=None, reason="sample")
    services.comment_mark_spam(comment=waiting(section), by=coordinator, reason="desk")
    response = desk.get("/desk/stats/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and "<rect" in page and "<polyline" in page
    # No inline style but the site's own stylesheet, which every page carries (campaign/lib/stylesheet.py).
    assert page.count("<style") == 1 and "<style>" + stylesheet.text(settings.SITE_STYLESHEET) in page
    assert " style=" not in page and "<script>" not in page
    result = response.context["stats"]
    assert result.waiting == 2 and result.review == 1 and result.pending == 1
    assert result.spam == 2 and result.spam_auto == 1
    assert result.approved == 1 and result.approved_auto == 1
    assert len(result.days) == 30
    assert "It abstains: it has learned from 0 spam and 0 legitimate comments" in page


def test_the_median_time_to_a_decision_counts_from_submission_to_the_first_decision(section, coordinator):
    from comments import services

    now = timezone.now()
    for hours in (1, 3, 5):
        comment = waiting(section, submit_date=now - timedelta(hours=hours))
        services.comment_approve(comment=comment, by=coordinator)
        services.comment_reject(comment=comment, by=coordinator)  # a later decision does not count
    result = stats.desk_stats()
    assert result.decided == 3
    assert abs(result.median_decision - timedelta(hours=3)) < timedelta(minutes=1)
    assert result.median_by_coordinator == result.median_decision
    assert stats.duration_label(timedelta(hours=3, minutes=5)) == "3 h 5 min"
    assert stats.duration_label(timedelta(days=3, hours=2)) == "3 days 2 h"
    assert stats.duration_label(None) == "—"


def test_the_audit_log_of_a_comment_and_the_whole_log_with_filters(desk, section, coordinator):
    comment = waiting(section, text="Logged comment.")
    desk.post(f"/desk/c/{comment.pk}/spam/")
    desk.post(f"/desk/c/{comment.pk}/not-spam/")
    page = desk.get(f"/desk/c/{comment.pk}/log/").content.decode()
    assert "Logged comment." in page
    assert "Marked as spam" in page and "Marked as not spam" in page and "coordinator" in page
    everything = desk.get("/desk/log/")
    assert len(everything.context["page"].object_list) == ModerationEvent.objects.count()
    assert everything.context["page"].object_list[0].action == "not_spam"  # newest first
    spam_only = desk.get("/desk/log/?action=spam").context["page"].object_list
    assert [e.action for e in spam_only] == ["spam"]
    by_coordinator = desk.get(f"/desk/log/?actor={coordinator.pk}").context["page"].object_list
    assert {e.actor_id for e in by_coordinator} == {coordinator.pk}
    by_system = desk.get("/desk/log/?actor=system").context["page"].object_list
    assert by_system and all(e.actor_id is None for e in by_system)
    assert desk.get("/desk/c/999999/log/").status_code == 404


def test_the_audit_logs_tell_a_screening_and_the_states_in_the_coordinators_language(desk, section):
    comment = waiting(section, text="See http://a.example http://b.example http://c.example", state=State.PENDING)
    assert services.comment_screen(comment_id=comment.pk) == State.REVIEW
    event = ModerationEvent.objects.get(comment=comment, action=ModerationEvent.Action.SCREEN)
    assert event.reason == "Contains 3 links. (+2)"  # recorded in English, for any reader of the database
    assert event.findings == [{"code": "links", "params": {"count": 3}, "score": 2.0}]

    for path in (f"/fr/desk/c/{comment.pk}/log/", "/fr/desk/log/"):
        page = desk.get(path).content.decode()
        assert "Contient 3 liens. (+2)" in page and "Contains 3 links" not in page, path
        assert "<td>En attente d&#x27;une coordinatrice</td>" in page and "<td>review</td>" not in page, path
    # A finding this version cannot tell (an older record) is shown as it was recorded.
    ModerationEvent.objects.filter(pk=event.pk).update(findings=[{"code": "gone", "params": {}, "score": 1.0}])
    assert "Contains 3 links. (+2)" in desk.get(f"/fr/desk/c/{comment.pk}/log/").content.decode()


# --- Rules, reasons, organisations ---------------------------------------------------------


def test_keyword_rules_are_added_and_deleted(desk, coordinator):
    response = desk.post("/desk/keywords/add/", {"phrase": "  cheap   pills ", "action": "spam"})
    assert response.status_code == 302
    rule = KeywordRule.objects.get()
    assert (rule.phrase, rule.action, rule.created_by) == ("cheap pills", "spam", coordinator)
    assert "cheap pills" in desk.get("/desk/keywords/").content.decode()
    duplicate = desk.post("/desk/keywords/add/", {"phrase": "Cheap Pills", "action": "spam"})
    assert "already on this list" in flash(duplicate)[0]
    assert KeywordRule.objects.count() == 1
    assert flash(desk.post("/desk/keywords/add/", {"phrase": "", "action": "hold"}))
    desk.post(f"/desk/keywords/{rule.pk}/delete/")
    assert not KeywordRule.objects.exists()


def test_rejection_reasons_are_added_edited_and_deleted(desk):
    desk.post("/desk/reasons/add/", {"title": "Spam link", "text": "Links to a shop.", "position": 3})
    reason = RejectionReason.objects.get(title="Spam link")
    assert desk.get(f"/desk/reasons/{reason.pk}/").status_code == 200
    response = desk.post(
        f"/desk/reasons/{reason.pk}/", {"title": "Shop link", "text": "Links to a shop.", "position": 1}
    )
    assert response.status_code == 302
    reason.refresh_from_db()
    assert (reason.title, reason.position) == ("Shop link", 1)
    desk.post("/desk/reasons/add/", {"title": "Other", "text": "Other."})
    clash = desk.post(f"/desk/reasons/{reason.pk}/", {"title": "other", "text": "x"})
    assert clash.status_code == 200 and "exists already" in clash.content.decode()
    desk.post(f"/desk/reasons/{reason.pk}/delete/")
    assert not RejectionReason.objects.filter(pk=reason.pk).exists()


def test_organisations_are_verified_unverified_and_merged_from_the_desk(desk, section, coordinator):
    keep = factories.OrganisationFactory(name="Sisters Alliance", city="")
    duplicate = factories.OrganisationFactory(name="Sisters Aliance", city="Nairobi")
    comment = approved_comment(section, organisation=duplicate, display="org")
    page = desk.get("/desk/organisations/").content.decode()
    assert "Sisters Aliance" in page and "Merge a duplicate" in page
    desk.post(f"/desk/organisations/{keep.pk}/verify/", {"next": "/desk/organisations/?q=Sisters"})
    keep.refresh_from_db()
    assert keep.verified_at is not None and keep.verified_by == coordinator
    response = desk.post("/desk/organisations/merge/", {"keep": keep.pk, "duplicate": duplicate.pk})
    assert response.status_code == 302
    comment.refresh_from_db()
    keep.refresh_from_db()
    assert comment.organisation_id == keep.pk and keep.city == "Nairobi"
    assert "verified" in desk.get(section.get_absolute_url()).content.decode()
    same = desk.post("/desk/organisations/merge/", {"keep": keep.pk, "duplicate": keep.pk})
    assert "two different" in flash(same)[0]
    desk.post(f"/desk/organisations/{keep.pk}/unverify/")
    keep.refresh_from_db()
    assert keep.verified_at is None


# --- Headers, queries, migration -----------------------------------------------------------


def test_desk_pages_are_private_and_never_stored(desk):
    response = desk.get("/desk/")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response
    page = response.content.decode()
    assert "/static/js/desk.js" in page and "<script>" not in page and " style=" not in page


def _queue_with(section, count: int) -> None:
    version = Version.objects.get(document=section.document, number=2)
    organisation = factories.OrganisationFactory(verified_at=timezone.now())
    for n in range(count):
        parent = approved_comment(section, text=f"Parent {n}", organisation=organisation, display="org")
        item = waiting(
            section, parent=parent, text=f"Item {n}", organisation=organisation, version=version, group=n % 3
        )
        waiting(section, parent=item, text=f"Reply {n}", state=State.PENDING, organisation=organisation)


@pytest.mark.parametrize("count", [5, 50])
def test_the_queue_page_runs_the_same_queries_for_5_and_50_items(desk, section, count, django_assert_num_queries):
    _queue_with(section, count)
    desk.get("/desk/")  # the first request fills the content type cache
    with django_assert_num_queries(QUEUE_PAGE_QUERIES):
        response = desk.get("/desk/?order=oldest")
    assert len(response.context["result"].items) == min(count, 25)
    section_type = ContentType.objects.get_for_model(Section).pk
    with django_assert_num_queries(QUEUE_PAGE_QUERIES):
        filtered = desk.get(f"/desk/?kind=comment&page=2&target={section_type}-{section.pk}&score_max=9")
    assert len(filtered.context["result"].items) == min(count, 25)  # page 2, or the last page


@pytest.mark.parametrize("count", [5, 50])
def test_the_audit_log_and_organisations_pages_run_constant_queries(desk, section, count, django_assert_num_queries):
    _queue_with(section, count)
    desk.get("/desk/log/")
    with django_assert_num_queries(LOG_PAGE_QUERIES):
        desk.get("/desk/log/")
    with django_assert_num_queries(ORGANISATIONS_PAGE_QUERIES):
        desk.get("/desk/organisations/")


def test_the_default_rejection_reasons_migration_adds_and_removes_its_rows(db):
    migration = importlib.import_module("comments.migrations.0004_default_rejection_reasons")
    RejectionReason.objects.all().delete()
    migration.add_reasons(django_apps, None)
    migration.add_reasons(django_apps, None)  # running twice adds nothing more
    titles = list(RejectionReason.objects.values_list("title", flat=True))
    assert titles == ["Off topic", "Personal data of someone else", "Abusive", "Advertising", "Duplicate"]
    assert all(RejectionReason.objects.values_list("text", flat=True))
    migration.remove_reasons(django_apps, None)
    assert not RejectionReason.objects.exists()


# Session, user, group check; page choices (documents, sections); state counts; the queue's count,
# page, neighbours, targets (one kind here) and campaign groups; the rejection reasons.
QUEUE_PAGE_QUERIES = 12
# Session, user, group check; actor choices; the count and the page (actors joined).
LOG_PAGE_QUERIES = 6
# Session, user, group check; the count and the page; the two lists of the merge form.
ORGANISATIONS_PAGE_QUERIES = 7


def test_a_search_of_organisations_for_a_nul_character_is_no_500(desk):
    factories.OrganisationFactory(name="Sisters Alliance")
    response = desk.get("/desk/organisations/", {"q": "Sisters\x00"})
    assert response.status_code == 200
    assert "Sisters Alliance" in response.content.decode()
