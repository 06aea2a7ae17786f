"""Who may use the desk: the Coordinators group (or a superuser); nobody else, whatever the URL."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.views.decorators.cache import never_cache

COORDINATORS_GROUP = "Coordinators"


def is_coordinator(user) -> bool:
    """Say whether a user may moderate: an active member of the Coordinators group, or a superuser."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_desk_is_coordinator", None)
    if cached is None:
        cached = user.groups.filter(name=COORDINATORS_GROUP).exists()
        user._desk_is_coordinator = cached
    return cached


def coordinator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let coordinators through; send anonymous visitors to the login page, refuse everyone else (403).

    Applied outside ``require_POST``, so a stranger learns nothing about which methods a URL takes.
    Every response, the refusals included, is marked ``private, no-store``.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
        if not is_coordinator(request.user):
            return render(request, "403.html", status=403)
        return view(request, *args, **kwargs)

    wrapper.desk_protected = True  # the access test checks every desk URL carries this decorator
    return never_cache(wrapper)
