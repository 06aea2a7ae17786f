"""The desk's own sign-in page: in the address's language, behind the same limits as the admin's."""

from __future__ import annotations

from django.test import Client

ADDRESS = "203.0.113.77"
PASSWORD = "a-long-test-password"


def test_the_desk_sends_anonymous_visitors_to_its_own_page_in_their_language(client, db):
    assert client.get("/desk/log/")["Location"] == "/desk/sign-in/?next=/desk/log/"
    assert client.get("/fr/desk/log/")["Location"] == "/fr/desk/sign-in/?next=/fr/desk/log/"


def test_the_page_is_in_french_at_its_french_address_and_never_cached(client, db):
    response = client.get("/fr/desk/sign-in/?next=/fr/desk/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr"' in page
    assert "<h1>Se connecter au bureau de modération</h1>" in page
    assert "Nom d\u2019utilisateur" in page  # Django's own French label
    assert 'name="next" value="/fr/desk/"' in page
    assert "no-store" in response["Cache-Control"]
    assert response.templates[0].name == "desk/sign_in.html"


def test_a_wrong_password_says_so_in_french_and_keeps_the_username(coordinator):
    response = Client(REMOTE_ADDR=ADDRESS).post(
        "/fr/desk/sign-in/?next=/fr/desk/", {"username": "coordinator", "password": "wrong-guess"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Vous n'êtes pas encore connecté·e" in page  # the error summary's heading
    assert "Saisissez un nom d\u2019utilisateur et un mot de passe valides" in page  # Django's French
    assert 'value="coordinator"' in page
    assert page.count("autofocus") == 1  # the error summary's, not the username's as well
    assert "wrong-guess" not in page
    assert "no-store" in response["Cache-Control"]


def test_signing_in_lands_on_next_and_a_foreign_next_on_the_desk(coordinator):
    response = Client(REMOTE_ADDR=ADDRESS).post(
        "/fr/desk/sign-in/?next=/fr/desk/log/", {"username": "coordinator", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/fr/desk/log/"
    response = Client(REMOTE_ADDR=ADDRESS).post(
        "/desk/sign-in/?next=https://evil.example/", {"username": "coordinator", "password": PASSWORD}
    )
    assert response["Location"] == "/desk/"


def test_the_lock_out_applies_on_this_page_and_counts_with_the_admins(coordinator, settings):
    settings.RATELIMIT_SIGN_IN_FAILURES = "3/15m"
    guesser = Client(REMOTE_ADDR=ADDRESS)
    assert guesser.post("/admin/login/", {"username": "coordinator", "password": "wrong"}).status_code == 200
    for _ in range(2):
        assert guesser.post("/desk/sign-in/", {"username": "coordinator", "password": "wrong"}).status_code == 200
    refused = guesser.post("/fr/desk/sign-in/", {"username": "coordinator", "password": PASSWORD})
    assert refused.status_code == 429
    assert "_auth_user_id" not in guesser.session
    assert (
        Client(REMOTE_ADDR="203.0.113.78")
        .post("/desk/sign-in/", {"username": "coordinator", "password": PASSWORD})
        .status_code
        == 302
    )
