"""Template tags for what a page says of itself to other programs (the card a shared link shows)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from campaign.lib import stylesheet

register = template.Library()


class CaptureNode(template.Node):
    """Render the enclosed part once and keep it in a variable, so one block can fill two places."""

    child_nodelists = ("nodelist",)

    def __init__(self, nodelist: template.NodeList, name: str) -> None:
        self.nodelist = nodelist
        self.name = name

    def render(self, context: template.Context) -> str:
        # The template's own output, escaped as it rendered: kept as such (escaping it again would
        # show "&amp;amp;").
        context[self.name] = mark_safe(" ".join(self.nodelist.render(context).split()))  # noqa: S308
        return ""


@register.tag
def capture(parser: template.base.Parser, token: template.base.Token) -> CaptureNode:
    """``{% capture as page_title %}...{% endcapture %}``: the text (white space folded) in ``page_title``."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% capture as name %}...{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


@register.simple_tag
def inline_stylesheet() -> str:
    """The site's stylesheet in a ``<style>`` element (campaign/lib/stylesheet.py): no second round trip.

    Its text is the file's, byte for byte, so the hash the Content-Security-Policy allows matches it.
    With ``SITE_STYLESHEET_INLINE`` off, the page links the file instead (``make bench`` compares both).
    """
    if not settings.SITE_STYLESHEET_INLINE:
        return format_html('<link rel="stylesheet" href="{}">', static("css/site.css"))
    return mark_safe(f"<style>{stylesheet.text(settings.SITE_STYLESHEET)}</style>")  # noqa: S308 - our own file
