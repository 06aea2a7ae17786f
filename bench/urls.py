"""The site's URLs plus django-comments-xtd's own, which its stock tree template reverses (reply, permalink).

Used only while the benchmark renders the stock tree; the site itself does not mount them.
"""

from django.urls import include, path

from campaign.urls import urlpatterns as site_urlpatterns

urlpatterns = [*site_urlpatterns, path("xtd/", include("django_comments_xtd.urls"))]
