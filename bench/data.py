"""The benchmark's own data: a document, sections, and many threaded comments inserted in bulk.

``OrgComment`` is a multi-table child of django-comments-xtd's ``XtdComment``, itself a child of
django-contrib-comments' ``Comment``: one comment is one row in each of three tables. ``save()``
in a loop costs several queries per comment (XtdComment recomputes the thread's order), so
``insert_comments`` builds the rows in Python, with ids it allocates, thread ids, levels, order in
the thread and counts of replies computed here, and inserts each table with ``executemany``. The
columns come from the models' ``_meta``, so a field added by a migration is inserted too.

Texts are made from a fixed vocabulary with a seeded generator: prose, numbered lists, signatures
and the odd bare link, in lengths drawn from a range. They are not repeated, so compression
ratios are those of real prose rather than of one sentence copied many times.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from django_comments.models import Comment
from django_comments_xtd.models import XtdComment

from campaign.lib.privacy import address_hash
from comments.models import Display, Kind, OrgComment, State
from comments.text import fingerprint, render_text

MAX_LEVEL = 3
WORDS = (  # noqa: SIM905 - easier to read and edit as prose
    "sex workers rights health services community led organisations decriminalisation of sex work is "
    "essential to end the HIV epidemic we call on governments and UN agencies to recognise that "
    "criminal laws push people away from prevention testing and treatment peer educators outreach "
    "workers and clinics must be funded violence by police and clients must be addressed the guidance "
    "note should say clearly that consent matters and that migrants and trans people face the worst "
    "barriers we support the reworked draft with amendments to section four on law reform and to the "
    "paragraph on data collection which must never expose individuals our network in the region has "
    "documented arrests raids evictions and the seizure of condoms as evidence access to justice "
    "social protection housing and labour rights belong in every national plan meaningful "
    "participation means paying sex workers for their time and expertise not inviting them to one "
    "meeting at the end the original text confused trafficking with sex work and this version corrects "
    "that we welcome the change but ask for stronger language on stigma discrimination in health "
    "settings confidentiality and the right to refuse mandatory testing"
).split()
CITIES = [
    ("Nairobi", "KE"),
    ("Kampala", "UG"),
    ("Dakar", "SN"),
    ("Lima", "PE"),
    ("Bangkok", "TH"),
    ("Kyiv", "UA"),
    ("Paris", "FR"),
    ("Mexico City", "MX"),
    ("Cape Town", "ZA"),
    ("Delhi", "IN"),
]


def text_of_length(rng: random.Random, length: int) -> str:
    """Return a comment of about ``length`` characters: paragraphs, sometimes a numbered list and a link."""
    paragraphs: list[str] = []
    size = 0
    while size < length:
        roll = rng.random()
        if roll < 0.15:
            items = [
                f"{n}. " + " ".join(rng.choices(WORDS, k=rng.randint(6, 14))).capitalize() + "."
                for n in range(1, rng.randint(3, 5))
            ]
            paragraph = "\n".join(items)
        else:
            sentences = [
                " ".join(rng.choices(WORDS, k=rng.randint(8, 22))).capitalize() + "." for _ in range(rng.randint(2, 5))
            ]
            paragraph = " ".join(sentences)
            if roll > 0.97:
                paragraph += f" See https://example.org/report/{rng.randint(1, 999)}"
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:length].rstrip()


@dataclass
class Row:
    comment: OrgComment
    children: list[Row]


def _allocate_ids(count: int) -> int:
    """Return the first of ``count`` fresh comment ids (the sequence is moved past them afterwards)."""
    last = Comment.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return last + 1


def _insert(model, objects: list, batch: int = 2000) -> None:
    fields = model._meta.local_concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the models' _meta
    rows = [[field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields] for obj in objects]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, rows[start : start + batch])


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), [Comment])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _number(roots: list[Row]) -> None:
    """Set thread id, parent id, level, order in the thread and reply counts, as XtdComment.save() would."""
    for root in roots:
        order = 0

        def visit(row: Row, level: int, parent_id: int, thread_id: int) -> int:
            nonlocal order
            order += 1
            comment = row.comment
            comment.thread_id, comment.parent_id, comment.level, comment.order = thread_id, parent_id, level, order
            comment.nested_count = sum(1 + visit(child, level + 1, comment.id, thread_id) for child in row.children)
            return comment.nested_count

        visit(root, 0, root.comment.id, root.comment.id)


def insert_comments(
    target,
    count: int,
    *,
    seed: int = 1,
    lengths: tuple[int, int] = (200, 3000),
    reply_lengths: tuple[int, int] | None = None,
    new_thread: float = 0.35,
    threads: int | None = None,
    state: str = State.APPROVED,
    users: list | None = None,
    version=None,
    passages: list[tuple[str, str]] | None = None,
) -> list[int]:
    """Insert ``count`` comments on ``target`` in bulk and return their ids, in insertion order.

    Threads are random trees up to ``MAX_LEVEL`` deep: each comment starts a new thread with
    probability ``new_thread`` (or, with ``threads`` given, exactly that many threads are made,
    the other comments replying in them). Texts are ``lengths`` characters long (replies:
    ``reply_lengths``). With ``users``, one comment in five is posted by one of them (signed in).
    With ``passages`` ((anchor, words) of the section's paragraphs), two discussions in five are
    about one of them, quoting it, and an amendment among them proposes new wording for it.
    Approved comments are public; any other state is hidden, as the services would leave it.
    """
    rng = random.Random(seed)
    content_type = ContentType.objects.get_for_model(target)
    first_id = _allocate_ids(count)
    start = timezone.now() - timedelta(days=30)
    roots: list[Row] = []
    rows: list[Row] = []
    open_rows: list[Row] = []  # rows of the current thread that may take a reply
    for index in range(count):
        if threads is not None:
            starts_thread = index < threads
            if not starts_thread:
                open_rows = [row for row in _flatten(rng.choice(roots)) if row.comment.level < MAX_LEVEL]
        else:
            starts_thread = not open_rows or rng.random() < new_thread
        low, high = lengths if starts_thread or reply_lengths is None else reply_lengths
        text = text_of_length(rng, rng.randint(low, high))
        city, country = rng.choice(CITIES)
        comment = OrgComment(
            id=first_id + index,
            content_type_id=content_type.id,
            object_pk=str(target.pk),
            site_id=1,
            user_name=f"Poster {index}",
            user_email=f"poster{index % 997}@example.org",
            # As on a real post, the keyed hash of an address (from the documentation range), never the address.
            address_hash=address_hash(f"192.0.2.{index % 251}"),
            user_url="",
            comment=text,
            comment_html=render_text(text),
            submit_date=start + timedelta(seconds=index * 7),
            is_public=state == State.APPROVED,
            is_removed=False,
            kind=rng.choice(Kind.values),
            organisation_name=f"Organisation {index % 211}",
            city=city,
            country=country,
            on_behalf_of="" if rng.random() < 0.9 else "Regional network",
            language="en",
            display=rng.choice([Display.NAME_AND_ORGANISATION] * 3 + [Display.ORGANISATION_ONLY, Display.ANONYMOUS]),
            state=state,
            state_changed_at=start + timedelta(seconds=index * 7 + 60),
            fingerprint=fingerprint(text),
            form_seconds=rng.randint(20, 900),
            version=version,
        )
        if passages and starts_thread and rng.random() < 0.4:
            comment.passage_key, comment.quote = rng.choice(passages)
            if comment.kind == Kind.AMEND:
                comment.proposal = comment.quote.replace("must do", "must offer, free of charge,")
        comment.comment_ptr_id = comment.xtdcomment_ptr_id = comment.id
        if users and index % 5 == 0:
            comment.user_id = rng.choice(users).pk
        row = Row(comment, [])
        if starts_thread:
            roots.append(row)
            open_rows = [row]
        else:
            parent = rng.choice(open_rows)
            parent.children.append(row)
            comment.level = parent.comment.level + 1
            if comment.level < MAX_LEVEL:
                open_rows.append(row)
        rows.append(row)
    _number(roots)
    objects = [row.comment for row in rows]
    with transaction.atomic():
        _insert(Comment, objects)
        _insert(XtdComment, objects)
        _insert(OrgComment, objects)
        _reset_sequences()
    _analyze(Comment, XtdComment, OrgComment)
    return [obj.id for obj in objects]


def _analyze(*models) -> None:
    """Refresh the planner's statistics, as autovacuum does on a live site after many inserts.

    Without it the planner takes ten thousand rows just inserted for a few dozen, and picks
    nested loops that no real database would run.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _flatten(root: Row) -> list[Row]:
    found = [root]
    for child in root.children:
        found.extend(_flatten(child))
    return found
