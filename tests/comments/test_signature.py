"""The one public signature rule, the form's safe defaults and limits, the home page's counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from campaign.organisations.models import Organisation
from comments.desk import export
from comments.forms import OrgCommentForm
from comments.models import OrgComment
from comments.selectors import endorsement_counts, member_badge, shown_endorsements, tally
from comments.signature import Display, public_signature
from tests.comments.builders import approved_comment
from tests.comments.conftest import form_data

pytestmark = pytest.mark.django_db

TYPED = {"name": "Amina", "organisation": "Sisters Alliance", "city": "Nairobi", "country": "KE"}


def test_organisation_only_shows_no_name_and_no_city():
    signed = public_signature(display=Display.ORGANISATION_ONLY, on_behalf_of="Red Umbrella", **TYPED)
    assert (signed.name, signed.organisation, signed.city, signed.country) == ("", "Sisters Alliance", "", "KE")
    assert signed.text() == "Sisters Alliance · on behalf of Red Umbrella · Kenya"


def test_anonymous_shows_no_name_organisation_or_city_and_may_withhold_the_country():
    signed = public_signature(display=Display.ANONYMOUS, on_behalf_of="Red Umbrella", **TYPED)
    assert signed.anonymous
    assert signed.text() == "Anonymous participant · on behalf of Red Umbrella · Kenya"
    assert public_signature(display=Display.ANONYMOUS, show_country=False, **TYPED).text() == "Anonymous participant"


def test_name_and_organisation_are_visibly_apart_and_an_unknown_choice_is_anonymous():
    assert public_signature(display=Display.NAME_AND_ORGANISATION, **TYPED).text() == (
        "Amina · Sisters Alliance · Nairobi, Kenya"
    )
    assert public_signature(display="name_org", name="Amina").text() == "Amina"
    assert public_signature(display="everything", **TYPED).anonymous


def test_no_choice_that_shows_a_name_is_preselected(section):
    form = OrgCommentForm(section)
    assert form["display"].initial == Display.ANONYMOUS
    assert form.signature_preview().text() == "Anonymous participant"
    radios = {radio.data["value"]: radio.tag() for radio in form["display"]}
    assert " checked" in radios["anonymous"]
    assert 'data-shows="on_behalf_of country"' in radios["anonymous"]
    assert not any(" checked" in radios[value] for value in ("org", "name_org"))
    notes = dict((radio.data["value"], note) for radio, note in form.display_choices())
    assert notes["org"] == (
        "Readers see: your organisation, “on behalf of”, your country. Never shown: your name, your city."
    )
    assert "Never shown: your name, your organisation, your city." in notes["anonymous"]


def test_a_browsers_crlf_line_breaks_count_as_one_character_each(section):
    limit = settings.COMMENTS_TEXT_MAX_LENGTH
    lines = ["x" * 99] * (limit // 100)  # exactly the limit with LF line breaks, over it with CR LF
    text = "\n".join(lines) + "x" * (limit - len("\n".join(lines)))
    assert len(text) == limit
    form = OrgCommentForm(section, data=form_data(section, comment=text.replace("\n", "\r\n")))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["comment"] == text
    too_long = OrgCommentForm(section, data=form_data(section, comment=text + "y"))
    assert "comment" in too_long.errors


def test_the_form_shows_its_limits_before_sending(section):
    form = OrgCommentForm(section)
    assert 'maxlength="50"' in str(form["name"])
    assert f'maxlength="{settings.COMMENTS_TEXT_MAX_LENGTH}"' in str(form["comment"])
    assert form["name"].help_text == "Up to 50 characters."
    assert "Up to 20,000 characters." in form["comment"].help_text


def test_the_error_page_previews_the_signature_as_chosen(client, section):
    data = form_data(section, display="org", on_behalf_of="Red Umbrella", email="not an address")
    page = client.post("/comments/post/", data).content.decode()
    assert "Your comment will be signed:" in page
    assert "Sisters Alliance · on behalf of Red Umbrella · Kenya</strong>" in page


def test_home_counts_published_endorsements_organisations_and_countries_as_shown(section, note):
    approved_comment(section, kind="endorse", organisation_name="Sisters Alliance", country="KE", display="org")
    approved_comment(note, kind="endorse", organisation_name="sisters  alliance", country="KE", display="org")
    approved_comment(note, kind="endorse", organisation_name="Hidden", country="FR", display="anonymous")
    approved_comment(note, kind="endorse", organisation_name="Quiet", country="ES", display="org", show_country=False)
    approved_comment(section, kind="concern", organisation_name="Concerned", country="BR", display="org")
    hidden = approved_comment(section, kind="endorse", organisation_name="Waiting", country="PE", display="org")
    hidden.__class__.objects.filter(pk=hidden.pk).update(state="review", is_public=False)
    counts = endorsement_counts(note)
    assert (counts.endorsements, counts.organisations, counts.countries) == (4, 2, 2)


def test_endorsers_grouped_in_sql_show_what_each_signature_shows(section, note, member):
    """shown_endorsements and tally group the raw fields in SQL: they must show exactly what the
    signature of each endorsement shows, whatever its poster chose."""
    sisters = Organisation.objects.get(slug="sisters-alliance")
    sisters.verified_at = timezone.now()
    sisters.save()
    posted = [
        # A member's endorsement under the linked organisation: its name, with the badge.
        approved_comment(section, kind="endorse", organisation_name="typed", organisation=sisters, user=member,
                         country="KE", display="org"),
        # The same organisation linked by a coordinator, not by a member: no badge.
        approved_comment(note, kind="endorse", organisation_name="Sisters", organisation=sisters, country="KE",
                         display="name_org"),
        # Anonymous, although linked: no organisation, no badge.
        approved_comment(section, kind="endorse", organisation_name="Hidden", organisation=sisters, user=member,
                         country="KE", display="anonymous"),
        approved_comment(note, kind="endorse", organisation_name="Quiet", country="ES", display="org",
                         show_country=False),
        approved_comment(section, kind="endorse", organisation_name="Quiet", country="FR", display="org"),
        approved_comment(section, kind="endorse", organisation_name="Quiet", country="FR", display="org"),
    ]  # fmt: skip
    approved_comment(section, kind="concern", organisation_name="Not an endorsement", display="org")
    reply = approved_comment(section, kind="endorse", organisation_name="A reply", display="org", parent=posted[-1])
    assert reply.level == 1  # counted among the comments, not among the endorsers

    expected: dict[tuple, int] = {}
    as_pages_read = OrgComment.objects.annotate(
        organisation_verified_at=member_badge(), organisation_linked_name=F("organisation__name")
    )
    for comment in as_pages_read.filter(pk__in=[c.pk for c in posted]):
        signed = comment.signature
        key = (signed.organisation, signed.country, signed.verified)
        expected[key] = expected.get(key, 0) + 1
    assert expected == {
        ("Sisters Alliance", "KE", True): 1, ("Sisters Alliance", "KE", False): 1, ("", "KE", False): 1,
        ("Quiet", "", False): 1, ("Quiet", "FR", False): 2,
    }  # fmt: skip
    for grouped in (shown_endorsements(note), tally(note).endorsements):
        assert {(g.organisation, g.country, g.verified): g.endorsements for g in grouped} == expected
        assert [g.first for g in grouped] == sorted(g.first for g in grouped)  # the earliest first
    counted = {(t.kind, t.worded): t.comments for t in tally(note).counts if t.kind != "endorse"}
    assert counted == {("concern", False): 1}
    assert sum(t.comments for t in tally(note).counts if t.kind == "endorse") == 7  # the reply too


def test_the_export_signs_as_the_pages_do_and_withholds_a_withheld_country(section):
    approved_comment(section, kind="endorse", user_name="Jo", display="name_org", country="KE", show_country=False)
    rows = list(csv.reader(io.StringIO("".join(f"{','.join(r)}\n" for r in export.rows()))))
    assert rows[1][:6] == ["Jo", "Jo", "", "", "", ""]
