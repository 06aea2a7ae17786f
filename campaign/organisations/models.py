"""Organisations that take part in the consultation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class OrganisationQuerySet(models.QuerySet):
    def verified(self) -> OrganisationQuerySet:
        return self.filter(verified_at__isnull=False)


class Organisation(models.Model):
    """An organisation taking part; private contact data is kept off every public page."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(unique=True)
    country = CountryField(_("country"), blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    network = models.CharField(
        _("network"), max_length=200, blank=True, help_text=_("A network it belongs to, if any.")
    )
    description = models.TextField(_("description"), blank=True)
    # Private: for coordinators only, never rendered on a public page.
    contact_email = models.EmailField(_("contact email (private)"), blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="organisations")
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def get_absolute_url(self) -> str:
        return reverse("campaign:organisation", kwargs={"slug": self.slug})
