"""The desk's lists fed with every hostile string: keyword rules and rejection reasons; then the pages listing them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from comments.desk.access import COORDINATORS_GROUP
from comments.models import KeywordRule, RejectionReason
from tests import factories
from tests.security import markup
from tests.security.hostile import Sender, plain_template_rendering, quiet_request_log, sampled, strings

pytestmark = pytest.mark.django_db

# (Editing a reason goes through the same form and service as adding one: its page is checked below.)
FIELDS = ("keyword phrase", "keyword action", "reason title and text", "reason position")


@dataclass
class Lists:
    sender: Sender
    coordinator: Client


@pytest.fixture(scope="module")
def lists(module_transaction) -> Lists:
    with plain_template_rendering(), quiet_request_log():
        user = factories.UserFactory(username="hostile-lists", is_staff=True)
        user.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
        sender = Sender()
        sender.client.force_login(user)
        for index, value in enumerate(strings()):
            data = {"phrase": value, "action": ("hold", "spam")[index % 2]}
            sender.send("keyword phrase", value, "post", "/desk/keywords/add/", data)
            sender.send(
                "keyword action", value, "post", "/desk/keywords/add/", {"phrase": f"w{index}", "action": value}
            )
            data = {"title": value[:120], "text": value, "position": index}
            sender.send("reason title and text", value, "post", "/desk/reasons/add/", data)
            if sampled(index):
                data = {"title": f"Reason {index}", "text": "Text.", "position": value}
                sender.send("reason position", value, "post", "/desk/reasons/add/", data)
            if index % 50 == 0:  # show (and so clear) the messages that name the rules added
                sender.send("keyword phrase", value, "get", "/desk/keywords/")
        coordinator = Client()
        coordinator.force_login(user)
        yield Lists(sender, coordinator)


@pytest.mark.parametrize("field", FIELDS)
def test_no_field_answers_500_or_stray_markup(lists, field):
    lists.sender.assert_clean(field)


def test_the_strings_were_taken(lists):
    count = len(strings())
    assert KeywordRule.objects.count() > 0.9 * count  # not the blank ones, nor a phrase twice
    assert RejectionReason.objects.filter(position__gt=0).count() > 0.9 * count


@pytest.mark.parametrize("path", ["/desk/keywords/", "/desk/reasons/"])
def test_the_lists_stay_within_the_allow_list(lists, path):
    response = lists.coordinator.get(path)
    assert response.status_code == 200
    markup.assert_allowed(response.content, where=path)


def test_each_reason_edit_page_stays_within_the_allow_list(lists):
    for pk in list(RejectionReason.objects.values_list("pk", flat=True))[::25]:
        response = lists.coordinator.get(f"/desk/reasons/{pk}/")
        assert response.status_code == 200
        markup.assert_allowed(response.content, where=f"reason {pk}")
