"""The two secrets around a subscriber: the keyed hash that finds an address again, and the mailed link's token.

- ``subscriber_key``: a keyed HMAC (``ADDRESS_HMAC_KEY``) of the normalised address, in its own domain
  ("subscriber:"), so it matches no other hash the site keeps. Enough to tell that an address is
  subscribed already, useless to read one.
- ``link_token``: the token in the subscriber's links (confirm, manage, unsubscribe). Every mail must
  carry a working link, and old mails' unsubscribe links must keep working, so the token is not drawn
  afresh for each mail: it is an HMAC, under ``SECRET_KEY``, of a random value kept with the row.
  The row keeps only the token's SHA-256 (``hash_token``) to find the subscriber: a copy of the database
  alone gives no link, and the token says nothing about who holds it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

LINK_SALT = "campaign.subscriptions.link"


def normalise(address: str) -> str:
    return address.strip().lower()


def subscriber_key(address: str) -> str:
    """A keyed hash of a mail address, to find its subscription: the same for every spelling of its case."""
    key = settings.ADDRESS_HMAC_KEY.encode()
    return hmac.new(key, b"subscriber:" + normalise(address).encode(), hashlib.sha256).hexdigest()


def new_nonce() -> str:
    return secrets.token_hex(16)


def link_token(nonce: str) -> str:
    """The token of a subscriber's links: unguessable without SECRET_KEY, the same in every mail."""
    digest = salted_hmac(LINK_SALT, nonce, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
