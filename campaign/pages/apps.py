from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The composed site: home, about, organisations, endorsers, sitemaps, sign-in, health, the demo."""

    name = "campaign.pages"
    label = "pages"
    verbose_name = "Site pages"
