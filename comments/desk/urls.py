"""The desk's URLs, under /desk/. Every view is wrapped in ``coordinator_required``."""

from django.urls import path

from comments.desk import views

app_name = "desk"

urlpatterns = [
    path("", views.queue, name="home"),
    path("queue/<slug:state>/", views.queue, name="queue"),
    path("c/<int:comment_id>/approve/", views.decide, {"decision": "approve"}, name="approve"),
    path("c/<int:comment_id>/reject/", views.decide, {"decision": "reject"}, name="reject"),
    path("c/<int:comment_id>/spam/", views.decide, {"decision": "spam"}, name="spam"),
    path("c/<int:comment_id>/not-spam/", views.decide, {"decision": "not_spam"}, name="not-spam"),
    path("c/<int:comment_id>/reply/", views.reply, name="reply"),
    path("c/<int:comment_id>/log/", views.comment_log, name="comment-log"),
    path("c/<int:comment_id>/message/", views.private_message, name="message"),
    path("c/<int:comment_id>/language/", views.comment_language, name="language"),
    path("amendments/", views.amendments, name="amendments"),
    path("c/<int:comment_id>/answer/", views.amendment_answer, name="amendment-answer"),
    path("c/<int:comment_id>/take-up/", views.amendment_take_up, name="amendment-take-up"),
    path("corrections/", views.corrections, name="corrections"),
    path(
        "corrections/<int:revision_id>/approve/",
        views.correction_decide,
        {"decision": "approve"},
        name="correction-approve",
    ),
    path(
        "corrections/<int:revision_id>/reject/",
        views.correction_decide,
        {"decision": "reject"},
        name="correction-reject",
    ),
    path("bulk/", views.bulk, name="bulk"),
    path("log/", views.log, name="log"),
    path("keywords/", views.keywords, name="keywords"),
    path("keywords/add/", views.keyword_add, name="keyword-add"),
    path("keywords/<int:rule_id>/delete/", views.keyword_delete, name="keyword-delete"),
    path("reasons/", views.reasons, name="reasons"),
    path("reasons/add/", views.reason_add, name="reason-add"),
    path("reasons/<int:reason_id>/", views.reason_edit, name="reason-edit"),
    path("reasons/<int:reason_id>/delete/", views.reason_delete, name="reason-delete"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/merge/", views.organisation_merge, name="organisation-merge"),
    path("organisations/<int:organisation_id>/verify/", views.organisation_verify, name="organisation-verify"),
    path("organisations/<int:organisation_id>/unverify/", views.organisation_unverify, name="organisation-unverify"),
    path("export/endorsements.csv", views.export_endorsements, name="export"),
    path("stats/", views.statistics, name="stats"),
]
