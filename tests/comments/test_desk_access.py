"""Every desk URL, found by walking the URLconf, is closed to anonymous visitors and strangers.

A URL added under /desk/ is picked up here without anyone listing it, so it cannot be forgotten.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from comments.models import KeywordRule, RejectionReason
from tests import factories
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.django_db

# The desk URLs that are pages (GET); every other desk URL is an action that takes POST only.
PAGES = {
    "desk:amendments",
    "desk:corrections",
    "desk:home",
    "desk:queue",
    "desk:comment-log",
    "desk:log",
    "desk:keywords",
    "desk:reasons",
    "desk:reason-edit",
    "desk:organisations",
    "desk:export",
    "desk:stats",
}
# How many desk URLs there are at least; raise it when adding one.
DESK_URL_COUNT = 26

_CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


# The one desk/ address open to everybody: the page the others send anonymous visitors to.
SIGN_IN = "desk-sign-in"


def desk_patterns() -> list[tuple[str, str, URLPattern]]:
    """Return (route, namespaced name, pattern) for every URL pattern whose route starts with desk/,
    but the sign-in page."""
    found = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, inner)
            elif route.startswith("desk/") and pattern.name != SIGN_IN:
                found.append((route, f"{namespace}{pattern.name}", pattern))

    walk(get_resolver().url_patterns, "", "")
    return found


@pytest.fixture
def values(section, coordinator) -> dict[str, str]:
    """Plausible values for each URL argument, pointing at real objects."""
    comment = approved_comment(section, text="An approved comment.")
    return {
        "comment_id": str(comment.pk),
        "rule_id": str(KeywordRule.objects.create(phrase="casino", action="spam").pk),
        "reason_id": str(RejectionReason.objects.create(title="Test reason", text="Because.").pk),
        "organisation_id": str(factories.OrganisationFactory().pk),
        "state": "review",
    }


def build(route: str, values: dict[str, str]) -> str:
    def fill(match: re.Match) -> str:
        name, converter = match.group("name"), match.group("converter") or "str"
        if name in values:
            return values[name]
        return "1" if converter == "int" else "review"

    return "/" + _CONVERTER.sub(fill, route)


def test_the_walk_finds_every_desk_url():
    patterns = desk_patterns()
    assert len(patterns) >= DESK_URL_COUNT, [route for route, _, _ in patterns]
    names = {name for _, name, _ in patterns}
    assert names >= PAGES


def test_every_desk_view_is_wrapped_in_coordinator_required():
    for route, name, pattern in desk_patterns():
        assert getattr(pattern.callback, "desk_protected", False), f"{name} ({route}) is not coordinator_required"


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, values, method):
    for route, name, _ in desk_patterns():
        url = build(route, values)
        response = getattr(client, method)(url)
        assert response.status_code == 302, (name, url, response.status_code)
        assert response["Location"].startswith("/desk/sign-in/?next="), (name, response["Location"])
        assert "no-store" in response["Cache-Control"], name


@pytest.mark.parametrize("method", ["get", "post"])
def test_signed_in_strangers_and_members_are_refused(client, values, stranger, member, method):
    for user in (stranger, member):
        client.force_login(user)
        for route, name, _ in desk_patterns():
            url = build(route, values)
            response = getattr(client, method)(url)
            assert response.status_code == 403, (user.username, name, url, response.status_code)
            assert "no-store" in response["Cache-Control"], name


def test_staff_outside_the_coordinators_group_are_refused(client, values):
    client.force_login(factories.UserFactory(username="staff-not-coordinator", is_staff=True))
    for route, name, _ in desk_patterns():
        assert client.get(build(route, values)).status_code == 403, name


def test_actions_refuse_get_and_pages_refuse_post_for_coordinators(client, values, coordinator):
    client.force_login(coordinator)
    for route, name, _ in desk_patterns():
        url = build(route, values)
        response = client.get(url)
        if name in PAGES:
            assert response.status_code == 200, (name, url, response.status_code)
            assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"], name
        else:
            assert response.status_code == 405, (name, url, response.status_code)
    for route, name, _ in desk_patterns():
        if name in PAGES and name != "desk:reason-edit":
            assert client.post(build(route, values)).status_code == 405, name


def test_a_superuser_may_use_the_desk(client, values):
    client.force_login(factories.UserFactory(username="root", is_superuser=True, is_staff=True))
    assert client.get("/desk/").status_code == 200


def test_actions_need_a_csrf_token(values, coordinator):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(f"/desk/c/{values['comment_id']}/spam/")
    assert response.status_code == 403
