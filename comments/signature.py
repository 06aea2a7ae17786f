"""The public signature: what readers see of who wrote a comment, worked out in one place.

Posters choose what may be shown (``Display``); ``SHOWN`` says what each choice shows, and
``public_signature`` applies it. Every page, feed, export and the form's own preview read the
signature from here, so a choice means the same everywhere: a named person is never exported as
anonymous, and "organisation only" never leaks a name or a city somewhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries


class Display(models.TextChoices):
    # The safest choice first: it is the default (comments.forms), so nothing names a poster by itself.
    ANONYMOUS = "anonymous", _("Anonymous participant")
    ORGANISATION_ONLY = "org", _("My organisation only")
    NAME_AND_ORGANISATION = "name_org", _("My name and my organisation")


#: The parts of a signature each choice shows. "On behalf of" is shown whenever it is given, and the
#: country unless the poster withholds it (``show_country``).
SHOWN: dict[str, frozenset[str]] = {
    Display.ANONYMOUS: frozenset({"country", "on_behalf_of"}),
    Display.ORGANISATION_ONLY: frozenset({"organisation", "country", "on_behalf_of"}),
    Display.NAME_AND_ORGANISATION: frozenset({"name", "organisation", "city", "country", "on_behalf_of"}),
}
#: Every part, in the order a signature reads.
PARTS = ("name", "organisation", "on_behalf_of", "city", "country")
SEPARATOR = " · "


def part_labels() -> dict[str, str]:
    """The name of each part of a signature, in the reader's language (for the form's notes)."""
    return {
        "name": gettext("your name"),
        "organisation": gettext("your organisation"),
        "on_behalf_of": gettext("“on behalf of”"),
        "city": gettext("your city"),
        "country": gettext("your country"),
    }


@dataclass(frozen=True)
class PublicSignature:
    """What readers see of a comment's author; empty strings for what is not shown."""

    name: str = ""
    organisation: str = ""
    on_behalf_of: str = ""
    city: str = ""
    country: str = ""  # ISO code
    verified: bool = False

    @property
    def anonymous(self) -> bool:
        return not (self.name or self.organisation)

    @property
    def country_name(self) -> str:
        return str(countries.name(self.country)) if self.country else ""

    @property
    def who(self) -> str:
        """Name and organisation, visibly apart, or "Anonymous participant"."""
        if self.anonymous:
            return gettext("Anonymous participant")
        return SEPARATOR.join(part for part in (self.name, self.organisation) if part)

    @property
    def place(self) -> str:
        return ", ".join(part for part in (self.city, self.country_name) if part)

    def text(self) -> str:
        """The whole signature as plain text, as pages show it (feeds, exports, the form's preview)."""
        parts = [self.who]
        if self.on_behalf_of:
            parts.append(gettext("on behalf of %(who)s") % {"who": self.on_behalf_of})
        if self.place:
            parts.append(self.place)
        return SEPARATOR.join(parts)


def public_signature(
    *,
    display: str,
    name: str = "",
    organisation: str = "",
    city: str = "",
    country: str = "",
    on_behalf_of: str = "",
    show_country: bool = True,
    verified: bool = False,
) -> PublicSignature:
    """Return what readers may see of a signature under the poster's choice (unknown choice: anonymous)."""
    shown = SHOWN.get(display, SHOWN[Display.ANONYMOUS])
    if not show_country:
        shown -= {"country"}
    organisation = organisation if "organisation" in shown else ""
    return PublicSignature(
        name=name if "name" in shown else "",
        organisation=organisation,
        on_behalf_of=on_behalf_of if "on_behalf_of" in shown else "",
        city=city if "city" in shown else "",
        country=str(country or "") if "country" in shown else "",
        verified=bool(verified and organisation),
    )
