"""The links mailed to posters: opaque confirmation tokens (only their hash is stored) and signed,
timestamped links to withdraw, correct, see or erase a comment and to stop follow-up mail.

A leaf: it signs and hashes; looking up the comment a link names, and its lifetime, is the services'.
"""

from __future__ import annotations

import hashlib

from django.core import signing

WITHDRAW_SALT = "comments.withdraw"
MUTE_SALT = "comments.mute"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def withdraw_token(comment) -> str:
    """Sign the comment's number with the time: the link works COMMENTS_WITHDRAW_LINK_DAYS from now."""
    return signing.dumps(comment.pk, salt=WITHDRAW_SALT)


def mute_token(comment) -> str:
    return signing.dumps(comment.pk, salt=MUTE_SALT)
