from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    label = "comments"
    verbose_name = _("Comments and endorsements")

    def ready(self) -> None:
        from django_comments_xtd.models import publish_or_unpublish_on_pre_save

        # django-comments-xtd copies a parent's public flag onto all its replies whenever the
        # parent is saved, which would publish replies still waiting for moderation.
        # comments.services.refresh_visibility does this job by the moderation rules instead.
        pre_save.disconnect(publish_or_unpublish_on_pre_save, sender="comments.OrgComment")

        # The services queue tasks by name (comments.queue): every process registers them with the app.
        from comments import tasks  # noqa: F401
        from comments.screening import forget_keyword_rules, forget_verified_names

        # The screening keeps the keyword rules for a few seconds; a change made here applies at once.
        post_save.connect(forget_keyword_rules, sender="comments.KeywordRule", dispatch_uid="forget_rules_saved")
        post_delete.connect(forget_keyword_rules, sender="comments.KeywordRule", dispatch_uid="forget_rules_deleted")
        # The same for the verified organisations' names (the impersonation check).
        post_save.connect(forget_verified_names, sender="campaign.Organisation", dispatch_uid="forget_verified_saved")
        post_delete.connect(forget_verified_names, sender="campaign.Organisation", dispatch_uid="forget_verified_gone")
