from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    """Organisations taking part. Its label stays "campaign", the app's name when it also held the
    project's pages: tables, migrations, content types and permissions keep their names."""

    name = "campaign.organisations"
    label = "campaign"
    verbose_name = _("Organisations")
