from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    """News by email for readers without an account: new versions, the consultation closing, official replies."""

    name = "campaign.subscriptions"
    label = "subscriptions"
    verbose_name = _("News by email")

    def ready(self) -> None:
        # The services queue tasks by name (campaign.subscriptions.queue): every process registers them.
        from campaign.subscriptions import hooks, tasks  # noqa: F401

        # guidance knows nothing of subscriptions: a saved version is heard here, and only queues a task.
        post_save.connect(hooks.version_saved, sender="guidance.Version", dispatch_uid="subscriptions_version_saved")
