"""Bad input through the real form: a clear error or inert text, never a 500, never markup executed."""

from __future__ import annotations

import time

import pytest
from django.core import mail

from comments.models import OrgComment
from tests.comments.conftest import form_data

pytestmark = pytest.mark.django_db


def _errors(response) -> str:
    assert response.status_code in (200, 400), response.status_code
    return response.content.decode()


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_it_asks_for_a_comment_when_the_text_is_empty(post, section, text):
    response = post(section, comment=text)
    assert "Please write your comment." in _errors(response) or "This field is required." in _errors(response)
    assert OrgComment.objects.count() == 0


def test_it_refuses_20001_characters_and_keeps_the_text(post, section):
    text = "x" * 20_001
    response = post(section, comment=text)
    page = _errors(response)
    assert "at most 20000 characters" in page
    assert text in page
    assert OrgComment.objects.count() == 0


def test_it_accepts_20000_characters(post, section):
    post(section, comment="y" * 20_000)
    assert len(OrgComment.objects.get().comment) == 20_000


def test_it_stores_html_and_script_as_inert_text(post, confirm, approve, client, section):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)> <b>bold</b>'
    post(section, comment=evil, name="<i>Name</i>", organisation_name="<script>org</script>")
    confirm()
    approve(OrgComment.objects.get())
    page = client.get(section.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;i&gt;Name&lt;/i&gt;" in page


def test_it_drops_control_characters(post, section):
    post(section, comment="Hello\x00\x07 world\x1b")
    assert OrgComment.objects.count() == 0 or "\x07" not in OrgComment.objects.get().comment


def test_it_strips_control_characters_other_than_null(post, section):
    post(section, comment="Hello\x07 world\x1b and more")
    assert OrgComment.objects.get().comment == "Hello world and more"


def test_it_keeps_right_to_left_text_and_emoji(post, confirm, approve, client, section):
    text = "نحن ندعم هذا القسم ✊🏽 — מחאה"
    post(section, comment=text, name="سارة")
    confirm()
    approve(OrgComment.objects.get())
    page = client.get(section.get_absolute_url()).content.decode()
    assert text in page
    assert 'dir="auto"' in page


def test_it_refuses_an_unknown_country_clearly(post, section):
    page = _errors(post(section, country="XX"))
    assert "Select a valid choice" in page
    assert OrgComment.objects.count() == 0


def test_it_refuses_a_forged_content_type(client, section):
    data = form_data(section, content_type="auth.user", object_pk="1")
    response = client.post("/comments/post/", data)
    assert response.status_code == 400
    assert "does not belong to a page that takes comments" in response.content.decode()
    assert OrgComment.objects.count() == 0


def test_it_refuses_a_forged_object_id(client, section, note):
    other = note.sections.exclude(pk=section.pk).first()
    data = form_data(section, object_pk=str(other.pk))
    response = client.post("/comments/post/", data)
    page = _errors(response)
    assert "open too long or was changed" in page
    assert "We endorse this section." in page
    assert OrgComment.objects.count() == 0


def test_it_refuses_a_missing_object(client, section):
    response = client.post("/comments/post/", form_data(section, object_pk="999999"))
    assert response.status_code == 400


def test_an_expired_form_keeps_the_text_and_can_be_sent_again(client, section, django_capture_on_commit_callbacks):
    from comments.forms import OrgCommentForm

    form = OrgCommentForm(section)
    old = int(time.time()) - 3 * 3600
    data = form_data(section, timestamp=str(old), security_hash=form.initial_security_hash(old))
    response = client.post("/comments/post/", data)
    page = _errors(response)
    assert "open too long or was changed" in page
    assert "We endorse this section." in page
    assert OrgComment.objects.count() == 0
    # The re-shown form carries fresh security data, so sending it again works.
    fresh = response.context["form"].data
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/comments/post/", dict(fresh.items()))
    assert OrgComment.objects.count() == 1


def test_it_refuses_a_tampered_security_hash(client, section):
    response = client.post("/comments/post/", form_data(section, security_hash="0" * 40))
    assert "open too long or was changed" in _errors(response)


def test_a_filled_honeypot_is_kept_inert_and_scored_not_refused(post, section):
    response = post(section, honeypot="http://spam.example")
    assert response.status_code == 302
    comment = OrgComment.objects.get()
    assert comment.honeypot_filled
    assert not comment.is_public


def test_the_same_text_twice_from_the_same_poster_is_kept_once_and_they_are_told_on_confirming(post, confirm, section):
    """The second post answers as any post does (tests/comments/test_oracle.py says why); its
    confirmation link, which only the poster's mailbox received, tells them and erases the copy."""
    post(section)
    post(section)
    first, second = mail.outbox
    confirm(first)
    page = confirm(second).content.decode()
    assert "You had already sent this comment" in page
    kept, copy = OrgComment.objects.order_by("pk")
    assert kept.state == "review" and copy.state == "withdrawn"
    assert copy.comment == copy.user_email == copy.fingerprint == ""


def test_a_repeat_of_a_comment_in_the_spam_folder_goes_to_a_coordinator_not_into_the_spam(post, confirm, section):
    post(section)
    confirm()
    OrgComment.objects.update(state="spam")
    post(section)
    assert "your comment is confirmed" in confirm().content.decode()
    repeat = OrgComment.objects.order_by("pk").last()
    assert repeat.state == "review" and repeat.comment
    assert "duplicate" in {reason["check"] for reason in repeat.spam_reasons}


def test_the_same_text_twice_from_the_same_member_is_kept_once_and_they_are_told(client, member, post, section):
    client.force_login(member)
    post(section, email=member.email)
    response = post(section, email=member.email, follow=True)
    assert OrgComment.objects.count() == 1
    assert "You already sent this comment" in response.content.decode()


def test_it_requires_an_email_and_says_so(post, section):
    page = _errors(post(section, email=""))
    assert "This field is required." in page
    page = _errors(post(section, email="not-an-email"))
    assert "Enter a valid email address." in page
    assert OrgComment.objects.count() == 0


def test_it_requires_an_organisation_to_show_only_the_organisation(post, section):
    page = _errors(post(section, display="org", organisation_name=""))
    assert "Give your organisation&#x27;s name" in page


def test_it_refuses_an_unknown_kind(post, section):
    assert "Select a valid choice" in _errors(post(section, kind="petition"))


def test_it_refuses_a_reply_to_a_hidden_comment(post, confirm, section, client):
    post(section)
    confirm()
    hidden = OrgComment.objects.get()
    response = client.post("/comments/post/", form_data(section, reply_to=str(hidden.pk)))
    assert response.status_code == 400
    assert OrgComment.objects.count() == 1


@pytest.mark.parametrize("reply_to", ["abc", "-1", "1e9"])
def test_it_refuses_a_malformed_reply_to(client, section, reply_to):
    assert client.post("/comments/post/", form_data(section, reply_to=reply_to)).status_code == 400


def test_a_missing_or_reused_confirmation_token_is_a_clear_404(client, post, confirm, section):
    assert client.get("/comments/confirm//").status_code == 404
    post(section)
    confirm()
    assert "already confirmed" in confirm(mail.outbox[0]).content.decode()


def test_it_answers_in_the_posters_language(client, section):
    response = client.post("/fr/comments/post/", form_data(section, comment=""))
    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()


def test_get_on_the_post_url_is_refused_politely(client):
    assert client.get("/comments/post/").status_code == 405


@pytest.mark.parametrize("reply_to", ["⁰⁴⁵", "₀₁₂", "١٢٣", "\uff11\uff12\uff13"])
def test_a_reply_to_digits_that_are_not_ascii_is_refused_not_a_500(post, section, reply_to):
    response = post(section, reply_to=reply_to)
    assert response.status_code == 400
    assert "This reply does not point at a comment." in response.content.decode()
    assert OrgComment.objects.count() == 0
