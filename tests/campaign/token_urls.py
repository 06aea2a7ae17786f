"""The site's URLs plus one public page with a CSRF-protected form, for the page cache's tests.

No public page of the site holds a CSRF token for an anonymous reader (the comment form has one only
for signed-in members, who are never served from the cache); should one ever do, the cache must
render it for each visitor rather than hand one visitor's token to the next.
"""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from campaign.lib.cache import public_page
from campaign.urls import urlpatterns as site_urlpatterns

_PAGE = engines["django"].from_string(
    '<!DOCTYPE html><html lang="en"><head><title>A form</title></head><body><main>'
    '<form method="post" action="/page-with-a-form/">{% csrf_token %}<button>Send</button></form>'
    "</main></body></html>"
)


@public_page
def page_with_a_form(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_PAGE.render({}, request))


URL = "/page-with-a-form/"
urlpatterns = [path("page-with-a-form/", page_with_a_form), *site_urlpatterns]
