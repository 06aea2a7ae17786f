"""Rate limits on posting, confirming and signing in, counted per keyed hash of the client address."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import caches
from django.test import Client, RequestFactory

from campaign.lib import privacy, ratelimits
from comments.models import OrgComment
from tests.comments.conftest import confirmation_token, form_data
from tests.system.processes import free_port

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.61"
PASSWORD = "a-long-test-password"


@pytest.fixture
def poster(settings) -> Client:
    return Client(REMOTE_ADDR=ADDRESS)


def cache_keys(prefix: str) -> list[str]:
    """Every key the rate limits wrote (Redis or local memory, whichever the settings name)."""
    cache = caches["default"]
    client = getattr(cache, "_cache", None)
    if isinstance(client, dict):  # LocMemCache
        return [key for key in client if prefix in key]
    redis = cache._cache.get_client()
    return [key.decode() for key in redis.scan_iter(match=f"*{prefix}*")]


# --- Posting ------------------------------------------------------------------------------------------


def test_posting_over_the_limit_keeps_the_text_and_says_when_to_come_back(poster, settings, section):
    settings.RATELIMIT_POST_COMMENT = "2/h"
    for n in range(2):
        response = poster.post("/comments/post/", form_data(section, comment=f"Statement number {n}."))
        assert response.status_code == 302
    response = poster.post("/comments/post/", form_data(section, comment="A third statement, kept."))
    assert response.status_code == 429
    body = response.content.decode()
    assert "Many comments were sent from your connection" in body
    assert "A third statement, kept." in body  # the form comes back as the poster typed it
    assert "Sisters Alliance" in body
    assert OrgComment.objects.count() == 2


def test_the_limit_is_per_address(poster, settings, section):
    settings.RATELIMIT_POST_COMMENT = "1/h"
    assert poster.post("/comments/post/", form_data(section, comment="First.")).status_code == 302
    assert poster.post("/comments/post/", form_data(section, comment="Second.")).status_code == 429
    elsewhere = Client(REMOTE_ADDR="198.51.100.2")
    assert elsewhere.post("/comments/post/", form_data(section, comment="Third.")).status_code == 302


def test_the_limit_page_speaks_the_posters_language(poster, settings, section):
    settings.RATELIMIT_POST_COMMENT = "1/h"
    poster.post("/comments/post/", form_data(section, comment="First."))
    response = poster.post("/fr/comments/post/", form_data(section, comment="Deuxième."))
    assert response.status_code == 429
    assert "Deuxième." in response.content.decode()
    assert "depuis votre connexion" in response.content.decode()


def test_the_counts_are_kept_under_a_keyed_hash_never_the_address(poster, settings, section):
    settings.RATELIMIT_POST_COMMENT = "5/h"
    poster.post("/comments/post/", form_data(section))
    keys = cache_keys(settings.RATELIMIT_CACHE_PREFIX)
    assert len(keys) == 1
    assert ADDRESS not in keys[0]
    request = RequestFactory().post("/", REMOTE_ADDR=ADDRESS)
    key = ratelimits.by_address("comments.post", request)
    assert key == privacy.address_hash(ADDRESS) and ADDRESS not in key


# --- Confirming ---------------------------------------------------------------------------------------


def test_confirming_over_the_limit_gets_a_clear_429(poster, settings, section, django_capture_on_commit_callbacks):
    settings.RATELIMIT_CONFIRM = "1/h"
    with django_capture_on_commit_callbacks(execute=True):
        poster.post("/comments/post/", form_data(section))
    token = confirmation_token(mail.outbox[-1])
    with django_capture_on_commit_callbacks(execute=True):
        assert poster.post(f"/comments/confirm/{token}/").status_code == 200
    response = poster.post(f"/comments/confirm/{token}/")
    assert response.status_code == 429
    assert "Too many confirmations" in response.content.decode()
    assert int(response["Retry-After"]) > 0


# --- Signing in ---------------------------------------------------------------------------------------


def sign_in(client: Client, username: str, password: str):
    return client.post("/admin/login/?next=/desk/", {"username": username, "password": password})


def test_an_account_is_locked_from_one_address_after_repeated_failures(coordinator, settings):
    settings.RATELIMIT_SIGN_IN_FAILURES = "3/15m"
    guesser = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(3):
        assert sign_in(guesser, "coordinator", "wrong-guess").status_code == 200
    refused = sign_in(guesser, "coordinator", PASSWORD)  # even the right password, now
    assert refused.status_code == 429
    assert "Too many sign-in attempts" in refused.content.decode()
    assert "_auth_user_id" not in guesser.session
    # The coordinator, from their own connection, is not locked out by somebody else's guesses.
    assert sign_in(Client(REMOTE_ADDR="198.51.100.9"), "coordinator", PASSWORD).status_code == 302


def test_the_lock_counts_every_spelling_django_signs_in_as_the_same_account(coordinator, settings):
    """Full-width letters (and padding) name the same account once Django has NFKC-normalised them."""
    settings.RATELIMIT_SIGN_IN_FAILURES = "3/15m"
    guesser = Client(REMOTE_ADDR=ADDRESS)
    full_width = "".join(chr(ord(letter) + 0xFEE0) for letter in "coordinator")  # U+FF43...
    for spelling in (full_width, " coordinator ", "coord" + full_width[5:]):
        assert sign_in(guesser, spelling, "wrong-guess").status_code == 200
    assert sign_in(guesser, full_width, PASSWORD).status_code == 429
    assert sign_in(guesser, "coordinator", PASSWORD).status_code == 429
    assert "_auth_user_id" not in guesser.session


def test_failures_on_one_account_do_not_lock_another(coordinator, stranger, settings):
    settings.RATELIMIT_SIGN_IN_FAILURES = "2/15m"
    client = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(2):
        sign_in(client, "stranger", "wrong-guess")
    assert sign_in(client, "stranger", PASSWORD).status_code == 429
    assert sign_in(client, "coordinator", PASSWORD).status_code == 302


def test_a_successful_sign_in_is_not_counted_as_a_failure(coordinator, settings):
    settings.RATELIMIT_SIGN_IN_FAILURES = "1/15m"
    client = Client(REMOTE_ADDR=ADDRESS)
    assert sign_in(client, "coordinator", PASSWORD).status_code == 302
    client.logout()
    assert sign_in(client, "coordinator", PASSWORD).status_code == 302


def test_sign_in_attempts_from_one_address_are_limited(coordinator, settings):
    settings.RATELIMIT_SIGN_IN = "2/h"
    client = Client(REMOTE_ADDR=ADDRESS)
    sign_in(client, "someone", "x")
    sign_in(client, "someone-else", "y")
    assert sign_in(client, "coordinator", PASSWORD).status_code == 429


def test_the_sign_in_page_itself_is_never_limited(settings):
    settings.RATELIMIT_SIGN_IN = "1/h"
    client = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(3):
        assert client.get("/admin/login/").status_code == 200


# --- When the cache is down ------------------------------------------------------------------------------


@pytest.fixture
def cache_down(settings):
    """The rate limits' cache is a Redis server that does not answer (nothing listens on the port)."""
    settings.CACHES = {
        **settings.CACHES,
        "down": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    settings.RATELIMIT_USE_CACHE = "down"


def test_posting_goes_on_when_the_cache_is_down(cache_down, poster, section):
    assert poster.post("/comments/post/", form_data(section)).status_code == 302
    assert OrgComment.objects.count() == 1


def test_signing_in_is_refused_when_the_cache_is_down(cache_down, coordinator):
    assert sign_in(Client(REMOTE_ADDR=ADDRESS), "coordinator", PASSWORD).status_code == 429


# --- The client address ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "10.0.0.5"),  # no proxy trusted: the header is the client's own word
        (1, "", "10.0.0.5"),  # no header: the connection's address
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "203.0.113.250, 192.0.2.1", "192.0.2.1"),  # a forged first entry is ignored
        (2, "203.0.113.250, 192.0.2.1, 10.1.1.1", "192.0.2.1"),
    ],
)
def test_the_client_address_is_read_from_trusted_proxies_only(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded)
    assert privacy.client_address(request) == expected


def test_guesses_from_a_signed_in_session_count_too(coordinator, stranger, settings):
    settings.RATELIMIT_SIGN_IN_FAILURES = "2/15m"
    client = Client(REMOTE_ADDR=ADDRESS)
    assert sign_in(client, "coordinator", PASSWORD).status_code == 302
    for _ in range(2):
        assert sign_in(client, "stranger", "wrong-guess").status_code == 200
    assert sign_in(client, "stranger", PASSWORD).status_code == 429
