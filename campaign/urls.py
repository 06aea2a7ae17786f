from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from campaign.pages import endorsements, health, signin, views
from campaign.pages.sitemaps import SITEMAPS
from campaign.search import views as search

campaign_patterns = (
    [
        path("", views.home, name="home"),
        path("about/", views.about, name="about"),
        path("organisations/", views.organisations, name="organisations"),
        path("endorsements/", endorsements.endorsers, name="endorsers"),
        path("organisations/<slug:slug>/", views.organisation, name="organisation"),
        # The consultation report sits beside the note's pages (guidance's URLs, under note/), which know
        # nothing of comments: it is composed here.
        path("note/<slug:slug>/report/", views.report, name="report"),
        path("note/<slug:slug>/report.pdf", views.report_pdf, name="report-pdf"),
        path("note/<slug:slug>/report.csv", views.report_csv, name="report-csv"),
        path("note/<slug:slug>/report.json", views.report_json, name="report-json"),
        path("search/", search.search, name="search"),
    ],
    "campaign",
)

# The address says the language: English at /, the others under /fr/, /es/ and /ru/. Nothing else
# picks it (no cookie, no Accept-Language: see campaign/lib/i18n.py), so one address is one page, which
# any cache can keep and anyone can share.
urlpatterns = [
    path("health/", health.health, name="health"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
    # Before the admin's own URLs: its login page, behind rate limits (campaign/pages/signin.py).
    path("admin/login/", signin.sign_in, name="sign-in"),
    path("admin/", admin.site.urls),
    *i18n_patterns(
        path("", include(campaign_patterns)),
        path("note/", include("guidance.urls")),
        path("comments/", include("comments.urls")),
        path("subscriptions/", include("campaign.subscriptions.urls")),
        # Outside the desk's URLs, which all need a coordinator: this is where the others send visitors.
        path("desk/sign-in/", signin.desk_sign_in, name="desk-sign-in"),
        path("desk/", include("comments.desk.urls")),
        prefix_default_language=False,
    ),
]

# 503 with a plain page while the database is unreachable; Django's 500 page for anything else.
handler500 = "campaign.lib.errors.server_error"
# 400 with the site's page, also when the refused part of the request is its Host.
handler400 = "campaign.lib.errors.bad_request"
