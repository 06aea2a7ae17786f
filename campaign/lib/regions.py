"""The five regions of the United Nations' M49 standard, for every ISO 3166 country code.

django-countries names countries and knows no regions. The libraries on PyPI that map them are
either unmaintained (pycountry-convert, last released in 2018, and it maps to continents, not to
M49 regions) or pull pandas in to read a table (country-converter): for five names over 249 codes,
a table kept here is smaller than either. It follows M49's "Geographic regions" list; Taiwan is
listed with Eastern Asia, and Antarctica, which M49 puts in no region, has none here either.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

AFRICA, AMERICAS, ASIA, EUROPE, OCEANIA = "africa", "americas", "asia", "europe", "oceania"

#: The regions in the order a report lists them (alphabetical in English, as M49 lists them).
NAMES = {
    AFRICA: _("Africa"),
    AMERICAS: _("Americas"),
    ASIA: _("Asia"),
    EUROPE: _("Europe"),
    OCEANIA: _("Oceania"),
}

# Each region's countries, by M49 sub-region (the comments), as ISO 3166-1 alpha-2 codes.
_MEMBERS = {
    AFRICA: (
        "DZ EG LY MA SD TN EH "  # Northern Africa
        "IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW "  # Eastern Africa
        "AO CM CF TD CG CD GQ GA ST "  # Middle Africa
        "BW SZ LS NA ZA "  # Southern Africa
        "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG"  # Western Africa
    ),
    AMERICAS: (
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI "  # Caribbean
        "BZ CR SV GT HN MX NI PA "  # Central America
        "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE "  # South America
        "BM CA GL PM US"  # Northern America
    ),
    ASIA: (
        "KZ KG TJ TM UZ "  # Central Asia
        "CN HK MO KP JP MN KR TW "  # Eastern Asia
        "BN KH ID LA MY MM PH SG TH TL VN "  # South-eastern Asia
        "AF BD BT IN IR MV NP PK LK "  # Southern Asia
        "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE"  # Western Asia
    ),
    EUROPE: (
        "BY BG CZ HU PL MD RO RU SK UA "  # Eastern Europe
        "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB "  # Northern Europe
        "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES "  # Southern Europe
        "AT BE FR DE LI LU MC NL CH"  # Western Europe
    ),
    OCEANIA: (
        "AU CX CC HM NZ NF "  # Australia and New Zealand
        "FJ NC PG SB VU "  # Melanesia
        "GU KI MH FM NR MP PW UM "  # Micronesia
        "AS CK PF NU PN WS TK TO TV WF"  # Polynesia
    ),
}

REGION_OF: dict[str, str] = {code: region for region, codes in _MEMBERS.items() for code in codes.split()}


def region_of(country: str) -> str:
    """Return the M49 region of an ISO country code ("" for none: Antarctica, an unknown or empty code)."""
    return REGION_OF.get((country or "").upper(), "")


def name(region: str) -> str:
    """The region's name in the reader's language ("" for no region)."""
    return str(NAMES[region]) if region in NAMES else ""
