"""Countries, named in the reader's language (ISO 3166 via Babel)."""

from flask_babel import get_locale
from wtforms import SelectChoice

from wenevents.i18n import lazy_gettext as _l

# CLDR territories that are not countries (regions, groupings, unknown).
# Also CLDR's codes outside ISO 3166-1: Ascension, Clipperton, Sark, Diego Garcia, Ceuta and
# Melilla, Canary Islands, Tristan da Cunha, and Kosovo's provisional XK.
NOT_COUNTRIES = {
    "EU",
    "EZ",
    "UN",
    "QO",
    "XA",
    "XB",
    "ZZ",
    "AC",
    "CP",
    "CQ",
    "DG",
    "EA",
    "IC",
    "TA",
    "XK",
}


def country_choices():
    """ISO 3166 countries, named in the current language, sorted by name."""
    names = get_locale().territories
    codes = [c for c in names if len(c) == 2 and c.isalpha() and c not in NOT_COUNTRIES]
    return [
        SelectChoice("", _l("Choose a country")),
        *sorted((SelectChoice(c, names[c]) for c in codes), key=lambda choice: choice.label),
    ]
