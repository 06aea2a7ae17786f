"""The site's URLs plus one public page with a CSRF-protected form, for the page cache's tests.

No public page of the site holds a CSRF token today (the comment form has one only for signed-in
members, who are never served from the cache); the cache still handles a page that does, by
giving each visitor a token of their own, and these tests keep that working.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import engines
from django.urls import path

from campaign.cache import public_page
from campaign.urls import urlpatterns as site_urlpatterns

_PAGE = engines["django"].from_string(
    '<!DOCTYPE html><html lang="en"><head><title>A form</title></head><body><main>'
    '<form method="post" action="/page-with-a-form/">{% csrf_token %}<button>Send</button></form>'
    "{% for line in lines %}<p>Line {{ line }} of a page long enough to compress well.</p>{% endfor %}"
    "</main></body></html>"
)


@public_page
def page_with_a_form(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return HttpResponseRedirect("/page-with-a-form/")
    return HttpResponse(_PAGE.render({"lines": range(200)}, request))


URL = "/page-with-a-form/"
urlpatterns = [path("page-with-a-form/", page_with_a_form), *site_urlpatterns]
