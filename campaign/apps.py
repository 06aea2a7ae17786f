from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = "Campaign"

    def ready(self) -> None:
        from campaign.site import sync_site

        # Once per migrate (sender: this app), after every table, the sites framework's included, exists.
        post_migrate.connect(sync_site, sender=self, dispatch_uid="campaign.sync_site")
