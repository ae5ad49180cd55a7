"""Lazy translations that stay text: the one place the app makes them.

Flask-Babel's lazy string declares itself HTML (its ``__html__`` returns the string as it
is), so Jinja, WTForms and ``markupsafe.escape`` print it unescaped, together with whatever
was interpolated into it: a session title in an ``<option>`` label of the agenda editor
became live markup. The strings made here are text: put into HTML they are escaped whole,
interpolated values included. The catalogue lookup and the formatting are Flask-Babel's
own, and ``make messages`` extracts the calls (``-k lazy_gettext -k _l``) as before.

Use ``from wenevents.i18n import lazy_gettext as _l``; tests/security/test_no_raw_markup.py
fails on a direct import of Flask-Babel's.
"""

from flask_babel import gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape


class LazyText(LazyString):
    """A lazy translation that is text, not HTML."""

    def __html__(self) -> Markup:
        return escape(str(self))


def lazy_gettext(string, **variables):
    """Like Flask-Babel's ``lazy_gettext``: translated (and ``%``-formatted with
    ``variables``) when used, in the language of that moment; escaped when put into HTML."""
    return LazyText(gettext, string, **variables)
