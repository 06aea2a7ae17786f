"""The admin is no back door: staff cannot filter, search, sort, reference or read posters' secrets.

Every registered ModelAdmin is tried, with every protected field it can reach (its own and its
relations'), through every channel Django's admin offers: lookups in the query string, the search
box, the sort order, the popup's ``_to_field``, the autocomplete endpoint, and the pages themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from django.utils import timezone

from campaign.lib.admin_privacy import PrivateAdmin, admin_privacy_errors, is_protected, touches_protected
from comments.models import MinHashBand, OrgComment
from tests import factories
from tests.admin_pages import admin_pages, desk_pages
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.django_db

POSTER_EMAIL = "q7.poster@hidden-collective.example"
MEMBER_EMAIL = "k4.member@members-mailbox.example"
CONTACT_EMAIL = "z9.contact@org-office.example"
ADDRESS_HASH = "a1" * 32
CONFIRMATION_HASH = "c3" * 32
BAND_KEY = 917_263_548_112_334
MINHASH = [831_776_102_554, 772_019_384_661]
LOOKUPS = ("", "__exact", "__startswith", "__istartswith", "__regex", "__in", "__contains", "__gt", "__year")


@dataclass
class Secrets:
    texts: dict[str, str]

    def fragments(self) -> Iterator[tuple[str, str]]:
        """Each secret's first characters: what an extraction one character at a time would try."""
        for name, text in self.texts.items():
            yield name, text[:10]

    def found_in(self, page: str) -> list[str]:
        return [name for name, text in self.texts.items() if text in page]


@pytest.fixture
def secrets(note, member, coordinator) -> Secrets:
    member.email = MEMBER_EMAIL
    member.save()
    organisation = member.organisations.get()
    organisation.contact_email = CONTACT_EMAIL
    organisation.save()
    comment = approved_comment(
        note.sections.first(), text="We ask for decriminalisation.", user=member, user_email=POSTER_EMAIL,
        address_hash=ADDRESS_HASH, confirmation_hash=CONFIRMATION_HASH, organisation=organisation,
        minhash=MINHASH, confirmed_at=timezone.now(), user_name="Amina",
    )  # fmt: skip
    MinHashBand.objects.create(comment=comment, key=BAND_KEY)
    member.refresh_from_db()
    return Secrets(
        {
            "poster's email": POSTER_EMAIL,
            "member's email": MEMBER_EMAIL,
            "organisation's contact email": CONTACT_EMAIL,
            "address hash": ADDRESS_HASH,
            "confirmation hash": CONFIRMATION_HASH,
            "fingerprint": comment.fingerprint,
            "near-duplicate band": str(BAND_KEY),
            "near-duplicate signature": str(MINHASH[0]),
            "password hash": member.password.rsplit("$", 1)[-1],
        }
    )


@pytest.fixture
def superuser_client(client):
    client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def registered() -> list[tuple[type, admin.ModelAdmin]]:
    return list(admin.site._registry.items())


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def protected_paths(model) -> Iterator[str]:
    """Yield the lookup paths of every protected field of a model and of the models it relates to."""
    for field in model._meta.get_fields():
        if is_protected(field):
            yield field.name
        elif field.is_relation and field.related_model is not None:
            yield from (
                f"{field.name}__{other.name}" for other in field.related_model._meta.get_fields() if is_protected(other)
            )


def test_every_registered_admin_is_private():
    assert admin_privacy_errors(admin.site) == []
    assert all(isinstance(model_admin, PrivateAdmin) for _, model_admin in registered())


def test_the_check_refuses_an_admin_that_lists_or_searches_a_protected_field():
    site = admin.AdminSite(name="careless")

    class CarelessAdmin(admin.ModelAdmin):
        list_display = ("id", "user_email")
        search_fields = ("comment", "user__email")
        list_filter = ("organisation__contact_email",)

    site.register(OrgComment, CarelessAdmin)
    messages = [error.msg for error in admin_privacy_errors(site)]
    assert any("does not refuse unknown lookups" in message for message in messages)
    for name in ("user_email", "user__email", "organisation__contact_email"):
        assert any(f"names {name}," in message for message in messages), messages


def test_no_admin_filters_on_a_protected_field_or_an_unknown_lookup(secrets, superuser_client):
    answered = []
    for model, _ in registered():
        tried = [f"{path}{lookup}" for path in protected_paths(model) for lookup in LOOKUPS]
        for key in [*tried, "pk__gte", "id__gt"]:
            response = superuser_client.get(changelist(model), {key: "a"})
            if response.status_code != 400:
                answered.append(f"{model._meta.label} ?{key}= -> {response.status_code}")
    assert not answered, "\n".join(answered)


def test_no_admin_searches_a_protected_field(secrets, superuser_client):
    found = []
    for model, model_admin in registered():
        if not model_admin.search_fields:
            continue
        for name, fragment in secrets.fragments():
            response = superuser_client.get(changelist(model), {"q": fragment})
            assert response.status_code == 200
            if response.context["cl"].result_count:
                found.append(f"{model._meta.label}: the {name}")
    assert not found, found


def test_no_admin_sorts_by_a_protected_field(secrets, superuser_client):
    sortable = []
    for model, _ in registered():
        response = superuser_client.get(changelist(model))
        cl: ChangeList = response.context["cl"]
        for index, name in enumerate(cl.list_display):
            field = cl.get_ordering_field(name)
            if isinstance(field, str) and touches_protected(model, field):
                sortable.append(f"{model._meta.label} ?o={index} sorts by {field}")
    assert not sortable, sortable


def test_no_popup_lists_a_protected_field(secrets, superuser_client):
    for model, _ in registered():
        for field in model._meta.get_fields():
            if is_protected(field) and getattr(field, "concrete", False):
                response = superuser_client.get(changelist(model), {"_to_field": field.attname, "_popup": "1"})
                assert response.status_code == 400, (model._meta.label, field.name)


def test_the_autocomplete_finds_no_one_by_a_protected_field(secrets, superuser_client):
    found = []
    for model, _ in registered():
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and field.related_model in admin.site._registry):
                continue
            opts = model._meta
            params = {"app_label": opts.app_label, "model_name": opts.model_name, "field_name": field.name}
            for name, fragment in secrets.fragments():
                response = superuser_client.get(reverse("admin:autocomplete"), {**params, "term": fragment})
                if response.status_code == 200 and response.json()["results"]:
                    found.append(f"{model._meta.label}.{field.name}: the {name}")
    assert not found, found


def test_each_list_filter_and_date_still_narrows_the_list(secrets, superuser_client):
    """Refusing unknown lookups must not refuse the admin's own filters and date links."""
    for model, _ in registered():
        response = superuser_client.get(changelist(model))
        cl: ChangeList = response.context["cl"]
        for spec in cl.filter_specs:
            for choice in spec.choices(cl):
                assert superuser_client.get(changelist(model) + choice["query_string"]).status_code == 200, choice
        if cl.date_hierarchy:
            year = timezone.now().year
            query = {f"{cl.date_hierarchy}__year": year, f"{cl.date_hierarchy}__month": 1}
            assert superuser_client.get(changelist(model), query).status_code == 200


def test_no_admin_or_desk_page_shows_a_protected_field(secrets, superuser_client):
    shown = []
    for url in [*admin_pages(), *desk_pages()]:
        response = superuser_client.get(url)
        # Some models are added only by their own services: their add form is refused to everyone.
        assert response.status_code == 200 or (url.endswith("/add/") and response.status_code == 403), url
        shown.extend(f"{url}: the {name}" for name in secrets.found_in(response.content.decode()))
    assert not shown, "\n".join(shown)


def test_a_superuser_replaces_and_forgets_an_email_without_reading_it(secrets, superuser_client, member):
    url = reverse("admin:auth_user_change", args=[member.pk])
    page = superuser_client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if form[name].value() is not None}
    data.update({"groups": [], "user_permissions": [], "new_address": "renewed@members-mailbox.example"})
    data["date_joined_0"], data["date_joined_1"] = "2026-01-01", "10:00:00"
    assert superuser_client.post(url, data).status_code == 302
    member.refresh_from_db()
    assert member.email == "renewed@members-mailbox.example"
    assert "renewed@" not in superuser_client.get(url).content.decode()
    data.update({"new_address": "", "forget_address": "on"})
    assert superuser_client.post(url, data).status_code == 302
    member.refresh_from_db()
    assert member.email == ""
