from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate

from campaign.lib.sites import sync_site


class LibConfig(AppConfig):
    """The shared leaf: infrastructure every app may use (page cache, privacy, rate limits, i18n, feeds,
    errors, settings parsing). It imports no app of the project; an app here only for its template tags,
    its management command and the Site record it keeps in step with SITE_URL."""

    name = "campaign.lib"
    label = "campaign_lib"
    verbose_name = "Shared infrastructure"

    def ready(self) -> None:
        # Once per migrate, after the sites framework's own handler has made its table and row
        # (this app has no models, so no post_migrate of its own).
        post_migrate.connect(sync_site, sender=apps.get_app_config("sites"), dispatch_uid="campaign.sync_site")
