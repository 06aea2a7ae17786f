"""Verifying, unverifying and merging organisations (campaign.organisations.services)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from campaign.organisations import services
from campaign.organisations.models import Organisation
from comments import desk_services
from comments.models import OrgComment
from tests import factories
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.django_db


def test_verify_records_who_and_when(coordinator):
    organisation = factories.OrganisationFactory()
    services.organisation_verify(organisation=organisation, by=coordinator)
    organisation.refresh_from_db()
    assert organisation.is_verified and organisation.verified_by == coordinator
    assert Organisation.objects.verified().get() == organisation


def test_verifying_again_keeps_the_first_record(coordinator):
    first = timezone.now() - timezone.timedelta(days=3)
    organisation = factories.OrganisationFactory(verified_at=first, verified_by=coordinator)
    other = factories.UserFactory(username="second-coordinator")
    services.organisation_verify(organisation=organisation, by=other)
    organisation.refresh_from_db()
    assert (organisation.verified_at, organisation.verified_by) == (first, coordinator)


def test_unverify_clears_both_fields(coordinator):
    organisation = factories.OrganisationFactory(verified_at=timezone.now(), verified_by=coordinator)
    services.organisation_unverify(organisation=organisation, by=coordinator)
    organisation.refresh_from_db()
    assert organisation.verified_at is None and organisation.verified_by is None


def test_verification_invalidates_the_pages_that_show_the_badge(
    coordinator, section, django_capture_on_commit_callbacks, monkeypatch
):
    organisation = factories.OrganisationFactory()
    approved_comment(section, organisation=organisation)
    bumped = []
    monkeypatch.setattr("campaign.organisations.services.bump_generation", lambda: bumped.append(1))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.organisation_verify(organisation=organisation, by=coordinator)
        assert bumped == []  # not before the change is there to be read
    assert bumped == [1] and len(callbacks) == 1


def test_the_badge_appears_on_the_organisations_comments_once_verified(client, coordinator, section, member):
    organisation = factories.OrganisationFactory(name="Linked Collective")
    organisation.members.add(member)  # the badge vouches for a member's comment
    approved_comment(section, organisation=organisation, user=member, display="org", text="We endorse.")
    assert 'class="badge verified"' not in client.get(section.get_absolute_url()).content.decode()
    services.organisation_verify(organisation=organisation, by=coordinator)
    assert 'class="badge verified"' in client.get(section.get_absolute_url()).content.decode()


def test_merge_moves_comments_and_members_copies_missing_public_fields_and_deletes_the_duplicate(
    coordinator, member, section
):
    keep = factories.OrganisationFactory(name="Sisters Alliance Kenya", city="", website="", network="KESWA")
    duplicate = factories.OrganisationFactory(
        name="Sisters Alliance (KE)",
        city="Nairobi",
        website="https://sisters.example",
        network="Other network",
        description="Peer-led since 2004.",
        contact_email="private@sisters.example",
    )
    duplicate.members.add(member)
    moved = [approved_comment(section, organisation=duplicate, text=f"Comment {n}") for n in range(3)]
    untouched = approved_comment(section, text="Nobody's.")
    kept = desk_services.organisation_merge(keep=keep, duplicate=duplicate, by=coordinator)
    assert kept.pk == keep.pk
    assert not Organisation.objects.filter(pk=duplicate.pk).exists()
    assert set(OrgComment.objects.filter(organisation=keep).values_list("pk", flat=True)) == {c.pk for c in moved}
    assert OrgComment.objects.get(pk=untouched.pk).organisation_id is None
    assert list(keep.members.all()) == [member]
    keep.refresh_from_db()
    assert (keep.city, keep.website, keep.description) == ("Nairobi", "https://sisters.example", "Peer-led since 2004.")
    assert keep.network == "KESWA"  # a field the kept record has is not overwritten
    assert keep.contact_email == ""  # private data is not copied


def test_merge_passes_the_verification_of_a_verified_duplicate(coordinator):
    keep = factories.OrganisationFactory()
    duplicate = factories.OrganisationFactory(verified_at=timezone.now(), verified_by=coordinator)
    desk_services.organisation_merge(keep=keep, duplicate=duplicate, by=coordinator)
    keep.refresh_from_db()
    assert keep.verified_at == duplicate.verified_at and keep.verified_by == coordinator


def test_merge_refuses_an_organisation_with_itself(coordinator):
    organisation = factories.OrganisationFactory()
    with pytest.raises(services.OrganisationError):
        desk_services.organisation_merge(keep=organisation, duplicate=organisation, by=coordinator)
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_merge_is_all_or_nothing(coordinator, section, monkeypatch):
    keep = factories.OrganisationFactory(city="")
    duplicate = factories.OrganisationFactory(city="Nairobi")
    comment = approved_comment(section, organisation=duplicate)

    def fail(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Organisation, "delete", fail)
    with pytest.raises(RuntimeError):
        desk_services.organisation_merge(keep=keep, duplicate=duplicate, by=coordinator)
    comment.refresh_from_db()
    keep.refresh_from_db()
    assert comment.organisation_id == duplicate.pk
    assert keep.city == ""
    assert Organisation.objects.filter(pk=duplicate.pk).exists()
