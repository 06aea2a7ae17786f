"""manage.py import_wordpress: the original campaign page's comments, brought over from its WordPress export.

The exports in tests/data were written for these tests (wordpress-1.2.xml, wordpress-1.1.xml): every
email and client address in them must stay out of the database, the pages and the logs.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from campaign.lib import cache as page_cache
from campaign.lib.privacy import address_hash
from comments import imports, services, wordpress
from comments.desk import stats
from comments.management.commands import import_wordpress as command
from comments.models import Display, ModerationEvent, OrgComment, State
from comments.signature import public_signature
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data"
WXR_12 = DATA / "wordpress-1.2.xml"
WXR_11 = DATA / "wordpress-1.1.xml"
SITE = "https://old-campaign.example.net"
Action = ModerationEvent.Action


def private_values(path: Path) -> set[str]:
    """Every email and client address the export holds (its commenters' and its author's)."""
    text = path.read_text(encoding="utf-8")
    emails = set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text))
    addresses = set(re.findall(r"<wp:comment_author_IP>(?:<!\[CDATA\[)?([^<\]]+)", text))
    assert len(emails) >= 8 and len(addresses) >= 8  # the scans below look for something
    return emails | addresses


def run(*args) -> str:
    out = StringIO()
    call_command("import_wordpress", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


def imported(comment_id: int, site: str = SITE) -> OrgComment:
    return OrgComment.objects.get(import_key=f"{site}#{comment_id}")


@pytest.fixture
def import_12(note, django_capture_on_commit_callbacks):
    """Import the WXR 1.2 export onto the note, running what it leaves for the commit."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        output = run(WXR_12, "--document", note.slug)
    return output, callbacks


# --- What is imported, and how ------------------------------------------------------------------


def test_it_imports_approved_comments_as_published_legacy_comments(note, import_12):
    output, _ = import_12
    first = imported(101)
    assert first.origin == "wordpress" and first.kind == "comment"
    assert (first.content_type.model, first.object_pk) == ("document", str(note.pk))
    assert first.submit_date == datetime(2015, 5, 1, 8, 0, tzinfo=UTC)  # wp:comment_date_gmt
    assert first.state == State.APPROVED and first.is_public
    assert first.user_name == "Amina Okoro" and first.display == Display.NAME_AND_ORGANISATION
    assert first.signature.text() == "Amina Okoro"  # the name the old page showed, and nothing else
    assert first.language == "en"
    # Plain text as the page read it: the entity decoded, the link's address kept, no markup.
    assert "health services & legal aid" in first.comment
    assert "Read our statement (https://network.example.org/statement) before" in first.comment
    assert "<a" not in first.comment and "rel=" not in first.comment
    assert '<a href="https://network.example.org/statement" rel="nofollow ugc noopener">' in first.comment_html
    assert first.user_url == "" and first.ip_address is None and first.followup is False
    assert first.confirmation_hash == "" and first.confirmed_at is None
    assert "Imported 11 onto" in output and "7 of them published on the page" in output


def test_the_language_is_recognised_from_each_text(import_12):
    assert imported(102).language == "fr"
    assert imported(104).language == "fr"
    assert imported(106).language == "es"
    assert imported(103).language == "en"


def test_replies_hang_under_their_parents_and_deeper_ones_under_the_deepest_that_takes_replies(import_12):
    output, _ = import_12
    first, second, third, fourth, fifth = (imported(n) for n in (101, 102, 103, 104, 105))
    assert first.parent_id == first.pk and first.level == 0
    assert (second.parent_id, second.thread_id, second.level) == (first.pk, first.pk, 1)
    assert (third.parent_id, third.thread_id, third.level) == (second.pk, first.pk, 2)
    assert (fourth.parent_id, fourth.level) == (third.pk, 3)
    # WordPress nested 105 under 104, at a fifth level the site does not take: it answers 103 here.
    assert (fifth.parent_id, fifth.level, fifth.thread_id) == (third.pk, 3, first.pk)
    assert [c.pk for c in OrgComment.objects.filter(thread_id=first.pk)] == [
        first.pk, second.pk, third.pk, fourth.pk, fifth.pk,
    ]  # fmt: skip
    first.refresh_from_db()
    assert first.nested_count == 4
    assert "Note: 1 replies nested deeper than the site allows" in output
    # 112 answered the pingback, which is not imported: it starts a discussion of its own.
    orphan = imported(112)
    assert orphan.parent_id == orphan.pk and orphan.level == 0 and orphan.is_public
    assert "Note: 1 replies to a comment that is not imported" in output


def test_spam_pending_and_trash_keep_their_meaning_and_stay_unpublished(import_12):
    output, _ = import_12
    spam, pending, trash = imported(108), imported(106), imported(109)
    assert (spam.state, spam.is_public) == (State.SPAM, False)
    assert (pending.state, pending.is_public) == (State.REVIEW, False)
    assert (trash.state, trash.is_public) == (State.REJECTED, False)
    # Approved in WordPress, but under a comment still waiting there: hidden until its parent is approved.
    reply = imported(107)
    assert (reply.state, reply.is_public, reply.parent_id) == (State.APPROVED, False, pending.pk)
    assert "      8  approved" in output
    assert "      1  to review (pending in WordPress)" in output
    assert "      1  in the spam folder (spam in WordPress)" in output
    assert "      1  rejected, not published (in WordPress's trash)" in output


def test_approving_the_pending_parent_then_publishes_its_reply(import_12, coordinator):
    services.comment_approve(comment=imported(106), by=coordinator)
    assert imported(106).is_public and imported(107).is_public


def test_pingbacks_and_trackbacks_are_skipped_and_counted(import_12):
    output, _ = import_12
    assert not OrgComment.objects.filter(import_key__in=[f"{SITE}#110", f"{SITE}#111"]).exists()
    assert "Skipped 2:" in output
    assert "      1  pingback" in output and "      1  trackback" in output


def test_a_name_that_is_an_email_address_is_not_shown(import_12):
    output, _ = import_12
    comment = imported(113)
    assert comment.user_name == "" and comment.signature.anonymous
    # Its empty wp:comment_date_gmt: the date WordPress showed stands in.
    assert comment.submit_date == datetime(2015, 5, 11, 10, 0, tzinfo=UTC)
    assert (
        comment.comment
        == "I support the rework of the note.\n\nSex workers must lead the HIV response in their communities."
    )
    assert "Note: 1 names that were email addresses" in output


def test_the_audit_log_says_they_were_imported_by_nobody(import_12):
    approved = imported(101)
    events = list(approved.events.values_list("action", "old_state", "new_state", "actor", "reason"))
    assert events == [
        (Action.SUBMIT, "", State.REVIEW, None, "imported from WordPress"),
        (Action.APPROVE, State.REVIEW, State.APPROVED, None, "imported from WordPress, where it was approved"),
    ]
    assert list(imported(106).events.values_list("action", "new_state")) == [(Action.SUBMIT, State.REVIEW)]
    assert imported(108).events.last().action == Action.SPAM
    assert imported(109).events.last().reason == "imported from WordPress, where it was in the trash"
    assert not ModerationEvent.objects.filter(action__in=[Action.SCREEN, Action.CONFIRM]).exists()


def test_nothing_is_screened_or_mailed(note, django_capture_on_commit_callbacks, eager_tasks):
    with django_capture_on_commit_callbacks(execute=True):
        run(WXR_12, "--document", note.slug)
    assert mail.outbox == []
    assert set(OrgComment.objects.values_list("spam_score", flat=True)) == {None}
    assert not OrgComment.objects.exclude(minhash=[]).exists()
    assert not ModerationEvent.objects.filter(action=Action.SCREEN).exists()


def test_it_imports_onto_a_section(section):
    run(WXR_12, "--document", section.document.slug, "--section", section.key)
    assert OrgComment.objects.filter(object_pk=str(section.pk), content_type__model="section").count() == 11


def test_a_wxr_1_1_export_is_read_too(note):
    output = run(WXR_11, "--document", note.slug)
    site = "http://blog.example.net/campaign"  # the host's case folded, the trailing slash dropped
    first, reply, spam = imported(21, site), imported(22, site), imported(23, site)
    assert first.language == "ru" and first.user_name == "Светлана" and first.is_public
    assert (reply.parent_id, reply.level, reply.is_public) == (first.pk, 1, True)
    assert spam.state == State.SPAM
    assert "Export of http://blog.example.net/campaign, post 5 (guidance-note-comments): 3 comments." in output


def test_a_wxr_1_0_export_is_read_too(note, tmp_path):
    old = tmp_path / "wxr-1.0.xml"
    old.write_text(WXR_11.read_text(encoding="utf-8").replace("/export/1.1/", "/export/1.0/"), encoding="utf-8")
    assert wordpress.parse(old.read_bytes()).version == "1.0"
    run(old, "--document", note.slug)
    assert OrgComment.objects.filter(origin="wordpress").count() == 3


# --- Running it again, and the dry run ------------------------------------------------------------


def test_running_it_twice_imports_nothing_new(note, import_12):
    before = list(OrgComment.objects.order_by("pk").values_list("pk", "state", "is_public", "parent_id"))
    events = ModerationEvent.objects.count()
    output = run(WXR_12, "--document", note.slug)
    assert list(OrgComment.objects.order_by("pk").values_list("pk", "state", "is_public", "parent_id")) == before
    assert ModerationEvent.objects.count() == events
    assert "Imported 0 onto" in output and "     11  already imported" in output
    # Even onto another page: a comment is imported once.
    run(WXR_12, "--document", note.slug, "--section", "introduction")
    assert OrgComment.objects.count() == len(before)


def test_a_later_export_adds_only_its_new_comments_under_their_parents(note, import_12, tmp_path):
    later = WXR_12.read_text(encoding="utf-8").replace(
        "\t</item>\n</channel>",
        """\t\t<wp:comment>
\t\t\t<wp:comment_id>114</wp:comment_id>
\t\t\t<wp:comment_author><![CDATA[Late reader]]></wp:comment_author>
\t\t\t<wp:comment_author_email><![CDATA[late.reader.q2@mailbox.example.org]]></wp:comment_author_email>
\t\t\t<wp:comment_author_IP><![CDATA[203.0.113.200]]></wp:comment_author_IP>
\t\t\t<wp:comment_date_gmt><![CDATA[2015-06-01 08:00:00]]></wp:comment_date_gmt>
\t\t\t<wp:comment_content><![CDATA[I agree with the request for three changes to the note.]]></wp:comment_content>
\t\t\t<wp:comment_approved><![CDATA[1]]></wp:comment_approved>
\t\t\t<wp:comment_type><![CDATA[comment]]></wp:comment_type>
\t\t\t<wp:comment_parent>101</wp:comment_parent>
\t\t</wp:comment>
\t</item>
</channel>""",
    )
    path = tmp_path / "later.xml"
    path.write_text(later, encoding="utf-8")
    output = run(path, "--document", note.slug)
    assert "Imported 1 onto" in output and "     11  already imported" in output
    late, first = imported(114), imported(101)
    assert (late.parent_id, late.level, late.is_public) == (first.pk, 1, True)
    # Placed after the thread's earlier replies.
    assert late.order == OrgComment.objects.filter(thread_id=first.pk).order_by("-order").first().order


def test_a_dry_run_writes_nothing_and_prints_the_same_summary(note, django_capture_on_commit_callbacks):
    generation = page_cache.current_generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dry = run(WXR_12, "--document", note.slug, "--dry-run")
    assert not OrgComment.objects.exists() and not ModerationEvent.objects.exists()
    assert callbacks == [] and page_cache.current_generation() == generation
    assert "Dry run: nothing was saved." in dry
    real = run(WXR_12, "--document", note.slug)
    assert dry.replace("Would import", "Imported").splitlines()[:-1] == real.splitlines()[:-1]


def test_the_page_cache_is_invalidated_after_an_import(note, django_capture_on_commit_callbacks):
    generation = page_cache.current_generation()
    with django_capture_on_commit_callbacks(execute=True):
        run(WXR_12, "--document", note.slug)
    assert page_cache.current_generation() != generation


def test_long_imports_show_their_progress(note, tmp_path, monkeypatch):
    monkeypatch.setattr(command, "PROGRESS_ABOVE", 5)
    monkeypatch.setattr(command, "PROGRESS_LINES", 4)
    output = run(WXR_12, "--document", note.slug)
    bars = [line for line in output.splitlines() if line.startswith("[")]
    assert bars[-1] == f"[{'#' * 30}] 11/11 comments"
    assert 3 <= len(bars) <= 5
    # A short import (3 comments) prints none.
    assert not [line for line in run(WXR_11, "--document", note.slug).splitlines() if line.startswith("[")]


# --- Refused files --------------------------------------------------------------------------------


def refused(note, path: Path) -> str:
    with pytest.raises(CommandError) as caught:
        run(path, "--document", note.slug)
    assert not OrgComment.objects.exists() and not ModerationEvent.objects.exists()
    assert str(caught.value).endswith("Nothing was imported.")
    return str(caught.value)


def write(tmp_path, content: str | bytes, name: str = "export.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def test_an_rss_feed_of_another_site_is_refused(note):
    assert "is an RSS feed, not a WordPress export" in refused(note, DATA / "rss-not-wordpress.xml")


def test_an_entity_bomb_is_refused_before_it_expands(note):
    message = refused(note, DATA / "wordpress-entity-bomb.xml")
    assert "declares a document type or entities" in message


def test_an_external_entity_is_refused(note, tmp_path):
    secret = write(tmp_path, "secret.example", name="secret.txt")
    xxe = WXR_11.read_text(encoding="utf-8").replace(
        '<?xml version="1.0" encoding="UTF-8" ?>',
        f'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>',
    )
    xxe = xxe.replace("<![CDATA[Светлана]]>", "&x;")
    assert "declares a document type or entities" in refused(note, write(tmp_path, xxe))


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "not well-formed XML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not well-formed XML"),
        (b"comment_id,author\n1,Amina\n", "not well-formed XML"),
        (WXR_12.read_bytes()[:3000], "not well-formed XML"),
        (
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title></feed>',
            "not an RSS feed: its root element is <feed>",
        ),
        (b'<rss version="2.0"><item/></rss>', "has no <channel>"),
        (
            WXR_12.read_bytes().replace(b"/export/1.2/", b"/export/1.3/"),
            "uses the namespace http://wordpress.org/export/1.3/, which this command does not read",
        ),
        (
            WXR_12.read_bytes().replace(b"http://wordpress.org/export/1.2/", b"http://wordpress.org/export/"),
            "not a WordPress export",
        ),
        (
            WXR_12.read_bytes().replace(b"<wp:comment_id>103</wp:comment_id>", b"<wp:comment_id>102</wp:comment_id>"),
            "two comments numbered 102",
        ),
        (
            WXR_12.read_bytes().replace(b"<wp:comment_parent>101<", b"<wp:comment_parent>one<"),
            "wp:comment_parent is not a number",
        ),
        (
            WXR_12.read_bytes()
            .replace(b"<wp:base_site_url>https://old-campaign.example.net</wp:base_site_url>", b"")
            .replace(b"<link>https://old-campaign.example.net</link>", b""),
            "names no site address",
        ),
    ],
    ids=[
        "empty",
        "binary",
        "csv",
        "truncated",
        "atom",
        "no-channel",
        "unknown-version",
        "wrong-namespace",
        "duplicate-id",
        "bad-parent",
        "no-site",
    ],
)
def test_a_file_that_is_not_a_wordpress_export_is_refused(note, tmp_path, content, says):
    assert says in refused(note, write(tmp_path, content))


def test_an_export_with_comments_on_several_posts_asks_which(note, tmp_path):
    text = WXR_11.read_text(encoding="utf-8")
    item = text[text.index("\t<item>") : text.index("</item>") + len("</item>")]
    second = item.replace("<wp:post_id>5</wp:post_id>", "<wp:post_id>6</wp:post_id>").replace(
        "guidance-note-comments", "another-post"
    )
    for n in (21, 22, 23):
        second = second.replace(f"<wp:comment_id>{n}<", f"<wp:comment_id>{n + 100}<")
    path = write(tmp_path, text.replace(item, item + "\n" + second))
    message = refused(note, path)
    assert "comments on 2 posts" in message and "--post" in message and "5 (guidance-note-comments)" in message
    run(path, "--document", note.slug, "--post", "another-post")
    assert set(OrgComment.objects.values_list("import_key", flat=True)) == {
        f"http://blog.example.net/campaign#{n}" for n in (121, 122, 123)
    }


def test_an_unknown_document_section_or_file_is_refused(note):
    with pytest.raises(CommandError, match="There is no document 'nope'"):
        run(WXR_12, "--document", "nope")
    with pytest.raises(CommandError, match="has no section 'nope'"):
        run(WXR_12, "--document", note.slug, "--section", "nope")
    with pytest.raises(CommandError, match="Cannot read"):
        run(DATA / "missing.xml", "--document", note.slug)
    assert not OrgComment.objects.exists()


# --- Privacy --------------------------------------------------------------------------------------


def text_columns_of_every_comment_row() -> str:
    """Every column of every comment row (the three tables of the comment model) and audit event, as text."""
    found = []
    with connection.cursor() as cursor:
        for table in (
            "django_comments",
            "django_comments_xtd_xtdcomment",
            "comments_orgcomment",
            "comments_moderationevent",
        ):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed names
            found.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(found)


def test_no_email_or_address_of_the_export_is_stored_shown_or_logged(note, client, caplog, settings):
    settings.ADDRESS_RETENTION_DAYS = 365 * 100  # an address hash is kept: it must be the keyed HMAC
    secrets = private_values(WXR_12)
    with caplog.at_level(logging.DEBUG):
        output = run(WXR_12, "--document", note.slug)
        page = client.get(note.get_absolute_url()).content.decode()
    assert "from the original campaign page" in page  # the page did render the comments
    dump = StringIO()
    call_command("dumpdata", "comments", "django_comments", "django_comments_xtd", stdout=dump)
    stored = text_columns_of_every_comment_row() + dump.getvalue()
    assert "Amina Okoro" in stored
    logs = "\n".join(record.getMessage() for record in caplog.records)
    assert "Imported 11 comments from the WordPress export of https://old-campaign.example.net" in logs
    for secret in secrets:
        for where, text in (("database", stored), ("page", page), ("logs", logs), ("output", output)):
            assert secret not in text, (secret, where)
    assert set(OrgComment.objects.values_list("user_email", flat=True)) == {""}
    assert imported(101).address_hash == address_hash("203.0.113.77")


def test_an_address_is_kept_only_as_a_hash_and_only_within_the_retention_period(note, tmp_path):
    recent = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")
    text = WXR_11.read_text(encoding="utf-8").replace("2013-03-02 08:00:00", recent)
    run(write(tmp_path, text), "--document", note.slug)
    site = "http://blog.example.net/campaign"
    assert imported(22, site).address_hash == address_hash("198.51.100.61")
    assert imported(21, site).address_hash == ""  # posted in 2013: an address hash is purged after 30 days


def test_emails_are_kept_only_when_the_setting_says_so_and_never_shown(note, client, settings):
    settings.COMMENTS_IMPORT_KEEP_EMAIL = True
    run(WXR_12, "--document", note.slug)
    assert imported(101).user_email == "amina.k4x@mailbox.example.org"
    assert imported(112).user_email == "outreach.w8@mailbox.example.org"
    page = client.get(note.get_absolute_url()).content.decode()
    assert "mailbox.example.org" not in page
    assert "203.0.113.77" not in text_columns_of_every_comment_row()


# --- On the page and on the desk ------------------------------------------------------------------


def test_the_page_shows_them_marked_as_from_the_original_campaign_page(note, client, import_12):
    page = client.get(note.get_absolute_url()).content.decode()
    first = imported(101)
    item = page[page.index(f'id="c{first.pk}"') :]
    item = item[: item.index("</header>")]
    assert "<strong><bdi>Amina Okoro</bdi></strong>" in item
    assert '<span class="imported">from the original campaign page</span>' in item
    assert '<time datetime="2015-05-01T' in item
    assert page.count('class="imported"') == 7  # the seven published, and only them
    assert "Great post! Win a casino bonus" not in page and "Test comment, please delete" not in page
    assert "Apoyamos la nota" not in page and "discuss migrant sex workers" not in page
    french = client.get(f"/fr{note.get_absolute_url()}").content.decode()
    assert "repris de la page de campagne d\u2019origine" in french


def test_a_comment_posted_here_is_not_marked(note, client, import_12):
    mine = approved_comment(note, text="Posted on this site.", user_name="Here")
    page = client.get(note.get_absolute_url()).content.decode()
    item = page[page.index(f'id="c{mine.pk}"') :]
    assert 'class="imported"' not in item[: item.index("</header>")]


def test_the_desk_shows_where_they_came_from(client, coordinator, import_12):
    client.force_login(coordinator)
    queue = client.get("/desk/").content.decode()
    assert "Apoyamos la nota" in queue
    assert "Imported from the original campaign page" in queue
    log = client.get(f"/desk/c/{imported(101).pk}/log/").content.decode()
    assert "Imported from the original campaign page" in log and "imported from WordPress, where it was approved" in log
    for secret in private_values(WXR_12):
        assert secret not in queue and secret not in log


def test_the_statistics_leave_imported_comments_out(note, coordinator, import_12, tmp_path):
    mine = approved_comment(note, text="Posted on this site.")
    ModerationEvent.objects.create(comment=mine, action=Action.SUBMIT, old_state="", new_state=State.UNCONFIRMED)
    # A later export with a recent comment: its import still is no traffic of the site's.
    recent = (datetime.now(UTC) - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")
    run(
        write(tmp_path, WXR_11.read_text(encoding="utf-8").replace("2013-03-01 08:00:00", recent)),
        "--document",
        note.slug,
    )
    assert stats.desk_stats().review == 1  # what waits for a coordinator does count
    services.comment_approve(comment=imported(106), by=coordinator)
    result = stats.desk_stats()
    assert sum(day.submitted for day in result.days) == 1
    assert result.approved == 0 and result.approved_auto == 0 and result.spam_auto == 0
    assert result.decided == 0 and result.median_decision is None
    assert result.review == 0


def test_signature_rule_for_imported_names_is_the_sites(import_12):
    comment = imported(102)
    assert comment.signature == public_signature(display=Display.NAME_AND_ORGANISATION, name="Collectif Rosa")


def test_the_plan_is_what_the_import_does(note):
    export = wordpress.parse(WXR_12.read_bytes())
    planned, summary = imports.plan(export=export, post=export.post(None), known=set(), placed={})
    imports.import_wordpress(export=export, post=export.post(None), target=note)
    for item in planned:
        comment = OrgComment.objects.get(import_key=item.key)
        assert (comment.state, comment.is_public, comment.language) == (item.state, item.public, item.language)
    assert summary.published == OrgComment.objects.visible().count() == 7


def test_the_text_reads_as_the_old_page_showed_it():
    html = (
        "<ul><li>One</li><li>Two</li></ul>line<br />next<script>alert(1)</script> "
        '<a href="https://a.example/">https://a.example/</a> <a href="javascript:x()">here</a> &lt;3'
    )
    assert wordpress.plain_text(html) == "- One\n- Two\n\nline\nnext https://a.example/ here <3"


def test_a_loop_of_parents_is_cut_where_it_closes(note, tmp_path):
    text = WXR_11.read_text(encoding="utf-8").replace(
        "<wp:comment_parent>0</wp:comment_parent>", "<wp:comment_parent>22</wp:comment_parent>", 1
    )
    output = run(write(tmp_path, text), "--document", note.slug)
    site = "http://blog.example.net/campaign"
    older, newer = imported(21, site), imported(22, site)
    # The walk up from 21 (the oldest) reaches 22, whose parent is 21 again: 22 starts the discussion.
    assert (newer.level, older.parent_id, older.level) == (0, newer.pk, 1)
    assert "Note: 1 replies to a comment that is not imported" in output
