"""The Atom feed type of every feed of the site: one that never fails on text a person typed."""

from __future__ import annotations

import re

from django.utils.feedgenerator import Atom1Feed

# The control characters XML 1.0 cannot carry; Django refuses to write a feed that holds one.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_safe(value):
    return _NOT_IN_XML.sub("", value) if isinstance(value, str) else value


class SafeAtom1Feed(Atom1Feed):
    """An Atom feed that drops the control characters XML cannot carry from the feed's texts and its items'.

    Labels, changelogs and organisation names come from coordinators (the admin keeps control
    characters a paste can bring); without this, one of them makes the feed a 500 for everyone.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*map(_xml_safe, args), **{name: _xml_safe(value) for name, value in kwargs.items()})

    def add_item(self, *args, **kwargs) -> None:
        super().add_item(*map(_xml_safe, args), **{name: _xml_safe(value) for name, value in kwargs.items()})
