"""Every write to comments goes through here: submit, confirm, decide, withdraw, mute.

Each change of state is made under ``select_for_update``, checked against the
allowed transitions, written to the ``ModerationEvent`` audit log, and followed by
a recomputation of ``is_public`` for the comment and its replies. Side effects
(mail, cache invalidation) are queued with ``transaction.on_commit``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_comments.models import Comment

from campaign.lib.cache import bump_generation
from campaign.lib.privacy import address_hash
from comments import languages, queue, screening, tokens
from comments.models import Display, Kind, MinHashBand, ModerationEvent, OrgComment, State
from comments.text import clean_text, fingerprint, render_text

Action = ModerationEvent.Action

# Which state may follow which. Anything else is refused: a decision is never applied twice.
TRANSITIONS: dict[str, set[str]] = {
    State.UNCONFIRMED: {State.PENDING, State.WITHDRAWN},
    State.PENDING: {State.REVIEW, State.SPAM, State.APPROVED, State.REJECTED, State.WITHDRAWN},
    State.REVIEW: {State.APPROVED, State.REJECTED, State.SPAM, State.WITHDRAWN},
    # A poster may withdraw (or erase) their comment whatever was decided about it.
    State.SPAM: {State.REVIEW, State.APPROVED, State.REJECTED, State.WITHDRAWN},
    State.APPROVED: {State.REJECTED, State.WITHDRAWN, State.SPAM},
    State.REJECTED: {State.APPROVED, State.REVIEW, State.WITHDRAWN},
    State.WITHDRAWN: set(),
}

# States whose comment lets the replies under it be shown: a withdrawn comment hides only itself
# (the thread shows a placeholder in its place), not what others answered it.
PASSES_REPLIES = {State.APPROVED, State.WITHDRAWN}

# Decisions by coordinators in these states teach the classifier spam (SPAM) or ham (the others).
LEARNED_STATES = {State.SPAM, State.APPROVED, State.REJECTED, State.REVIEW}

# What a link says when it is forged, mistyped, replaced or past its lifetime: one answer for all.
CONFIRMATION_LINK_INVALID = gettext_lazy("This confirmation link is not valid or has expired.")
WITHDRAW_LINK_INVALID = gettext_lazy("This link to your comment is not valid or has expired.")
MUTE_LINK_INVALID = gettext_lazy("This link is not valid or has expired.")


class CommentError(Exception):
    """A submission or a decision that cannot be carried out; str() is shown to the person."""


class InvalidTransition(CommentError):
    pass


class DuplicateComment(CommentError):
    """A signed-in member already sent the same text to the same page; the earlier comment is kept.

    Only a member's own account is looked up, never a typed email: the answer tells them nothing
    about anybody else (see ``comment_submit``).
    """

    def __init__(self, earlier: OrgComment) -> None:
        self.earlier = earlier
        super().__init__(
            _("You already sent this comment; we have kept it and will not publish it twice.")
            if earlier.state != State.UNCONFIRMED
            else _("You already sent this comment. Please open the confirmation link we mailed you.")
        )


def hash_client_address(address: str | None) -> str:
    """Return a keyed HMAC of a client address ('' for none); the address itself is never kept."""
    return address_hash(address)


def max_thread_level() -> int:
    return settings.COMMENTS_XTD_MAX_THREAD_LEVEL


@dataclass(frozen=True)
class Signature:
    """How a poster signs: what they typed and what they allow to be shown."""

    name: str = ""
    organisation_name: str = ""
    city: str = ""
    country: str = ""
    on_behalf_of: str = ""
    display: str = Display.ANONYMOUS
    show_country: bool = True


def checked_text(text: str) -> str:
    """Return a comment's text cleaned; raise ``CommentError`` for an empty or too long one."""
    text = clean_text(text)
    if not text.strip():
        raise CommentError(_("Please write your comment."))
    if len(text) > settings.COMMENTS_TEXT_MAX_LENGTH:
        raise CommentError(
            _("Your comment has %(count)d characters; the limit is %(limit)d.")
            % {"count": len(text), "limit": settings.COMMENTS_TEXT_MAX_LENGTH}
        )
    return text


@dataclass(frozen=True)
class Submission:
    """A comment as its poster sent it (the comment form builds it): what they wrote, how they sign, where."""

    target: models.Model
    text: str
    kind: str
    email: str
    signature: Signature
    language: str
    parent: OrgComment | None = None
    version: object | None = None  # the published version the poster was reading
    followup: bool = False
    form_seconds: int | None = None  # from the form's signed render time to the post
    honeypot_filled: bool = False
    passage_key: str = ""  # the passage of the section it is about (guidance.passages)
    quote: str = ""  # the words of that passage it quotes (the whole passage, or a selection)
    proposal: str = ""  # an amendment's proposed wording for the quoted words


def comment_submit(
    *, submission: Submission, user: AbstractBaseUser | None = None, client_address: str | None = None
) -> OrgComment:
    """Store a new comment, hidden, and queue its confirmation mail or its screening.

    A signed-in member who posts with their account's address skips email confirmation; any other
    address is confirmed by mail, whoever types it. Raises ``CommentError`` for a reply that cannot
    be made (hidden parent, other page, too deep).

    What happens here must not depend on who wrote the comments already stored: a visitor who
    types someone's address beside a published text must get the answer, the mail and the timing
    that any address gets. So nothing is looked up by the typed email: a poster who sends the same
    text twice hears of it when they confirm it (``comment_confirm``), through the link that only
    their mailbox received. A member's own earlier comments are theirs to know, by account.
    """
    target, parent, signature = submission.target, submission.parent, submission.signature
    kind, email, language = submission.kind, submission.email, submission.language
    text = checked_text(submission.text)
    if kind not in Kind.values:
        raise CommentError(_("Choose what kind of statement this is."))
    content_type = ContentType.objects.get_for_model(target)
    if parent is not None:
        if parent.content_type_id != content_type.id or parent.object_pk != str(target.pk):
            raise CommentError(_("You can only reply to a comment on the same page."))
        if not parent.is_public or parent.state != State.APPROVED:
            raise CommentError(_("This comment cannot be replied to."))
        if parent.level >= max_thread_level():
            raise CommentError(
                _("Replies can be nested %(levels)d levels deep; please reply to an earlier comment in this thread.")
                % {"levels": max_thread_level()}
            )
    signed_in = user is not None and user.is_authenticated
    email = email.strip()
    # The account's address stands confirmed (accounts are made by coordinators); a typed other one
    # proves nothing, and is confirmed by mail like everyone's.
    account_email = (getattr(user, "email", "") or "").strip()
    by_account = signed_in and email.casefold() == account_email.casefold()
    text_fingerprint = fingerprint(text)
    if signed_in:
        earlier = (
            OrgComment.objects.for_target(target)
            .filter(user=user, fingerprint=text_fingerprint)
            .exclude(state__in=[State.WITHDRAWN, State.REJECTED])
            .first()
        )
        if earlier is not None:
            # The same member sent the same text again (a double click, a second try): keep one.
            raise DuplicateComment(earlier)
    now = timezone.now()
    comment = OrgComment(
        content_type=content_type,
        object_pk=str(target.pk),
        site_id=settings.SITE_ID,
        user=user if signed_in else None,
        user_name=signature.name[:50],
        user_email=email,
        user_url="",
        comment=text,
        comment_html=render_text(text),
        submit_date=now,
        ip_address=None,
        is_public=False,
        parent_id=parent.pk if parent else 0,
        followup=submission.followup,
        kind=kind,
        organisation_name=signature.organisation_name,
        city=signature.city,
        country=signature.country,
        on_behalf_of=signature.on_behalf_of,
        display=signature.display,
        show_country=signature.show_country,
        language=language,
        # Mail goes out in the comment's language if the site speaks it, else in the page's.
        mail_language=languages.mail_language(language, translation.get_language()),
        version=submission.version,
        passage_key=submission.passage_key,
        quote=submission.quote,
        proposal=submission.proposal,
        state=State.PENDING if by_account else State.UNCONFIRMED,
        state_changed_at=now,
        fingerprint=text_fingerprint,
        form_seconds=submission.form_seconds,
        honeypot_filled=submission.honeypot_filled,
        address_hash=hash_client_address(client_address),
        confirmed_at=now if by_account else None,
    )
    comment.full_clean(exclude=["comment", "user_email", "content_type", "site", "user"])
    with transaction.atomic():
        # XtdComment.save() inserts, then computes the thread position. It raises after the
        # insert when the thread is too deep; the checks above and this block keep a stray row out.
        comment.save()
        ModerationEvent.objects.create(
            comment=comment, actor=None, action=Action.SUBMIT, old_state="", new_state=State.UNCONFIRMED
        )
        if by_account:
            ModerationEvent.objects.create(
                comment=comment,
                actor=comment.user,
                action=Action.CONFIRM,
                old_state=State.UNCONFIRMED,
                new_state=State.PENDING,
                reason="signed in, with the account's address",
            )
            transaction.on_commit(lambda: after_pending(comment.pk), robust=True)
        else:
            queue.on_commit(queue.SEND_CONFIRMATION, comment.pk)
    return comment


def after_pending(comment_id: int) -> None:
    """Hand a newly pending comment to the task COMMENTS_ON_PENDING names (the screening; '' for none)."""
    if settings.COMMENTS_ON_PENDING:
        queue.send(settings.COMMENTS_ON_PENDING, comment_id)


def stale_pending_ids(*, older_than) -> list[int]:
    """Return the ids of comments pending for longer than ``older_than`` (a timedelta)."""
    cutoff = timezone.now() - older_than
    return list(
        OrgComment.objects.filter(state=State.PENDING, state_changed_at__lt=cutoff)
        .order_by("state_changed_at")
        .values_list("pk", flat=True)[:1000]
    )


def unmailed_unconfirmed_ids(*, older_than) -> list[int]:
    """Return unconfirmed comments whose confirmation mail never went out (a lost message)."""
    cutoff = timezone.now() - older_than
    return list(
        OrgComment.objects.filter(state=State.UNCONFIRMED, confirmation_hash="", submit_date__lt=cutoff)
        .order_by("submit_date")
        .values_list("pk", flat=True)[:1000]
    )


def issue_confirmation_token(*, comment_id: int) -> str | None:
    """Create a fresh opaque token for an unconfirmed comment; store only its hash.

    Returns None when the comment no longer waits for confirmation.
    """
    token = secrets.token_urlsafe(32)
    updated = OrgComment.objects.filter(pk=comment_id, state=State.UNCONFIRMED).update(
        confirmation_hash=tokens.hash_token(token)
    )
    return token if updated else None


def confirmation_link_works(token: str) -> bool:
    """Whether a confirmation link may still be used (or say that it was)."""
    return _live_confirmation_links(token).exists()


def _live_confirmation_links(token: str):
    """The comment a confirmation token names, while its link lasts: COMMENTS_CONFIRMATION_DAYS from posting.

    The limit holds in every state: a link kept in a mailbox must not tell its holder, months later,
    whether the comment was published or withdrawn. Past it the link answers as a forged one.
    """
    since = timezone.now() - timedelta(days=settings.COMMENTS_CONFIRMATION_DAYS)
    return OrgComment.objects.filter(confirmation_hash=tokens.hash_token(token), submit_date__gt=since)


@dataclass(frozen=True)
class Confirmation:
    """What a confirmation link did: ``confirmed_now`` is False for a link used before.

    ``kept`` is the earlier comment this one repeated (the same text from the same mailbox, on the
    same page): this one was then erased rather than sent on, and only the mailbox's holder is told.
    """

    comment: OrgComment
    confirmed_now: bool
    kept: OrgComment | None = None


def comment_confirm(*, token: str) -> Confirmation:
    """Confirm the comment the token points at, or fold it into the same poster's earlier copy.

    A token that was already used returns the comment, not confirmed now; an unknown one raises.
    The token proves the mailbox: only now may the comment be matched with others from the same
    address, and only its holder sees what the match found.
    """
    if not token or len(token) > 200:
        raise CommentError(str(CONFIRMATION_LINK_INVALID))
    with transaction.atomic():
        comment = _live_confirmation_links(token).select_for_update().first()
        if comment is None:
            raise CommentError(str(CONFIRMATION_LINK_INVALID))
        if comment.state != State.UNCONFIRMED:
            return Confirmation(comment, confirmed_now=False)
        kept = _earlier_copy(comment)
        if kept is not None:
            reason = "a second copy of its poster's comment"
            _transition(comment, State.WITHDRAWN, action=Action.WITHDRAW, reason=reason)
            _erase_locked(comment, reason="the second copy of a comment, erased when its poster confirmed it")
            comment.refresh_from_db()
            return Confirmation(comment, confirmed_now=True, kept=kept)
        comment.confirmed_at = timezone.now()
        comment.confirmed_by_mail = True
        comment.save(update_fields=["confirmed_at", "confirmed_by_mail"])
        _transition(comment, State.PENDING, action=Action.CONFIRM, actor=None, reason="confirmed by email")
        transaction.on_commit(lambda: after_pending(comment.pk), robust=True)
    return Confirmation(comment, confirmed_now=True)


def _earlier_copy(comment: OrgComment) -> OrgComment | None:
    """The same text on the same page, confirmed earlier from the same mailbox and still standing.

    Not one in the spam folder: a poster who tries again after their comment went there must reach
    a coordinator (the screening holds the repeat for review), not be folded into the spam.
    """
    return (
        OrgComment.objects.filter(
            content_type_id=comment.content_type_id,
            object_pk=comment.object_pk,
            fingerprint=comment.fingerprint,
            user_email__iexact=comment.user_email,
            confirmed_by_mail=True,
        )
        .exclude(pk=comment.pk)
        .exclude(state__in=[State.UNCONFIRMED, State.WITHDRAWN, State.REJECTED, State.SPAM])
        .order_by("submit_date")
        .first()
    )


def comment_approve(*, comment: OrgComment, by: AbstractBaseUser | None, reason: str = "", score=None) -> OrgComment:
    """Publish a comment (and any replies that were waiting only for it)."""
    return change_state(
        comment=comment, new_state=State.APPROVED, action=Action.APPROVE, by=by, reason=reason, score=score
    )


def comment_reject(*, comment: OrgComment, by: AbstractBaseUser | None, reason: str = "") -> OrgComment:
    return change_state(comment=comment, new_state=State.REJECTED, action=Action.REJECT, by=by, reason=reason)


def comment_mark_spam(*, comment: OrgComment, by: AbstractBaseUser | None, reason: str = "", score=None) -> OrgComment:
    return change_state(comment=comment, new_state=State.SPAM, action=Action.SPAM, by=by, reason=reason, score=score)


def apply_screening(
    comment: OrgComment, decision: str, *, reason: str, score: float, findings: list | None = None, **screened
) -> None:
    """Record the screening's decision on a comment the caller has locked.

    ``findings``: for the audit log, to tell ``reason`` again in a coordinator's language (without
    them, the log shows ``reason`` as written).
    ``screened``: the screening's other columns (reasons, signature...), written in the same UPDATE.
    """
    _transition(
        comment,
        decision,
        action=Action.SCREEN,
        actor=None,
        reason=reason,
        score=score,
        fields=screened,
        findings=findings,
    )


def comment_screen(*, comment_id: int) -> str | None:
    """Screen a pending comment and record the decision; do nothing if it is no longer pending.

    The comment is locked (``select_for_update``) while its state is checked and the decision
    recorded, so a comment is never decided twice. With Akismet, the checks run before the lock
    (they wait on another host) and the state is checked again under it; without, the checks run
    under the lock, and the comment is read once.
    """
    if settings.AKISMET_API_KEY:
        comment = _load_pending(comment_id)
        if comment is None or comment.state != State.PENDING:
            return None
        result = screening.screen(comment)
        with transaction.atomic():
            locked = _load_pending(comment_id, lock=True)
            if locked.state != State.PENDING:
                return None
            return _record_screening(locked, result)
    with transaction.atomic():
        comment = _load_pending(comment_id, lock=True)
        if comment is None or comment.state != State.PENDING:
            return None
        return _record_screening(comment, screening.screen(comment))


def _load_pending(comment_id: int, *, lock: bool = False) -> OrgComment | None:
    comments = OrgComment.objects.order_by()
    if lock:
        # The comment's own row: every other change of state locks it too (services.change_state).
        comments = comments.select_for_update(of=("self",))
    return comments.filter(pk=comment_id).first()


def _record_screening(comment: OrgComment, result: screening.Screening) -> str:
    """Write a screening's outcome on a comment locked by the caller, pending still."""
    if result.campaign_group is not None:
        # The first comment of a campaign joins its own group, so the desk counts it too.
        OrgComment.objects.filter(pk=result.campaign_group, campaign_group__isnull=True).update(
            campaign_group=result.campaign_group
        )
    _store_signature(comment.pk, result.minhash)
    apply_screening(
        comment,
        result.decision,
        reason=result.summary(),
        findings=result.findings(),
        score=result.total,
        spam_reasons=result.reasons(),
        minhash=result.minhash,
        campaign_group=result.campaign_group,
    )
    return result.decision


def _store_signature(comment_id: int, signature: list[int]) -> None:
    """Index a screened comment's signature bands, so later comments find it as a candidate.

    A comment is screened once (only a pending comment is, and none goes back to pending).
    One multi-row INSERT, written out: ``bulk_create`` would also build sixteen model instances and
    read their new ids back, for a table that is only ever searched by key.
    """
    keys = screening.band_keys(signature)
    if not keys:
        return
    table, comment_column, key_column = screening.band_table()
    rows = ", ".join(["(%s, %s)"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({comment_column}, {key_column}) VALUES {rows}",  # noqa: S608 - names from _meta
            [value for key in keys for value in (comment_id, key)],
        )


def comment_not_spam(*, comment: OrgComment, by: AbstractBaseUser | None, reason: str = "") -> OrgComment:
    """Undo a spam decision: the comment goes back to the review queue, and the classifier unlearns it."""
    return change_state(comment=comment, new_state=State.REVIEW, action=Action.NOT_SPAM, by=by, reason=reason)


def comment_withdraw(*, comment: OrgComment) -> OrgComment:
    """Withdraw a comment at its poster's request; it disappears everywhere, and the replies others
    wrote under it stay, under a placeholder (``refresh_visibility``)."""
    return change_state(
        comment=comment, new_state=State.WITHDRAWN, action=Action.WITHDRAW, by=None, reason="withdrawn by its poster"
    )


# What erasure empties: everything the poster wrote or that points at them. The row itself stays, as
# a tombstone, so that the thread's structure and the audit log (dates and decisions) hold together.
ERASED_FIELDS = {
    "user": None,
    "user_name": "",
    "user_email": "",
    "user_url": "",
    "comment": "",
    "comment_html": "",
    "organisation_name": "",
    "organisation": None,
    "city": "",
    "country": "",
    "on_behalf_of": "",
    "address_hash": "",
    "confirmation_hash": "",
    "fingerprint": "",
    "minhash": [],
    "campaign_group": None,
    "spam_reasons": [],
    "confirmed_by_mail": False,
    "followup": False,
}


def comment_erase(*, comment: OrgComment) -> OrgComment:
    """Erase a comment's personal data at its poster's request, withdrawing it first; return the fresh row.

    Its text, signature, email and address hash are emptied, and so is everything worked out from
    the text (its fingerprint, its near-duplicate signature and that signature's index, its
    campaign group, the screening's findings), so no copy of them is left in the database and no
    later comment can be matched against it; the comment disappears from the site, and the replies
    others wrote under it stay under a placeholder (as when it is withdrawn). The next fit of the
    classifier no longer sees the text, since it learns from stored comments. Erasing twice is harmless.
    """
    with transaction.atomic():
        locked = OrgComment.objects.select_for_update().get(pk=comment.pk)
        if locked.state != State.WITHDRAWN:
            _transition(locked, State.WITHDRAWN, action=Action.WITHDRAW, reason="withdrawn by its poster")
        _erase_locked(locked, reason="personal data erased at its poster's request")
    locked.refresh_from_db()
    return locked


def _erase_locked(comment: OrgComment, *, reason: str) -> None:
    """Empty a withdrawn comment the caller has locked of all it holds from and about its poster."""
    OrgComment.objects.filter(pk=comment.pk).update(**ERASED_FIELDS)
    MinHashBand.objects.filter(comment_id=comment.pk).delete()
    # Corrections the poster proposed are their text too.
    comment.revisions.all().delete()
    # The screening's findings may quote the text (the listed words it contained): the decisions,
    # their dates and scores stay.
    comment.events.filter(action=Action.SCREEN).update(reason="", findings=None)
    ModerationEvent.objects.create(
        comment=comment,
        action=Action.ERASE,
        old_state=State.WITHDRAWN,
        new_state=State.WITHDRAWN,
        reason=reason,
    )


def purge_address_hashes(*, older_than) -> int:
    """Empty the address hashes of comments submitted more than ``older_than`` (a timedelta) ago."""
    cutoff = timezone.now() - older_than
    return OrgComment.objects.filter(submit_date__lt=cutoff).exclude(address_hash="").update(address_hash="")


def purge_unconfirmed(*, older_than) -> int:
    """Delete the comments never confirmed within ``older_than`` (their link has expired); return how many.

    Nobody but their poster ever saw them, and the poster can no longer confirm them: keeping
    their email and text would serve nobody. Their audit entries go with them; a reply cannot
    hang under them (only public comments take replies), but their own ancestors counted them in
    ``nested_count``, which is set right.
    """
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        expired = list(
            OrgComment.objects.select_for_update()
            .filter(state=State.UNCONFIRMED, submit_date__lt=cutoff)
            .values_list("pk", "parent_id")
        )
        if not expired:
            return 0
        ids = [pk for pk, _ in expired]
        for pk, parent_id in expired:
            ancestor = parent_id
            while ancestor != pk:
                OrgComment.objects.filter(pk=ancestor).update(nested_count=models.F("nested_count") - 1)
                row = OrgComment.objects.filter(pk=ancestor).values_list("parent_id", flat=True).first()
                if row is None or row == ancestor:
                    break
                ancestor = row
        ModerationEvent.objects.filter(comment_id__in=ids).delete()
        OrgComment.objects.filter(pk__in=ids).delete()
    return len(ids)


def change_state(
    *,
    comment: OrgComment,
    new_state: str,
    action: str,
    by: AbstractBaseUser | None,
    reason: str = "",
    score=None,
    notify: bool = True,
) -> OrgComment:
    """Move a comment to a new state, locked, checked and logged; return the fresh row.

    ``notify=False`` skips the mail telling the poster (for sample content).
    """
    with transaction.atomic():
        locked = OrgComment.objects.select_for_update().get(pk=comment.pk)
        _transition(locked, new_state, action=action, actor=by, reason=reason, score=score, notify=notify)
    return locked


def _transition(
    comment: OrgComment,
    new_state: str,
    *,
    action: str,
    actor=None,
    reason: str = "",
    score=None,
    notify: bool = True,
    fields: dict | None = None,
    findings: list | None = None,
) -> None:
    """Apply a transition to a row already locked by the caller (``fields``: more columns to set;
    ``findings``: a screening's, for its audit event)."""
    old_state = comment.state
    if new_state not in TRANSITIONS[old_state]:
        raise InvalidTransition(
            _("A comment that is “%(old)s” cannot become “%(new)s”.")
            % {"old": State(old_state).label, "new": State(new_state).label}
        )
    comment.state = new_state
    comment.state_changed_at = timezone.now()
    if score is not None:
        comment.spam_score = score
    for name, value in (fields or {}).items():
        setattr(comment, name, value)
    OrgComment.objects.filter(pk=comment.pk).update(
        state=new_state, state_changed_at=comment.state_changed_at, spam_score=comment.spam_score, **(fields or {})
    )
    ModerationEvent.objects.create(
        comment=comment,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        old_state=old_state,
        new_state=new_state,
        reason=reason,
        score=score,
        findings=findings,
    )
    was_public = comment.is_public
    if was_public or new_state == State.APPROVED:
        # Otherwise the comment stays hidden, and so do its replies: nothing to recompute.
        refresh_visibility(comment)
    if comment.is_public and not was_public and comment.level > 0:
        queue.on_commit(queue.NOTIFY_FOLLOWERS, comment.pk)
    if actor is not None and actor.is_authenticated and new_state in LEARNED_STATES:
        # Every coordinator decision teaches the classifier (and a reversed one is unlearned), at the
        # next retrain: the delay lets a burst of decisions share one.
        queue.on_commit(queue.TRAIN_CLASSIFIER, countdown=settings.COMMENTS_CLASSIFIER_RETRAIN_SECONDS)
    if notify and new_state in (State.APPROVED, State.REJECTED) and not comment.official:
        queue.on_commit(queue.SEND_DECISION_NOTICE, comment.pk)
    if comment.official and comment.is_public and not was_public and settings.COMMENTS_ON_OFFICIAL_REPLY:
        # The working group answered in public: the task the setting names tells whoever asked for such
        # news (campaign.subscriptions), which comments knows only by that name.
        queue.on_commit(settings.COMMENTS_ON_OFFICIAL_REPLY, comment.pk)
    if was_public or comment.is_public:
        # Only what readers can see invalidates their pages: screening (pending to review or spam)
        # changes none, and under a stream of posts it would otherwise empty the page cache every second.
        transaction.on_commit(lambda: invalidate_target(comment.content_type_id, comment.object_pk), robust=True)


def refresh_visibility(comment: OrgComment) -> None:
    """Recompute ``is_public`` for a comment and its replies: approved, under approved ancestors only.

    This replaces django-comments-xtd's pre_save hook, which copies a parent's public
    flag onto every reply and so would publish replies still waiting for moderation.
    A comment its poster withdrew keeps ``is_public`` (``PASSES_REPLIES``): ``visible()`` hides it
    by its state, the replies others wrote under it stay, and the thread shows a placeholder.
    ``is_public`` is a column of django-contrib-comments' table: it is updated there directly
    (through the child model, Django would first read the ids, one query more).
    """
    if comment.level == 0 or comment.parent_id == comment.pk:
        parent_public = True
    else:
        parent_public = OrgComment.objects.filter(pk=comment.parent_id).values_list("is_public", flat=True).first()
    comment.is_public = bool(parent_public) and comment.state in PASSES_REPLIES
    Comment.objects.filter(pk=comment.pk).update(is_public=comment.is_public)
    if not comment.nested_count:
        # django-comments-xtd counts the replies ever made under a comment: none, nothing to do.
        return
    frontier = {comment.pk: comment.is_public}
    while frontier:
        children = list(
            OrgComment.objects.filter(parent_id__in=list(frontier), thread_id=comment.thread_id)
            .exclude(pk__in=list(frontier))
            .values_list("pk", "parent_id", "state")
        )
        next_frontier: dict[int, bool] = {}
        for pk, parent_id, state in children:
            next_frontier[pk] = frontier[parent_id] and state in PASSES_REPLIES
        for public in (True, False):
            ids = [pk for pk, value in next_frontier.items() if value is public]
            if ids:
                Comment.objects.filter(pk__in=ids).update(is_public=public)
        frontier = next_frontier


def invalidate_target(content_type_id: int, object_pk: str) -> None:
    """Tell the page cache that a target's comments changed: every cached page misses once.

    One site-wide generation rather than a list of pages: a comment shows on its page, the
    document's counts, the endorsers, the feeds... (see campaign.lib.cache).
    """
    bump_generation()


def comment_from_withdraw_token(token: str) -> OrgComment:
    """The comment a withdraw (or own-data) link names; an expired link raises as a forged one does."""
    return _signed_comment(
        token, salt=tokens.WITHDRAW_SALT, days=settings.COMMENTS_WITHDRAW_LINK_DAYS, invalid=WITHDRAW_LINK_INVALID
    )


def _signed_comment(token: str, *, salt: str, days: int, invalid) -> OrgComment:
    """Read a signed, timestamped comment number; past ``days``, or unknown, raise ``invalid``.

    An expired signature and a forged one give the same error, so an old link tells its holder
    nothing, not even that it once worked.
    """
    try:
        comment_id = signing.loads(token, salt=salt, max_age=timedelta(days=days))
    except signing.BadSignature:  # SignatureExpired too
        raise CommentError(str(invalid)) from None
    comment = OrgComment.objects.filter(pk=comment_id).first()
    if comment is None:
        raise CommentError(str(invalid))
    return comment


def comment_mute(*, token: str) -> int:
    """Stop follow-up mail for the thread behind a mute link; return how many comments were muted."""
    comment = _signed_comment(
        token, salt=tokens.MUTE_SALT, days=settings.COMMENTS_MUTE_LINK_DAYS, invalid=MUTE_LINK_INVALID
    )
    return OrgComment.objects.filter(thread_id=comment.thread_id, user_email=comment.user_email).update(followup=False)


def followers_of(comment: OrgComment) -> list[tuple[int, str, str]]:
    """Return (comment id, email, mail language) of each other poster following the thread, once per email."""
    rows = (
        OrgComment.objects.visible()
        .filter(thread_id=comment.thread_id, followup=True)
        .exclude(user_email=comment.user_email)
        .exclude(user_email="")
        .order_by("submit_date")
        .values_list("pk", "user_email", "mail_language", "language")
    )
    seen: dict[str, tuple[int, str, str]] = {}
    for pk, email, mail_language, language in rows:
        seen.setdefault(email.lower(), (pk, email, mail_language or languages.mail_language(language)))
    return list(seen.values())
