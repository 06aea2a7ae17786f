"""Public pages of the Guidance Note (to be written)."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404


document = version = version_print = section = compare_form = compare = _todo
