"""Time zones a reader may name: an IANA name ("Europe/Paris"), or a city in the reader's
language ("paris", "PARÍS", "Ciudad de Panamá"), found without regard to case or accents.

The list offered (a <datalist>, so it works without JavaScript) and the names searched come
from the system's zones, less aliases and legacy names, with each zone's city from Babel in
the current locale and in English.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import available_timezones

from babel.core import get_global
from babel.dates import get_timezone_location

# Legacy and technical names: valid, accepted when typed exactly, never offered.
_LEGACY = ("Etc/", "SystemV/", "US/", "Canada/", "Brazil/", "Chile/", "Mexico/", "posix", "right/")
# At most this many candidates are named when a text matches several zones.
MAX_CANDIDATES = 8


def fold(text):
    """``text`` for comparing: no accents, no case, words separated by single spaces."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.split(r"[\W_]+", text)).strip()


@lru_cache(maxsize=1)
def _all_zones():
    """``{lower-case name: name}`` of every IANA zone the system knows (read once)."""
    return {name.lower(): name for name in available_timezones()}


@lru_cache(maxsize=1)
def offered_zones():
    """The zones offered in the list: canonical, geographic names, sorted."""
    aliases = get_global("zone_aliases")
    known = set(_all_zones().values())
    return tuple(
        sorted(
            name
            for name in known
            if "/" in name
            and not name.startswith(_LEGACY)
            and not (name in aliases and aliases[name] in known)
        )
    )


@dataclass(frozen=True)
class Zone:
    key: str  # the IANA name
    city: str  # in the locale of the list


@lru_cache(maxsize=8)
def zone_list(locale):
    """``[Zone, …]`` of the offered zones with their cities in ``locale`` (a string)."""
    return tuple(
        Zone(key, get_timezone_location(key, locale, return_city=True)) for key in offered_zones()
    )


@lru_cache(maxsize=8)
def _names(locale):
    """``[(folded name, key), …]``: each zone's city in ``locale`` and in English, the last
    part of its IANA name, and the whole IANA name."""
    english = {zone.key: zone.city for zone in zone_list("en")}
    found = []
    for zone in zone_list(locale):
        for name in {zone.city, english[zone.key], zone.key.rsplit("/", 1)[-1], zone.key}:
            found.append((fold(name), zone.key))
    # Old names of a zone find it too ("Kiev", "Calcutta").
    for alias, key in get_global("zone_aliases").items():
        if key in english:
            found.append((fold(alias.rsplit("/", 1)[-1]), key))
    return tuple((name, key) for name, key in dict.fromkeys(found) if len(name) >= 3)


@dataclass
class Found:
    """What a typed text names: one zone (``key``), or several candidates, or nothing."""

    key: str | None = None
    candidates: list = field(default_factory=list)  # [Zone, …] when several match


def resolve(text, locale="en"):
    """The zone ``text`` names, in ``locale``'s city names or any IANA name.

    An exact IANA name (any case) or a city's whole name wins; otherwise a city named as a
    whole word in the text ("Ciudad de Panamá") or one the text begins ("pari"); one zone
    found is the answer, several are candidates.
    """
    text = (text or "").strip()[:64]
    exact = _all_zones().get(text.lower())
    if exact:
        return Found(key=exact)
    folded = fold(text)
    if len(folded) < 2:
        return Found()
    names = _names(str(locale))
    keys = _unique(key for name, key in names if name == folded)
    if not keys:
        padded = f" {folded} "
        keys = _unique(key for name, key in names if f" {name} " in padded)
    if not keys:
        keys = _unique(key for name, key in names if name.startswith(folded))
    if len(keys) == 1:
        return Found(key=keys[0])
    cities = {zone.key: zone for zone in zone_list(str(locale))}
    return Found(candidates=[cities[key] for key in keys[:MAX_CANDIDATES]])


def _unique(keys):
    return list(dict.fromkeys(keys))
