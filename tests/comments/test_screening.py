"""Each screening check, the decision rule, and the screening task's bookkeeping."""

from __future__ import annotations

from datetime import timedelta

import akismet
import pytest
from django.core import mail
from django.utils import timezone

from comments import findings, screening, services
from comments.models import KeywordRule, ModerationEvent, OrgComment, State
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.django_db


def pending(section, text="We support the rework of this section.", **fields) -> OrgComment:
    """A comment waiting for screening, as after its poster opened the confirmation link."""
    fields.setdefault("confirmed_by_mail", True)
    comment = approved_comment(section, text=text, **fields)
    OrgComment.objects.filter(pk=comment.pk).update(state=State.PENDING, is_public=False)
    comment.refresh_from_db()
    return comment


def test_the_honeypot_scores_high(section):
    result = screening.check_honeypot(pending(section, honeypot_filled=True))
    assert result.score >= 6 and "hidden field" in result.reason
    assert screening.check_honeypot(pending(section, text="other")).score == 0


@pytest.mark.parametrize(("seconds", "expected"), [(1, 4.0), (2, 4.0), (30, 0.0), (None, 0.0)])
def test_the_speed_check_flags_forms_sent_faster_than_a_person_types(section, seconds, expected):
    assert screening.check_speed(pending(section, form_seconds=seconds)).score == expected


@pytest.mark.parametrize(("links", "expected"), [(0, 0.0), (2, 0.0), (3, 2.0), (6, 4.0)])
def test_the_links_check_counts_links(section, links, expected):
    text = "See " + " ".join(f"https://spam{i}.example/buy" for i in range(links))
    result = screening.check_links(pending(section, text=text))
    assert result.score == expected
    if expected:
        assert f"{links} links" in result.reason


def test_keywords_listed_as_spam_score_and_hold(section):
    KeywordRule.objects.create(phrase="casino bonus", action="spam")
    result = screening.check_keywords(pending(section, text="Best CASINO bonus here"))
    assert result.score == 6.0 and result.hold and "casino bonus" in result.reason


def test_keywords_held_for_review_hold_without_score(section):
    KeywordRule.objects.create(phrase="conference", action="hold")
    result = screening.check_keywords(pending(section, text="Join our conference in May"))
    assert result.score == 0 and result.hold


def test_a_keyword_inside_another_word_does_not_match(section):
    KeywordRule.objects.create(phrase="sex", action="spam")
    assert screening.check_keywords(pending(section, text="Sussex is a county")).score == 0


def test_the_same_text_from_the_same_poster_is_held(section):
    first = pending(section, text="Exactly this", user_email="a@example.org")
    OrgComment.objects.filter(pk=first.pk).update(fingerprint="f" * 64)
    second = pending(section, text="Exactly this", user_email="A@example.org")
    OrgComment.objects.filter(pk=second.pk).update(fingerprint="f" * 64)
    second.refresh_from_db()
    result = screening.check_same_poster_duplicate(second)
    assert result.hold and f"#{first.pk}" in result.reason


def test_the_posting_rate_per_address_and_per_email(section):
    for i in range(4):
        pending(section, text=f"text {i}", address_hash="h" * 64, user_email=f"p{i}@example.org")
    comment = pending(section, text="one more", address_hash="h" * 64, user_email="new@example.org")
    assert screening.check_rate(comment).score == 2.0
    for i in range(4):
        pending(section, text=f"mail {i}", user_email="busy@example.org")
    assert screening.check_rate(pending(section, text="x", user_email="busy@example.org")).score == 2.0
    assert screening.check_rate(pending(section, text="y", user_email="calm@example.org")).score == 0


def test_an_old_comment_does_not_count_toward_the_rate(section):
    for i in range(4):
        pending(section, text=f"t{i}", user_email="old@example.org", submit_date=timezone.now() - timedelta(hours=3))
    assert screening.check_rate(pending(section, text="now", user_email="old@example.org")).score == 0


def test_akismet_is_not_asked_without_a_key(section, settings):
    settings.AKISMET_API_KEY = ""
    assert screening.check_akismet(pending(section)).score == 0


class SpamSaysAkismet(akismet.TestSyncClient):
    comment_check_response = akismet.CheckResponse.SPAM


class HamSaysAkismet(akismet.TestSyncClient):
    comment_check_response = akismet.CheckResponse.HAM


def test_akismet_with_a_key_uses_its_verdict(section, settings):
    settings.AKISMET_API_KEY = "test-key"
    settings.AKISMET_CLIENT_CLASS = "tests.comments.test_screening.SpamSaysAkismet"
    assert screening.check_akismet(pending(section)).score == 5.0
    settings.AKISMET_CLIENT_CLASS = "tests.comments.test_screening.HamSaysAkismet"
    assert screening.check_akismet(pending(section, text="other")).score == -1.0


def test_near_identical_texts_from_different_posters_are_grouped_as_one_campaign(section):
    base = (
        "We the undersigned organisations call on UNAIDS to adopt the reworked guidance note in full. "
        "It puts the rights of sex workers first, separates sex work from trafficking, and asks that "
        "community-led organisations lead the programmes that concern them, with funding to match."
    )
    first = pending(section, text=base, user_email="one@example.org")
    services.comment_screen(comment_id=first.pk)
    second = pending(section, text=base + " please", user_email="two@example.org")
    services.comment_screen(comment_id=second.pk)
    third = pending(section, text=base.replace("UNAIDS", "UNAIDS and WHO"), user_email="three@example.org")
    services.comment_screen(comment_id=third.pk)
    other = pending(section, text="A completely different statement about police violence.", user_email="x@e.org")
    services.comment_screen(comment_id=other.pk)
    groups = dict(OrgComment.objects.values_list("pk", "campaign_group"))
    assert groups[first.pk] == groups[second.pk] == groups[third.pk] == first.pk
    assert groups[other.pk] is None
    # Grouped, never dropped: all of them wait for a coordinator.
    assert set(OrgComment.objects.filter(pk__in=[second.pk, third.pk]).values_list("state", flat=True)) == {"review"}


def test_minhash_similarity_is_high_for_small_edits_and_low_for_other_texts():
    a = screening.minhash("one two three four five six seven eight nine ten eleven twelve")
    b = screening.minhash("one two three four five six seven eight nine ten eleven twelve thirteen")
    c = screening.minhash("completely unrelated words about something else entirely here today")
    assert screening.similarity(a, b) > 0.7
    assert screening.similarity(a, c) < 0.2


@pytest.mark.parametrize(
    ("total", "trusted", "held", "decision"),
    [
        (6.0, True, False, "spam"),
        (12.0, False, False, "spam"),
        (0.5, True, False, "approved"),
        (1.0, True, False, "approved"),
        (0.5, False, False, "review"),
        (0.5, True, True, "review"),
        (3.0, True, False, "review"),
    ],
)
def test_the_decision_rule(total, trusted, held, decision, settings):
    settings.COMMENTS_SPAM_THRESHOLD = 6.0
    settings.COMMENTS_APPROVE_THRESHOLD = 1.0
    assert screening.decide(total, trusted=trusted, held=held) == decision


def test_volume_alone_never_sends_to_the_spam_folder(settings):
    settings.COMMENTS_SPAM_THRESHOLD = 6.0
    assert screening.decide(6.0, trusted=False, held=True, volume=6.0) == "review"
    assert screening.decide(9.0, trusted=False, held=True, volume=3.0) == "spam"
    assert screening.decide(0.5, trusted=False, held=True, classifier_sure=True) == "spam"


def test_a_burst_of_near_identical_endorsements_from_one_shared_address_goes_to_review_not_spam(section):
    """A workshop or a mobile carrier puts many real organisations behind one address."""
    text = (
        "On behalf of our organisation we endorse the reworked guidance note on HIV and sex work, "
        "and we ask our government to decriminalise sex work as the note recommends."
    )
    decisions, scores = [], []
    for n in range(11):
        comment = pending(
            section, text=f"{text} Organisation {n}.", address_hash="w" * 64, user_email=f"org{n}@example.org"
        )
        decisions.append(services.comment_screen(comment_id=comment.pk))
        comment.refresh_from_db()
        scores.append(comment.spam_score)
    assert max(scores) >= 6.0  # rate and campaign together reach the spam threshold...
    assert set(decisions) == {"review"}  # ...and still only send to review
    last = OrgComment.objects.get(pk=comment.pk)
    assert {"rate", "campaign"} <= {reason["check"] for reason in last.spam_reasons}


def test_a_sure_classifier_sends_spam_to_the_recoverable_spam_folder_alone(section, settings, coordinator):
    from comments import classifier
    from tests.comments.test_classifier import CORPUS

    settings.COMMENTS_CLASSIFIER_DECIDE_EXAMPLES = 50
    settings.COMMENTS_CLASSIFIER_SPAM_PROBABILITY = 0.9
    classifier.import_texts(classifier.read_labelled_csv(CORPUS))
    comment = pending(section, text="Best online casino bonus, 200 free spins, no deposit, register at spins-777.win")
    assert services.comment_screen(comment_id=comment.pk) == "spam"
    comment.refresh_from_db()
    assert comment.spam_score < settings.COMMENTS_SPAM_THRESHOLD
    assert [r["code"] for r in comment.spam_reasons] == ["classifier-sure"]
    services.comment_not_spam(comment=comment, by=coordinator)
    assert OrgComment.objects.get(pk=comment.pk).state == "review"
    settings.COMMENTS_CLASSIFIER_DECIDE_EXAMPLES = 10_000  # not enough examples to decide alone
    other = pending(section, text="Best online casino bonus, 300 free spins, no deposit, register at spin-888.win")
    assert services.comment_screen(comment_id=other.pk) == "review"


def test_an_email_with_an_earlier_approved_comment_is_trusted(section):
    approved_comment(section, text="earlier", user_email="known@example.org", confirmed_by_mail=True)
    assert screening.is_trusted(pending(section, text="new one", user_email="KNOWN@example.org"))
    assert not screening.is_trusted(pending(section, text="new two", user_email="unknown@example.org"))


def test_a_member_of_a_verified_organisation_is_trusted(section, member):
    org = member.organisations.get()
    comment = pending(section, text="member text", user=member, user_email="member@example.org")
    assert not screening.is_trusted(comment)
    org.verified_at = timezone.now()
    org.save()
    assert screening.is_trusted(comment)


def test_screening_a_trusted_posters_clean_comment_approves_it_with_a_recorded_decision(section):
    approved_comment(section, text="earlier", user_email="known@example.org", confirmed_by_mail=True)
    comment = pending(section, text="A thoughtful new comment.", user_email="known@example.org", form_seconds=120)
    assert services.comment_screen(comment_id=comment.pk) == "approved"
    comment.refresh_from_db()
    assert comment.is_public
    event = comment.events.get(action="screen")
    assert event.actor is None and event.new_state == "approved" and event.score == comment.spam_score


def test_obvious_spam_goes_to_the_spam_folder_with_its_reasons(section):
    text = "Cheap pills " + " ".join(f"https://pills{i}.example" for i in range(7))
    comment = pending(section, text=text, honeypot_filled=True, form_seconds=1)
    assert services.comment_screen(comment_id=comment.pk) == "spam"
    comment.refresh_from_db()
    assert comment.state == "spam" and not comment.is_public
    checks = {r["check"] for r in comment.spam_reasons}
    assert {"honeypot", "speed", "links"} <= checks
    assert all(r["reason"] for r in comment.spam_reasons)


def test_screening_twice_decides_once(section):
    comment = pending(section)
    assert services.comment_screen(comment_id=comment.pk) == "review"
    assert services.comment_screen(comment_id=comment.pk) is None
    assert ModerationEvent.objects.filter(comment=comment, action="screen").count() == 1


def test_spam_can_be_undone_by_a_coordinator(section, coordinator):
    comment = pending(section, honeypot_filled=True, form_seconds=1, text="x https://a.example https://b.example")
    services.comment_screen(comment_id=comment.pk)
    comment.refresh_from_db()
    assert comment.state == "spam"
    services.comment_not_spam(comment=comment, by=coordinator)
    comment.refresh_from_db()
    assert comment.state == "review"


def test_the_sweep_re_enqueues_comments_left_pending(section, django_capture_on_commit_callbacks):
    from comments import tasks

    stale = pending(section, text="stale")
    OrgComment.objects.filter(pk=stale.pk).update(state_changed_at=timezone.now() - timedelta(minutes=30))
    fresh = pending(section, text="fresh")
    assert tasks.sweep_pending() == 1
    assert OrgComment.objects.get(pk=stale.pk).state == "review"
    assert OrgComment.objects.get(pk=fresh.pk).state == "pending"


def test_coordinators_get_one_digest_not_a_mail_per_comment(section, coordinator):
    from comments import tasks

    coordinator.email = "coord@example.org"
    coordinator.save()
    for i in range(5):
        services.comment_screen(comment_id=pending(section, text=f"comment number {i}").pk)
    mail.outbox.clear()
    assert tasks.send_review_digest() == 5
    assert len(mail.outbox) == 1
    assert "5" in mail.outbox[0].subject and "/desk/" in mail.outbox[0].body


def test_no_digest_when_nothing_waits(db):
    from comments import tasks

    assert tasks.send_review_digest() == 0
    assert mail.outbox == []


def test_posters_hear_of_a_rejection_with_the_reason_in_their_language(
    section, coordinator, django_capture_on_commit_callbacks
):
    comment = pending(section, language="fr", user_email="marie@example.org")
    services.comment_screen(comment_id=comment.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_reject(comment=comment, by=coordinator, reason="Hors sujet : annonce d'un événement.")
    notice = [m for m in mail.outbox if m.to == ["marie@example.org"]][-1]
    assert "n'a pas été publié" in notice.subject
    assert "Hors sujet" in notice.body


def test_posters_hear_of_an_approval(section, coordinator, django_capture_on_commit_callbacks):
    comment = pending(section, user_email="amina@example.org")
    services.comment_screen(comment_id=comment.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=comment, by=coordinator)
    assert any("published" in m.subject for m in mail.outbox if m.to == ["amina@example.org"])


def test_a_trusted_organisation_member_posting_through_the_form_is_approved_automatically(
    client, member, post, section
):
    import time

    from comments.forms import OrgCommentForm

    org = member.organisations.get()
    org.verified_at = timezone.now()
    org.save()
    client.force_login(member)
    a_minute_ago = int(time.time()) - 60
    security_hash = OrgCommentForm(section).initial_security_hash(a_minute_ago)
    post(
        section,
        email=member.email,
        comment="Our verified organisation endorses this.",
        timestamp=str(a_minute_ago),
        security_hash=security_hash,
    )
    comment = OrgComment.objects.get()
    assert comment.form_seconds >= 60
    assert comment.state == "approved"
    assert comment.events.get(action="screen").actor is None


def test_the_sweep_resends_a_confirmation_mail_that_never_went_out(section):
    from comments import tasks

    comment = pending(section, text="never mailed", user_email="lost@example.org")
    OrgComment.objects.filter(pk=comment.pk).update(
        state=State.UNCONFIRMED, confirmation_hash="", submit_date=timezone.now() - timedelta(minutes=30)
    )
    tasks.sweep_pending()
    assert [m.to for m in mail.outbox] == [["lost@example.org"]]
    assert OrgComment.objects.get(pk=comment.pk).confirmation_hash != ""
    mail.outbox.clear()
    tasks.sweep_pending()
    assert mail.outbox == []


def test_a_broker_outage_after_commit_never_turns_a_stored_comment_into_an_error(
    client, member, section, monkeypatch, django_capture_on_commit_callbacks
):
    from comments import tasks
    from tests.comments.conftest import form_data

    def broken(*args, **kwargs):
        raise OSError("broker unreachable")

    monkeypatch.setattr(tasks.screen_comment, "apply_async", broken)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/comments/post/", form_data(section, email=member.email))
    assert response.status_code == 302
    assert OrgComment.objects.get().state == "pending"  # the sweep will screen it later


def test_keyword_rules_are_kept_in_memory_and_a_change_applies_at_once(section, django_assert_num_queries):
    comment = pending(section, text="Our casino night raised funds")
    assert screening.check_keywords(comment).score == 0
    with django_assert_num_queries(0):  # read once, kept
        screening.check_keywords(comment)
    rule = KeywordRule.objects.create(phrase="casino", action=KeywordRule.Action.SPAM)
    assert screening.check_keywords(comment).score == 6.0
    rule.delete()
    assert screening.check_keywords(comment).score == 0


def test_sender_history_reads_the_same_few_queries_however_many_comments(section, django_assert_num_queries):
    for n in range(12):
        pending(section, text=f"earlier comment {n}", user_email="Busy@Example.org", address_hash="a" * 64)
    comment = pending(section, text="earlier comment 3", user_email="busy@example.org", address_hash="a" * 64)
    with django_assert_num_queries(1):  # one statement: by email and by address
        history = screening.sender_history(comment)
    assert history.last_hour_by_email == 12 and history.last_hour_by_address == 12
    assert history.duplicate_of is not None and not history.approved_before


def test_sender_history_counts_only_the_same_sender_and_what_still_stands(section):
    """The edges of the statement: no email and no address match nobody; withdrawn text is no duplicate."""
    hour_ago = timezone.now() - timedelta(minutes=30)
    withdrawn = pending(section, text="Same words", user_email="who@example.org", submit_date=hour_ago)
    OrgComment.objects.filter(pk=withdrawn.pk).update(state=State.WITHDRAWN)
    for _ in range(3):  # other posters without an email or an address
        pending(section, text="Same words", user_email="", address_hash="")
    approved = approved_comment(
        section, text="Earlier, published", user_email="WHO@example.org", confirmed_by_mail=True
    )
    assert approved.state == State.APPROVED

    comment = pending(section, text="Same words", user_email="who@example.org")
    history = screening.sender_history(comment)
    assert history.duplicate_of is None  # the same text, but withdrawn
    assert history.last_hour_by_email == 2 and history.approved_before
    assert history.last_hour_by_address == 0

    anonymous = screening.sender_history(pending(section, text="Same words", user_email="", address_hash=""))
    assert anonymous == screening.SenderHistory()


def test_near_duplicates_are_found_through_the_band_index_among_many_comments(section):
    texts = [f"statement number {n} about police raids on flats in district {n * 7} last winter" for n in range(30)]
    for n, text in enumerate(texts):
        services.comment_screen(comment_id=pending(section, text=text, user_email=f"p{n}@example.org").pk)
    copy = pending(section, text=texts[11] + " again", user_email="late@example.org")
    signature = screening.minhash(copy.comment)
    result, group = screening.check_near_duplicates(copy, signature)
    first = OrgComment.objects.get(comment=texts[11])
    assert group == first.pk and result.hold
    assert screening.check_near_duplicates(copy, screening.minhash("nothing like the others at all"))[1] is None


@pytest.fixture
def verified_org(member):
    org = member.organisations.get()
    org.name = "Réseau des Travailleuses du Sexe"
    org.verified_at = timezone.now()
    org.save()
    return org


@pytest.mark.parametrize(
    "typed",
    [
        "Réseau des Travailleuses du Sexe",  # exact
        "reseau des travailleuses du sexe",  # no accents, lower case
        "RÉSEAU DES TRAVAILLEUSES-DU-SEXE.",  # punctuation and spacing
        "Reseau des Travailleuses du Sexxe",  # one typo
        "Reseau des Travaileuses du Sexe",  # one letter missing
    ],
)
def test_a_stranger_signing_as_a_verified_organisation_is_held_with_its_name(section, verified_org, typed):
    comment = pending(section, text="We endorse.", organisation_name=typed, user_email="stranger@example.org")
    result = screening.check_impersonation(comment)
    assert result.hold
    assert "Réseau des Travailleuses du Sexe" in result.reason
    assert screening.screen(comment).decision == State.REVIEW


def test_impersonation_holds_even_a_poster_trusted_by_an_earlier_approved_comment(section, verified_org):
    approved_comment(section, text="earlier", user_email="known@example.org")
    typed = "Reseau des travailleuses du sexe"
    comment = pending(section, text="We endorse.", organisation_name=typed, user_email="known@example.org")
    services.comment_screen(comment_id=comment.pk)
    comment.refresh_from_db()
    assert comment.state == State.REVIEW
    event = comment.events.filter(action=ModerationEvent.Action.SCREEN).get()
    assert "Réseau des Travailleuses du Sexe" in event.reason


def test_a_member_of_the_organisation_is_not_flagged(section, verified_org, member):
    comment = pending(
        section, text="We endorse.", organisation_name=verified_org.name, user=member, user_email="m@example.org"
    )
    assert not screening.check_impersonation(comment).hold


@pytest.mark.parametrize("typed", ["", "Sex Workers Alliance of Kenya", "Réseau des Travailleurs", "Reseau"])
def test_unrelated_names_are_not_flagged(section, verified_org, typed):
    comment = pending(section, text="We endorse.", organisation_name=typed, user_email="stranger@example.org")
    assert not screening.check_impersonation(comment).hold


def test_short_names_match_only_exactly(section, member):
    org = member.organisations.get()
    org.name, org.verified_at = "SWAN", timezone.now()
    org.save()
    assert screening.check_impersonation(pending(section, text="a", organisation_name="s.w.a.n.")).hold
    assert not screening.check_impersonation(pending(section, text="b", organisation_name="SWAP")).hold


def test_an_unverified_organisations_name_is_not_protected(section, member):
    org = member.organisations.get()
    org.name, org.verified_at = "Unverified Collective", None
    org.save()
    assert not screening.check_impersonation(pending(section, text="a", organisation_name=org.name)).hold


@pytest.mark.parametrize("language", ["fr", "es", "ru"])
def test_the_impersonation_finding_is_told_in_each_coordinators_language(language):
    from django.utils import translation

    english = findings.message("impersonation", {"organisation": "SWAN"})
    with translation.override(language):
        translated = findings.message("impersonation", {"organisation": "SWAN"})
    assert "SWAN" in translated and translated != english
