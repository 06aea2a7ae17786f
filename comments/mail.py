"""Mail to posters, rendered in the poster's language. Called from Celery tasks only.

Every link in a mail is made while the mail's language is active, so it carries that language's
prefix (/fr/..., campaign/lib/i18n.py): the poster lands on pages in the language they were written to.
"""

from __future__ import annotations

import email.policy
import hashlib
import hmac
import textwrap
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from comments import tokens
from comments.models import OrgComment, SentMail


class TextMail(EmailMultiAlternatives):
    """A mail whose text reads as written: links whole, accents as such, in any mail reader or log.

    Python's mail policy folds at 78 characters, so a body with one longer line (a link with its
    token) goes out quoted-printable or base64, and the console or file the embedded demo prints
    to shows "=\n" cut links and "=C3=A9" for "é". Lines up to RFC 5322's 998 characters go as
    they are (8bit); the mails wrap the texts people typed (``quote``), so no line is longer.
    """

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=998))


def quote(text: str, *, limit: int = 4000) -> str:
    """A poster's text as a mail quotes it: each line after "> ", wrapped (no line too long to go as text)."""
    if len(text) > limit:
        text = text[:limit].rstrip() + " […]"
    lines = []
    for line in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(line, width=76, break_long_words=True, break_on_hyphens=False) or [""])
    return "\n".join(f"> {line}".rstrip() for line in lines)


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def reply_to() -> list[str]:
    """The coordinators' address that reads replies, if one is configured; mail never asks a poster
    to reply without one (the sender address reads nothing)."""
    return [settings.COMMENTS_REPLY_TO] if settings.COMMENTS_REPLY_TO else []


def recipient_key(address: str) -> str:
    """A keyed hash of a mail address: enough to tell a recipient again, useless to read one."""
    key = settings.ADDRESS_HMAC_KEY.encode()
    return hmac.new(key, b"mail:" + address.strip().lower().encode(), hashlib.sha256).hexdigest()


def _send_once(*, kind: str, object_key: object, to: str, send: Callable[[], None]) -> bool:
    """Send a mail unless one of this kind, for this object and recipient, was sent already.

    The row is written before sending, in one transaction with it, under the unique constraint: a
    second run (a retry, a redelivered message, two workers at once) waits for the first, then finds
    its row and sends nothing; a send that fails rolls the row back, so the retry sends it.
    """
    try:
        with transaction.atomic():
            SentMail.objects.create(kind=kind, object_key=str(object_key), recipient_key=recipient_key(to))
            send()
    except IntegrityError:
        return False
    return True


def _send(*, to: str, language: str, template: str, context: Callable[[], dict], replies: bool = False) -> None:
    """Render a mail in the recipient's language: its own template where one exists, else the default.

    ``context`` is called with that language active, so the links it reverses carry its prefix.
    """
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        values = context()
        subject = render_to_string(
            [f"comments/email/{language}/{template}_subject.txt", f"comments/email/{template}_subject.txt"], values
        ).strip()
        body = render_to_string([f"comments/email/{language}/{template}.txt", f"comments/email/{template}.txt"], values)
    message = TextMail(subject=" ".join(subject.split()), body=body, to=[to], reply_to=reply_to() if replies else None)
    message.send()


def send_confirmation(comment: OrgComment, token: str) -> None:
    """Ask the poster to confirm their comment; the link carries only an opaque token.

    Whoever typed the address wrote what stands beside it: the mail carries none of it (no text,
    name or organisation), only the links its owner needs, so that a post in someone else's name
    cannot make the site deliver its words to them.
    """
    _send(
        to=comment.user_email,
        language=comment.mail_language_or_default,
        template="confirmation",
        context=lambda: {
            "confirm_url": _absolute(reverse("comments:confirm", kwargs={"token": token})),
            "withdraw_url": _absolute(reverse("comments:withdraw", kwargs={"token": tokens.withdraw_token(comment)})),
            "days": settings.COMMENTS_CONFIRMATION_DAYS,
            "withdraw_days": settings.COMMENTS_WITHDRAW_LINK_DAYS,
        },
    )


def send_followup(comment: OrgComment, *, follower_id: int, email: str, language: str) -> None:
    """Tell a follower that a reply was published in their thread, with a link to stop these mails."""
    follower = OrgComment(pk=follower_id)
    _send_once(
        kind="followup",
        object_key=comment.pk,
        to=email,
        send=lambda: _send(
            to=email,
            language=language,
            template="followup",
            context=lambda: {
                "comment": comment,
                "comment_url": _absolute(comment.get_absolute_url()),
                "mute_url": _absolute(reverse("comments:mute", kwargs={"token": tokens.mute_token(follower)})),
                "mute_days": settings.COMMENTS_MUTE_LINK_DAYS,
            },
        ),
    )


def send_decision(comment: OrgComment) -> None:
    """Tell the poster what was decided, in their language; a rejection carries its reason."""
    reason = ""
    if comment.state == "rejected":
        event = comment.events.filter(new_state="rejected").order_by("-created", "-id").first()
        reason = event.reason if event else ""
    _send_once(
        kind=f"decision_{comment.state}",
        object_key=comment.pk,
        to=comment.user_email,
        send=lambda: _send(
            to=comment.user_email,
            language=comment.mail_language_or_default,
            template=f"decision_{comment.state}",
            replies=True,
            context=lambda: {
                "comment": comment,
                "reason": reason,
                "quoted": quote(comment.comment),
                "reply_to": bool(reply_to()),
                "comment_url": _absolute(comment.get_absolute_url()),
                "withdraw_url": _absolute(
                    reverse("comments:withdraw", kwargs={"token": tokens.withdraw_token(comment)})
                ),
                "withdraw_days": settings.COMMENTS_WITHDRAW_LINK_DAYS,
            },
        ),
    )


def send_amendment_answer(comment: OrgComment) -> None:
    """Tell the poster of an amendment what the working group answered, and why (public, as on the page)."""
    _send_once(
        kind="amendment_answer",
        # One mail per answer given: answered again differently, the poster hears of it again.
        object_key=f"{comment.pk}:{comment.outcome}:{int(comment.outcome_at.timestamp()) if comment.outcome_at else 0}",
        to=comment.user_email,
        send=lambda: _send(
            to=comment.user_email,
            language=comment.mail_language_or_default,
            template="amendment_answer",
            replies=True,
            context=lambda: {
                "comment": comment,
                "outcome": comment.get_outcome_display(),
                "reason": comment.outcome_reason,
                "quoted": quote(comment.quote, limit=1500),
                "proposed": quote(comment.proposal, limit=1500),
                "reply_to": bool(reply_to()),
                "comment_url": _absolute(comment.get_absolute_url()),
            },
        ),
    )


def send_review_digest(*, new: int, waiting: int, period: int) -> None:
    """One mail to every coordinator per digest ``period``: how many comments wait for review."""
    from django.contrib.auth import get_user_model

    coordinators = (
        get_user_model()
        .objects.filter(groups__name="Coordinators", is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    for address in coordinators:
        _send_once(
            kind="review_digest",
            object_key=period,
            to=address,
            send=lambda address=address: _send(
                to=address,
                language=settings.LANGUAGE_CODE,
                template="review_digest",
                context=lambda: {"new": new, "waiting": waiting, "desk_url": _absolute(reverse("desk:home"))},
            ),
        )


def send_private_message(message) -> None:
    """Mail a coordinator's private answer to the poster of the comment (``revisions.PrivateMessage``)."""
    comment = message.comment
    _send(
        to=comment.user_email,
        language=comment.mail_language_or_default,
        template="private_message",
        replies=True,
        context=lambda: {
            "comment": comment,
            "text": message.text,
            "quoted": quote(comment.comment, limit=600),
            "reply_to": bool(reply_to()),
            "comment_url": _absolute(comment.get_absolute_url()) if comment.state == "approved" else "",
        },
    )
