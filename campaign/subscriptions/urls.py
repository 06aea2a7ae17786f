from django.urls import path

from campaign.subscriptions import views

app_name = "subscriptions"

# The tokens in confirm/, manage/ and unsubscribe/ are cut out of every log (campaign/lib/logredact.py,
# gunicorn.conf.py); robots.txt keeps crawlers out of /subscriptions/.
urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("sent/", views.sent, name="sent"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("unsubscribed/", views.unsubscribed, name="unsubscribed"),
]
