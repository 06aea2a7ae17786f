from django.urls import path

from comments import feeds, views

app_name = "comments"

urlpatterns = [
    path("post/", views.post, name="post"),
    path("sent/", views.sent, name="sent"),
    path("reply/<int:comment_id>/", views.reply, name="reply"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("withdraw/<str:token>/", views.withdraw, name="withdraw"),
    path("correct/<str:token>/", views.correct, name="correct"),
    path("yours/<str:token>/", views.yours, name="yours"),
    path("yours/<str:token>/copy.json", views.yours_copy, name="yours-copy"),
    path("yours/<str:token>/erase/", views.yours_erase, name="yours-erase"),
    path("mute/<str:token>/", views.mute, name="mute"),
    path("c/<int:comment_id>/", views.permalink, name="permalink"),
    path("feeds/<slug:slug>.atom", feeds.DocumentCommentFeed(), name="document-feed"),
    path("feeds/<slug:slug>/<str:key>.atom", feeds.SectionCommentFeed(), name="section-feed"),
]
