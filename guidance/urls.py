from django.urls import path

from guidance import feeds, views

app_name = "guidance"

urlpatterns = [
    path("<slug:slug>/", views.document, name="document"),
    path("<slug:slug>/v<int:number>/", views.version, name="version"),
    path("<slug:slug>/v<int:number>/print/", views.version_print, name="version-print"),
    path("<slug:slug>/v<int:number>/<str:lang>/", views.version, name="version-translation"),
    path("<slug:slug>/v<int:number>/<str:lang>/print/", views.version_print, name="version-print-translation"),
    path("<slug:slug>/sections/<str:key>/", views.section, name="section"),
    path(
        "<slug:slug>/sections/<str:key>/compare/v<int:a>/v<int:b>/side-by-side/",
        views.section_compare,
        name="section-compare-side",
    ),
    path("<slug:slug>/compare/", views.compare_form, name="compare-form"),
    path("<slug:slug>/compare/v<int:a>/v<int:b>/", views.compare, name="compare"),
    path("<slug:slug>/compare/v<int:a>/v<int:b>/side-by-side/", views.compare, {"side": True}, name="compare-side"),
    path("<slug:slug>/versions.atom", feeds.VersionFeed(), name="version-feed"),
]
