"""The language switcher's links: ``{% page_languages as links %}`` (see campaign/lib/i18n.py)."""

from __future__ import annotations

from django import template

from campaign.lib.i18n import LanguageLink, language_links

register = template.Library()


@register.simple_tag(takes_context=True)
def page_languages(context) -> list[LanguageLink]:
    """Return the current page in every language of the site (nothing without a request).

    A view answering a POST may put ``language_target`` in the context (see ``language_links``).
    """
    request = context.get("request")
    return language_links(request, context.get("language_target")) if request is not None else []
