"""Writes the moderation desk needs beyond one service call: decisions by name, in bulk and by
campaign group, official replies of the working group, keyword rules and rejection reasons.

Every change of a comment's state still goes through ``comments.services`` (locked, checked,
logged); this module only chooses which service to call and with what reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.lib.cache import bump_generation
from campaign.organisations.models import Organisation
from campaign.organisations.services import OrganisationError
from comments import languages, queue, services
from comments.models import (
    Display,
    KeywordRule,
    Kind,
    ModerationEvent,
    OrgComment,
    Outcome,
    RejectionReason,
    State,
)

APPROVE, REJECT, SPAM, NOT_SPAM = "approve", "reject", "spam", "not_spam"
DECISIONS = (APPROVE, REJECT, SPAM, NOT_SPAM)
WORKING_GROUP = "Working group"
DESK_REASON = "on the desk"


# Public fields a merge copies from the duplicate when the organisation kept has none.
# contact_email is private and stays as it is: a coordinator copies it by hand if it is right.
MERGED_PUBLIC_FIELDS = ("country", "city", "website", "network", "description")


class DeskError(services.CommentError):
    """A desk request that cannot be carried out; str() is shown to the coordinator."""


@dataclass
class BulkResult:
    """What a bulk decision did: how many comments changed, and why the others did not."""

    done: int = 0
    refused: list[str] = field(default_factory=list)


def rejection_message(*, reason: RejectionReason | None, note: str = "", language: str = "en") -> str:
    """Compose what a rejected poster is told: the chosen reason in their mail's language (its
    translation, or the English), then the coordinator's note as written.

    The reason's title is the coordinators' label, in their language: the poster gets its text.
    """
    parts = []
    if reason is not None:
        parts.append(reason.text_in(language))
    if note.strip():
        parts.append(note.strip())
    return "\n\n".join(parts)


def decide(
    *,
    comment: OrgComment,
    decision: str,
    by: AbstractBaseUser,
    reason: RejectionReason | None = None,
    note: str = "",
) -> OrgComment:
    """Apply one coordinator decision by name; raise ``services.InvalidTransition`` when refused.

    A rejection needs a reason: it is mailed to the poster, with the optional note.
    """
    if decision == APPROVE:
        return services.comment_approve(comment=comment, by=by, reason=DESK_REASON)
    if decision == REJECT:
        if reason is None:
            raise DeskError(_("Choose a reason to send to the poster."))
        language = OrgComment.objects.get(pk=comment.pk).mail_language_or_default
        message = rejection_message(reason=reason, note=note, language=language)
        return services.comment_reject(comment=comment, by=by, reason=message)
    if decision == SPAM:
        return services.comment_mark_spam(comment=comment, by=by, reason=DESK_REASON)
    if decision == NOT_SPAM:
        return services.comment_not_spam(comment=comment, by=by, reason=DESK_REASON)
    raise DeskError(_("Unknown decision."))


def decide_many(
    *,
    comment_ids: list[int],
    decision: str,
    by: AbstractBaseUser,
    reason: RejectionReason | None = None,
    note: str = "",
) -> BulkResult:
    """Apply a decision to each comment in turn; one refused transition does not undo the others."""
    if decision == REJECT and reason is None:
        raise DeskError(_("Choose a reason to send to the posters."))
    if decision not in DECISIONS:
        raise DeskError(_("Unknown decision."))
    result = BulkResult()
    for comment in OrgComment.objects.filter(pk__in=comment_ids).only("id").order_by("submit_date", "id"):
        try:
            decide(comment=comment, decision=decision, by=by, reason=reason, note=note)
        except services.InvalidTransition as exc:
            result.refused.append(f"#{comment.pk}: {exc}")
        else:
            result.done += 1
    return result


def decide_group(
    *,
    campaign_group: int,
    state: str,
    decision: str,
    by: AbstractBaseUser,
    reason: RejectionReason | None = None,
    note: str = "",
) -> BulkResult:
    """Apply a decision to every comment of a campaign group that is in the given queue."""
    if state not in State.values:
        raise DeskError(_("Unknown queue."))
    ids = list(
        OrgComment.objects.filter(campaign_group=campaign_group, state=state).order_by().values_list("pk", flat=True)
    )
    return decide_many(comment_ids=ids, decision=decision, by=by, reason=reason, note=note)


def official_reply(*, parent: OrgComment, text: str, language: str, by: AbstractBaseUser) -> OrgComment:
    """Publish a reply on behalf of the working group, signed as the group and never by name.

    The reply is stored through ``comment_submit`` like any other, marked official, and approved
    by the coordinator in the same transaction, so screening (queued on commit) finds it decided.
    """
    target = parent.content_object
    if target is None:
        raise DeskError(_("The page of this comment no longer exists."))
    with transaction.atomic():
        reply = services.comment_submit(
            submission=services.Submission(
                target=target,
                parent=parent,
                text=text,
                kind=Kind.COMMENT,
                # The coordinator's own address (or none): any other would wait for a mailed confirmation.
                email=getattr(by, "email", ""),
                signature=services.Signature(organisation_name=WORKING_GROUP, display=Display.ORGANISATION_ONLY),
                language=language,
            ),
            user=by,
        )
        # Marked before the approval, so no decision notice is mailed to the coordinator.
        OrgComment.objects.filter(pk=reply.pk).update(official=True)
        return services.comment_approve(comment=reply, by=by, reason="official reply")


def keyword_rule_add(*, phrase: str, action: str, by: AbstractBaseUser | None) -> KeywordRule:
    """Add a word or phrase for the screening to hold or treat as spam; refuse a duplicate."""
    phrase = " ".join(phrase.split())
    if not phrase:
        raise DeskError(_("Write a word or phrase."))
    if action not in KeywordRule.Action.values:
        raise DeskError(_("Choose what to do with comments that contain it."))
    if KeywordRule.objects.filter(phrase__iexact=phrase, action=action).exists():
        raise DeskError(_("“%(phrase)s” is already on this list.") % {"phrase": phrase})
    rule = KeywordRule(phrase=phrase, action=action, created_by=by if by and by.is_authenticated else None)
    rule.full_clean()
    rule.save()
    return rule


def keyword_rule_delete(*, rule: KeywordRule) -> None:
    rule.delete()


def rejection_reason_save(
    *,
    reason: RejectionReason | None = None,
    title: str,
    text: str,
    position: int = 0,
    translations: dict[str, str] | None = None,
) -> RejectionReason:
    """Create or change a rejection reason; its title is unique.

    ``translations``: its text in the site's other languages ({"fr": ...}); one left empty sends
    the English text to posters of that language.
    """
    reason = reason or RejectionReason()
    reason.title = " ".join(title.split())
    reason.text = text.strip()
    for language, translated in (translations or {}).items():
        setattr(reason, f"text_{language}", translated.strip())
    reason.position = position
    if RejectionReason.objects.filter(title__iexact=reason.title).exclude(pk=reason.pk).exists():
        raise DeskError(_("A reason with this title exists already."))
    reason.full_clean()
    reason.save()
    return reason


def rejection_reason_delete(*, reason: RejectionReason) -> None:
    """Delete a reason; rejections made with it keep their text in the audit log."""
    reason.delete()


def organisation_merge(*, keep: Organisation, duplicate: Organisation, by: AbstractBaseUser) -> Organisation:
    """Move the duplicate's comments and members to ``keep``, fill its empty public fields, delete the duplicate.

    All or nothing. A verified duplicate passes its verification to an unverified ``keep``:
    both records name the same organisation.
    """
    if keep.pk == duplicate.pk:
        raise OrganisationError(_("Choose two different organisations."))
    with transaction.atomic():
        # Lock both rows in a fixed order, so two merges of the same pair cannot deadlock.
        locked = {o.pk: o for o in Organisation.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk])}
        if len(locked) != 2:
            raise OrganisationError(_("One of these organisations no longer exists."))
        kept, gone = locked[keep.pk], locked[duplicate.pk]
        changed = []
        for name in MERGED_PUBLIC_FIELDS:
            if not getattr(kept, name) and getattr(gone, name):
                setattr(kept, name, getattr(gone, name))
                changed.append(name)
        if kept.verified_at is None and gone.verified_at is not None:
            kept.verified_at, kept.verified_by_id = gone.verified_at, gone.verified_by_id
            changed += ["verified_at", "verified_by"]
        if changed:
            kept.save(update_fields=changed)
        OrgComment.objects.filter(organisation_id=gone.pk).update(organisation_id=kept.pk)
        kept.members.add(*gone.members.all())
        gone.delete()
        # The badge and the organisation's name show beside its comments, on any page.
        transaction.on_commit(bump_generation)
    return kept


def comment_set_language(*, comment: OrgComment, language: str, by: AbstractBaseUser) -> OrgComment:
    """Correct the language a comment is marked and counted in (a detection, or the poster, got it wrong).

    Logged, with the old and the new language; readers' pages are redone when the comment is shown.
    The language of the poster's mail stays as it was: it is the language they were written to.
    """
    if not languages.is_known(language):
        raise DeskError(_("Choose a language from the list."))
    with transaction.atomic():
        locked = OrgComment.objects.select_for_update().get(pk=comment.pk)
        if locked.language == language:
            return locked
        old = locked.language
        OrgComment.objects.filter(pk=locked.pk).update(language=language)
        ModerationEvent.objects.create(
            comment=locked,
            actor=by,
            action=ModerationEvent.Action.LANGUAGE,
            old_state=locked.state,
            new_state=locked.state,
            reason=f"language corrected from {old} to {language}",
        )
        if locked.is_public:
            transaction.on_commit(bump_generation)
        locked.language = language
    return locked


# --- Amendments: the working group's answers ------------------------------------------------------


def amendment_answer(*, comment: OrgComment, outcome: str, reason: str, by: AbstractBaseUser) -> OrgComment:
    """Answer a published amendment for the working group: accepted, accepted in part or declined.

    The answer and its reason are public (shown with the amendment) and mailed to its poster, in
    their language, once per answer given; a changed answer is logged and mailed again.
    """
    if outcome not in Outcome.values:
        raise DeskError(_("Choose an answer: accepted, accepted in part or declined."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise DeskError(_("Give the reason for the answer: readers and the poster see it."))
    with transaction.atomic():
        locked = OrgComment.objects.select_for_update().get(pk=comment.pk)
        if locked.kind != Kind.AMEND or not locked.is_amendment:
            raise DeskError(_("Only an amendment with proposed wording is answered here."))
        if locked.state != State.APPROVED:
            raise DeskError(_("Only a published amendment is answered: this one is not published."))
        if (locked.outcome, locked.outcome_reason) == (outcome, reason):
            return locked
        old = locked.outcome
        locked.outcome, locked.outcome_reason, locked.outcome_at = outcome, reason, timezone.now()
        locked.save(update_fields=["outcome", "outcome_reason", "outcome_at"])
        ModerationEvent.objects.create(
            comment=locked,
            actor=by,
            action=ModerationEvent.Action.ANSWER,
            old_state=locked.state,
            new_state=locked.state,
            reason=f"answered {outcome}" + (f" (was {old})" if old else "") + f": {reason}",
        )
        transaction.on_commit(bump_generation)
        queue.on_commit(queue.SEND_AMENDMENT_ANSWER, locked.pk)
    return locked


def amendment_take_up(*, comment: OrgComment, version, by: AbstractBaseUser) -> OrgComment:
    """Record that a version of the note took an amendment up (or, with ``version`` None, that it did not)."""
    with transaction.atomic():
        locked = OrgComment.objects.select_for_update().get(pk=comment.pk)
        if not locked.is_amendment or locked.state != State.APPROVED:
            raise DeskError(_("Only a published amendment with proposed wording is linked to a version."))
        if version is not None and locked.version_id and version.number <= locked.version.number:
            raise DeskError(_("Link the amendment to a version later than the one it was written on."))
        if locked.taken_up_in_id == (version.pk if version else None):
            return locked
        locked.taken_up_in = version
        locked.save(update_fields=["taken_up_in"])
        ModerationEvent.objects.create(
            comment=locked,
            actor=by,
            action=ModerationEvent.Action.TAKE_UP,
            old_state=locked.state,
            new_state=locked.state,
            reason=f"taken up in version {version.number}" if version else "link to a version removed",
        )
        transaction.on_commit(bump_generation)
    return locked
