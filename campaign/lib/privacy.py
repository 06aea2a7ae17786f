"""Client addresses: which one a request came from, and the only form in which the site keeps it.

A poster's address can identify them, so it is never stored, logged or used as a cache key as it
is: ``address_hash`` turns it into a keyed HMAC (key: ``ADDRESS_HMAC_KEY``). The hash is enough to
count posts and sign-in failures per address, and without the key nobody can tell which address
it was (an address has only 2^32 values: an unkeyed hash could be reversed by trying them all).
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """Return the address of the client, as the last trusted proxy saw it ('' when unknown).

    Behind ``TRUSTED_PROXY_COUNT`` proxies (each appends the address it received the request from
    to X-Forwarded-For), the client is that many entries from the end of the header; entries before
    it were written by the client and prove nothing. With no proxy, it is REMOTE_ADDR.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or ""


def address_hash(address: str | None) -> str:
    """Return a keyed HMAC of a client address ('' for none); the address itself is never kept."""
    if not address:
        return ""
    key = settings.ADDRESS_HMAC_KEY.encode()
    return hmac.new(key, address.strip().encode(), hashlib.sha256).hexdigest()


def request_address_hash(request: HttpRequest) -> str:
    """Return the keyed HMAC of the request's client address (see ``client_address``)."""
    return address_hash(client_address(request))
