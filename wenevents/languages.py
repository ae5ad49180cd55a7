"""The three CITES languages: which one a request is in, and content in each of them.

A page's language comes from its address first: ``/fr/…`` and ``/es/…`` (and ``/en/…``) are
the same pages, one shareable, cacheable URL per language. The prefix is moved into the
script root by ``LanguagePrefix`` before Flask sees the request, so every ``url_for`` on a
French page (links, form actions, the URLs htmx asks for) stays French without knowing it.

An address without a prefix is negotiated: the reader's saved choice (their account, else
the cookie the language switch sets), else ``Accept-Language``, else English. Such answers
vary on those headers and say so.

Organisers' content (a meeting's title, a session's description, a network's name…) is
written in English and may carry French and Spanish versions in a ``translations`` JSON
column: ``{"fr": {"title": "…"}, "es": {…}}``. ``localized`` reads the reader's version and
falls back to the English original, which then carries its own ``lang`` when put into HTML.
"""

import re
from contextlib import contextmanager
from urllib.parse import urlencode

from flask import current_app, g, has_request_context, request
from flask_babel import force_locale, get_locale, get_translations
from markupsafe import Markup, escape
from sqlalchemy import JSON
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import Mapped, mapped_column

ENGLISH = "en"
ENGLISH_LOCALE = "en_GB"
LANGUAGES = ("en", "fr", "es")
TRANSLATED = ("fr", "es")  # the languages content is translated into
# Each language's name in itself: the switch must be readable by someone who reads no other.
NAMES = {"en": "English", "fr": "Français", "es": "Español"}
COOKIE = "language"
_PREFIX = re.compile(r"^/(en|fr|es)(?=/|$)")


class LanguagePrefix:
    """WSGI middleware: ``/fr/meetings/x`` reaches Flask as ``/meetings/x`` under the script
    root ``/fr``, with the language noted in the environ."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        match = _PREFIX.match(path)
        if match:
            environ["wenevents.language"] = match.group(1)
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + match.group(0)
            environ["PATH_INFO"] = path[match.end() :] or "/"
        return self.app(environ, start_response)


def from_address():
    """The language the address names, or None for an address without a prefix."""
    return request.environ.get("wenevents.language") if has_request_context() else None


def select_locale():
    """Flask-Babel's locale selector (see the module's docstring for the order)."""
    if not has_request_context():
        return ENGLISH_LOCALE
    g.language_negotiated = not from_address()
    language = from_address() or preferred()
    # English is written the British way, as CITES documents are ("21 November 2023").
    return ENGLISH_LOCALE if language == ENGLISH else language


def preferred():
    """The reader's language when the address does not say: their account, their cookie,
    their browser."""
    from flask_login import current_user  # the user loader is the accounts domain's

    saved = getattr(current_user, "language", None) if current_user else None
    if saved in LANGUAGES:
        return saved
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(LANGUAGES) or ENGLISH


def current():
    """The two-letter code of the language being written now."""
    try:
        locale = get_locale()
    except RuntimeError:  # no app context: a script
        return ENGLISH
    return locale.language if locale else ENGLISH


@contextmanager
def writing_in(language):
    """Write (a mail, a file) in ``language``: the catalogue, the dates, the content's
    translations and the links' prefix all follow it."""
    language = language if language in LANGUAGES else ENGLISH
    with force_locale(ENGLISH_LOCALE if language == ENGLISH else language):
        yield


def prefix():
    """The address prefix of the language being written ("" for English)."""
    language = current()
    return "" if language == ENGLISH else f"/{language}"


def language_path(language, path=None):
    """``path`` (this request's, by default) in ``language``: the script root the site is
    served under, the language's prefix, then the path and query."""
    if path is None:
        path = this_path()
    root = request.script_root
    if from_address():
        root = root[: -len("/" + from_address())]
    return f"{root}/{language}{path}"


# web.MAX_URL_LENGTH; not imported, as the web layer imports this module.
MAX_QUERY_TO_REPEAT = 4 * 1024


def this_path():
    """This request's path and query, without the script root or the language prefix.

    A ``next`` that leaves the site is dropped: the switch and the alternates repeat this
    address on the page, which must not carry someone else's link onward.
    """
    from wenevents.security import safe_next  # here: security imports urls, which imports us

    if not request.query_string:
        return request.path
    if len(request.query_string) > MAX_QUERY_TO_REPEAT:
        # Too long to be one the site built (it is refused, 414): each link would repeat it.
        return request.path
    kept = [
        (key, value)
        for key, value in request.args.items(multi=True)
        if key != "next" or safe_next(value, default=None)
    ]
    return request.path + (f"?{urlencode(kept)}" if kept else "")


def alternates():
    """``[(hreflang, absolute URL)]`` of this page in each language, and its negotiated
    address as ``x-default``; built from PUBLIC_URL, never from the request's host."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    path = this_path()
    return [(code, f"{base}/{code}{path}") for code in LANGUAGES] + [("x-default", f"{base}{path}")]


def vary(response):
    """A negotiated answer varies on what decided its language."""
    if g.get("language_negotiated"):
        response.vary.update(("Accept-Language", "Cookie"))
    return response


class LocalText(str):
    """A translated text that knows its language; in HTML, a fallback carries ``lang``."""

    def __new__(cls, text, language, fallback):
        self = super().__new__(cls, text)
        self.language = language
        self.fallback = fallback
        return self

    def __html__(self):
        if self.fallback:
            return Markup('<span lang="{}">{}</span>').format(self.language, str(self))
        return escape(str(self))


def localized(obj, field, language=None):
    """``obj.field`` in ``language`` (the reader's by default), else the English original."""
    language = language or current()
    if isinstance(obj, dict):  # a release's snapshot entry, or a change between two
        original, translations = obj.get(field) or "", obj.get("translations")
    else:
        original, translations = getattr(obj, field) or "", getattr(obj, "translations", None)
    if language == ENGLISH:
        return LocalText(original, ENGLISH, False)
    text = ((translations or {}).get(language) or {}).get(field, "")
    if text.strip():
        return LocalText(text, language, False)
    return LocalText(original, ENGLISH, bool(original))


def translation(obj, field, language):
    """The stored ``language`` version of ``obj.field`` ("" when there is none)."""
    return ((obj.translations or {}).get(language) or {}).get(field, "")


def set_translation(obj, field, language, text):
    """Store (or, with an empty ``text``, remove) the ``language`` version of ``field``."""
    translations = {code: dict(fields) for code, fields in (obj.translations or {}).items()}
    fields = translations.setdefault(language, {})
    text = (text or "").strip()
    if text:
        fields[field] = text
    else:
        fields.pop(field, None)
    obj.translations = {code: fields for code, fields in translations.items() if fields}


def missing(obj, language, fields=None):
    """The translated fields of ``obj`` (or ``fields`` of it: a row read for them, not a
    model) that have English text but no ``language`` version."""
    return [
        field
        for field in fields or obj.translated_fields
        if (getattr(obj, field) or "").strip() and not translation(obj, field, language).strip()
    ]


class Translated:
    """Mixin for a model whose ``translated_fields`` have French and Spanish versions."""

    translated_fields: tuple[str, ...] = ()
    translations: Mapped[dict] = mapped_column(
        MutableDict.as_mutable(JSON), default=dict, server_default="{}"
    )

    def tr(self, field, language=None):
        return localized(self, field, language)


def init_app(app):
    app.wsgi_app = LanguagePrefix(app.wsgi_app)
    # Templates' _() and ngettext() as Flask-Babel installs them, with the catalogue looked
    # up once per request and locale rather than on each call: a list of fifty rows asks
    # for a hundred translations, and each lookup walked Flask-Babel's context anew.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.after_request(vary)
    app.jinja_env.filters["tr"] = localized
    # For attributes and the <title>: the text alone, with no element around it.
    app.jinja_env.filters["tr_text"] = lambda obj, field: str.__str__(localized(obj, field))
    app.jinja_env.globals.update(
        LANGUAGE_NAMES=NAMES,
        LANGUAGES=LANGUAGES,
        language_alternates=alternates,
        current_language=current,
        this_path=this_path,
    )


def _translations():
    """Flask-Babel's catalogue for the locale in force (``force_locale`` too: a mail in its
    reader's language), kept on the request's Flask-Babel context by that locale."""
    context = g.get("_flask_babel") if g else None
    locale = getattr(context, "babel_locale", None)
    if locale is None:  # the first lookup of the request sets it
        return get_translations()
    kept = context.__dict__.setdefault("wenevents_catalogues", {})
    found = kept.get(id(locale))
    if found is None or found[0] is not locale:
        found = kept[id(locale)] = (locale, get_translations())
    return found[1]
