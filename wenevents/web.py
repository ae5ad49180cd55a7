"""What every page shares: security headers, error pages and template filters."""

import hashlib
import re
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from babel.dates import format_skeleton
from flask import abort, current_app, g, make_response, render_template, request
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block
from werkzeug.exceptions import BadRequest, HTTPException, NotFound, RequestURITooLarge
from werkzeug.routing import BaseConverter, IntegerConverter, ValidationError

from wenevents import pagecache
from wenevents.clock import utcnow
from wenevents.htmx import is_htmx
from wenevents.languages import LocalText
from wenevents.security import safe_next
from wenevents.text import MAX_INT, bounded_int
from wenevents.urls import is_served, public_url

try:  # the extra `server`: gunicorn reads a chunked body as the app asks for it
    from gunicorn.http.errors import ParseException as _BrokenBody
except ImportError:  # pragma: no cover - served by another server
    _BrokenBody = None


class AcronymConverter(BaseConverter):
    """A meeting's acronym in a URL: ``gmwen4``; keeps other paths out of meeting routes."""

    regex = r"[a-z0-9][a-z0-9_-]{1,39}"


class SessionRefConverter(BaseConverter):
    """A session's stable public id in a URL: ``k4mz8q2x`` (wenevents/agenda/models.py)."""

    regex = r"[a-z][a-z0-9]{7}"


class IdConverter(IntegerConverter):
    """``<int:…>`` in every URL: ASCII digits naming what a column can hold, else a 404.

    Werkzeug's own matches any Unicode digit, any size (past 2**63 the database driver
    raises), and past 4,300 digits ``int()`` itself refuses.
    """

    regex = r"[0-9]{1,10}"

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_INT, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed=False)

    def to_python(self, value):
        if len(value) > len(str(MAX_INT)):
            raise ValidationError()
        return super().to_python(value)


def init_app(app):
    app.url_map.converters["acronym"] = AcronymConverter
    app.url_map.converters["session_ref"] = SessionRefConverter
    # Before any blueprint adds a rule: every <int:…> of the app is bounded.
    app.url_map.converters["int"] = IdConverter
    app.after_request(_caching)
    app.url_defaults(_static_version)
    # First of all checks, before CSRF's: that one would fail on the form Werkzeug dropped.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_undecodable_forms)
    # After CSRF's (registered before this): a form is parsed once, by then.
    app.before_request(refuse_unstorable_text)
    for code in (400, 401, 403, 404, 405, 409, 413, 414, 429, 500):
        app.register_error_handler(code, _error_page)
    if _BrokenBody is not None:
        app.register_error_handler(_BrokenBody, _broken_body)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["now_utc"] = utcnow
    # Absolute links (feeds, webcal://) come from PUBLIC_URL, never from the request.
    app.jinja_env.globals["public_url"] = public_url
    app.jinja_env.tests["uses_htmx"] = uses_htmx
    app.jinja_env.tests["posts_form"] = posts_form
    app.jinja_env.filters.update(
        day=format_day,
        date_range=format_date_range,
        long_date=format_long_date,
        clock=format_clock,
        utc_offset=format_utc_offset,
        country=country_name,
        paragraphs=paragraphs,
        local_datetime=format_local_datetime,
        iso_day=format_iso_day,
    )


# An htmx attribute in rendered HTML: ` hx-get="…"` or ` data-hx-post='…'`. Escaped text
# cannot open an attribute, so at worst a title that spells one loads htmx for nothing.
_HTMX_ATTRIBUTE = re.compile(r"\s(?:data-)?hx-[a-z][a-z:-]*\s*=")


def uses_htmx(html):
    """Whether rendered ``html`` carries htmx attributes (the page then loads htmx)."""
    return _HTMX_ATTRIBUTE.search(str(html)) is not None


# A form that posts, as templates write it (lower case, double quotes); text cannot spell
# it, since its quotes are escaped.
_POSTING_FORM = re.compile(r'<form\b[^>]*\smethod="post"')


def posts_form(html):
    """Whether rendered ``html`` has a form that posts (the page then loads forms.js)."""
    return _POSTING_FORM.search(str(html)) is not None


def _caching(response):
    """Let phones on weak Wi-Fi revalidate pages cheaply and keep static files for a year.

    Static URLs carry a hash of the file's content (``?v=``), so a changed file gets a new
    URL; pages get an ETag and must be revalidated, so a 304 answers an unchanged one.
    """
    if request.method != "GET" or response.status_code != 200:
        return response
    if request.endpoint == "static":
        # Read into memory (the files are small) so compression takes the whole body and
        # the file is closed with the response, not left to the garbage collector.
        response.direct_passthrough = False
        response.make_sequence()
        if "v" in request.args:
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = 365 * 24 * 3600
            response.cache_control.immutable = True
            if request.args["v"] == _static_hash(request.view_args.get("filename", "")):
                # The file's address as pages give it: the front may answer it from memory.
                pagecache.keep_asset()
        return response
    if response.mimetype == "text/html" and not response.cache_control.no_store:
        # Public pages only: personal ones were marked no-store by the security headers.
        response.cache_control.no_cache = True
        response.add_etag()
        response.make_conditional(request)
    return response


def _static_version(endpoint, values):
    if endpoint == "static" and "filename" in values:
        # A missing file: url_for still builds, and the request will 404.
        version = _static_hash(values["filename"])
        if version:
            values["v"] = version


def _static_hash(filename):
    """The content hash of a file under static/ (its ``?v=``), or None if there is none."""
    path = Path(current_app.static_folder) / filename
    try:
        return _content_hash(str(path), path.stat().st_mtime_ns)
    except OSError:
        return None


@lru_cache(maxsize=256)
def _content_hash(path, _mtime_ns):
    """Short hash of a static file; the mtime in the key refreshes it after a change."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


# (path prefix, answer(code, description)): where errors are answered as data (the API).
_JSON_ERRORS = []


def json_errors(prefix, answer):
    """Answer errors under ``prefix`` with ``answer(code, description)`` instead of the
    site's error pages."""
    _JSON_ERRORS.append((prefix, answer))


def _error_page(error, **extra):
    """The error in the site's layout; for htmx, a message shown in place (see base.html).

    ``extra``: more for the template (the uploads say their per-file limit on a 413)."""
    code = getattr(error, "code", 500) or 500
    for prefix, answer in _JSON_ERRORS:
        if request.path == prefix or request.path.startswith(prefix + "/"):
            response = answer(code, getattr(error, "description", None))
            if isinstance(error, HTTPException):  # Allow on a 405, Retry-After on a 429
                for name, value in error.get_headers():
                    if name.lower() != "content-type":
                        response.headers[name] = value
            return response
    titles = {
        400: _("Bad request"),
        401: _("Please sign in"),
        403: _("Not allowed"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("Too large"),
        414: _("Address too long"),
        429: _("Too many attempts"),
        500: _("Something went wrong"),
    }
    context = {"code": code, "title": titles.get(code), "error": error, **extra}
    if code == 413:
        # Say how much is accepted, and lead back to the form (a page of this site only).
        limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
        context.setdefault("limit", megabytes(limit))
        context["back"] = return_target()
    if is_htmx():
        response = make_response(render_block("errors/error.html", "message", **context), code)
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML"
    else:
        response = make_response(render_template("errors/error.html", **context), code)
    # Keep what the exception says beyond its page: Allow on a 405, Retry-After on a 429.
    if isinstance(error, HTTPException):
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
    return response


def megabytes(size):
    """``12.5 MB``, ``340 KB``, ``18 bytes``: a size or a limit as people read it (binary
    units), the same way on every page and message that names one."""
    if size >= 2**20:
        return f"{size / 2**20:.1f} MB".replace(".0 MB", " MB")
    if size >= 2**10:
        return f"{size // 2**10} KB"
    return f"{size} bytes"


def return_target():
    """The page a request came from (``?next=`` or its Referer), as a path of this site,
    or None. Anything naming another host, a scheme other than http(s), or a path a
    browser would read as another host is ignored: never an open redirect."""
    for candidate in (request.args.get("next"), request.referrer):
        if not candidate or len(candidate) > 2000:
            continue
        parts = urlsplit(candidate)
        elsewhere = parts.scheme not in ("http", "https") or not is_served(parts.netloc)
        if (parts.scheme or parts.netloc) and elsewhere:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        target = safe_next(path, default=None)
        if target:
            return target
    return None


class NotText(BadRequest):
    """A form whose bytes are not UTF-8: refused whole, with a message saying so."""

    def __init__(self):
        super().__init__(_("What was sent contains bytes that are not valid text."))
        self.for_person = True


class UnreadableBody(BadRequest):
    """A body the server could not take apart (a broken chunked encoding)."""

    def __init__(self):
        super().__init__(_("What was sent could not be read whole. Nothing was changed."))
        self.for_person = True


def _broken_body(error):
    """gunicorn raises from the middle of reading a body (``request.form``), not as HTTP:
    without this a broken chunk size was a 500 on any form."""
    return _error_page(UnreadableBody())


def refuse_undecodable_forms():
    """Werkzeug would drop such a form silently (and the CSRF check would then blame the
    token); say what is wrong instead."""
    if request.mimetype == "application/x-www-form-urlencoded":
        try:
            request.get_data(cache=True).decode("utf-8")
        except UnicodeDecodeError:
            raise NotText() from None


# NUL: PostgreSQL refuses it in text (an error, so a 500), and it is never part of a name,
# a title or a search. Surrogates: no UTF-8 encodes them, so no driver can send them.
# gunicorn's own limit on the request line: every server refuses the same addresses, and a
# value echoed into a page's links (quoted once per link) stays small.
MAX_URL_LENGTH = 4 * 1024
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnstorableText(BadRequest):
    """A query string or form with a character no text column can hold: refused whole."""

    def __init__(self):
        super().__init__(
            _("What was sent contains a character that is not allowed (such as a NUL byte).")
        )
        self.for_person = True


def refuse_unstorable_text():
    """The one place where a NUL byte is stopped before any query reads it: in a path it
    names nothing (404); in a query string or a form field, the request is refused (400).

    Every reader (search boxes, filters, forms, ids) can then rely on it, on SQLite and
    PostgreSQL alike. An address longer than any the site builds is refused too (414),
    whatever serves the app (gunicorn stops at a 4 KB request line, the development server never).
    """
    if len(request.path) + len(request.query_string) > MAX_URL_LENGTH:
        raise RequestURITooLarge()
    if any(_unstorable(v) for v in (request.view_args or {}).values()):
        raise NotFound()
    # Behind a trusted proxy the address comes from X-Forwarded-For; sign-ins store it.
    if _unstorable(request.remote_addr):
        raise UnstorableText()
    values = request.args.items(multi=True)
    if request.method not in ("GET", "HEAD"):
        values = [*values, *request.form.items(multi=True)]
    if any(_unstorable(key) or _unstorable(value) for key, value in values):
        raise UnstorableText()


def _unstorable(value):
    return isinstance(value, str) and _UNSTORABLE.search(value) is not None


def format_day(value):
    """``Tuesday 21 November 2023``, ``mardi 21 novembre 2023``, ``martes, 21 de noviembre
    de 2023``: each language's long date with its weekday."""
    if get_locale().language == "es":
        return format_date(value, "EEEE, d 'de' MMMM 'de' y")
    return format_date(value, "EEEE d MMMM y")


def format_iso_day(value):
    """``Tue 21 Nov 2023`` from ``2023-11-21``, as stored in a release's changelog."""
    return format_date(date.fromisoformat(value), "EEE d MMM y")


def format_long_date(value):
    """``21 November 2023``, ``21 novembre 2023``, ``21 de noviembre de 2023``."""
    return format_date(value, "long")


def format_date_range(start, end):
    """``21–22 November 2023``; a single date when both are the same day."""
    # CLDR's interval patterns abbreviate the month in English and French, so build it
    # from the long date: day, month, year in this order in all three languages.
    if start == end:
        return format_long_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{format_date(start, 'd')}–{format_long_date(end)}"
    if start.year == end.year:
        return f"{format_skeleton('MMMMd', start, locale=get_locale())} – {format_long_date(end)}"
    return f"{format_long_date(start)} – {format_long_date(end)}"


def format_local_datetime(value, meeting):
    """A stored (UTC) moment in the meeting's time zone, naming the zone."""
    local = value.replace(tzinfo=UTC).astimezone(meeting.tz)
    offset = format_utc_offset(local.date(), meeting.tz)
    return f"{format_long_date(local.date())}, {local:%H:%M} ({meeting.timezone}, {offset})"


def format_clock(value):
    """A wall-clock time, 24-hour as is usual in international meetings."""
    return value.strftime("%H:%M")


def format_utc_offset(day, tz):
    """``UTC−05:00`` for the zone on that day (offsets change with daylight saving)."""
    return offset_label(datetime.combine(day, datetime.min.time(), tz).utcoffset())


def offset_label(offset):
    """``UTC−05:00`` for an offset from UTC (a timedelta)."""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "\N{MINUS SIGN}"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def country_name(code):
    """The country's name in the current locale, from its ISO 3166 code."""
    if not code:
        return ""
    return get_locale().territories.get(code.upper(), code)


def paragraphs(text):
    """Split plain text on blank lines, for <p> elements (autoescaping stays on). A
    translation's fallback keeps its language in each paragraph."""
    parts = [p.strip() for p in (text or "").split("\n\n") if p.strip()]
    if isinstance(text, LocalText):
        return [LocalText(part, text.language, text.fallback) for part in parts]
    return parts


# What most views need from the request, read once here.


def acting_user():
    """The signed-in user as a model object (not Flask-Login's proxy), for services that
    record who did something."""
    return current_user._get_current_object()


def page_arg(name="page"):
    """The ``?page=`` of a paged list: a whole number from 1 to 10,000; anything else is 1."""
    return max(1, min(request.args.get(name, 1, type=bounded_int) or 1, 10_000))


def meeting_of_url(bp, find):
    """Load the meeting the blueprint's URLs name (``<acronym>``) once, as ``g.meeting``.

    ``find(acronym)`` is the owning service's lookup (which meetings it may return is its
    rule: organisers see drafts, the public does not); None is a 404. Views then take no
    ``acronym`` argument, and ``url_for`` fills it in from ``g.meeting``.

    The lookup runs as a ``before_request`` function: after the app's checks (CSRF) and
    after the blueprint's own ones registered before this call (who may see its pages), so
    the order of refusals stays that of a view decorated with them, and a visitor refused
    never learns from a 404 whether a draft meeting exists.
    """

    @bp.url_value_preprocessor
    def _take(_endpoint, values):
        if values and "acronym" in values:
            g.meeting_acronym = values.pop("acronym")
            g.meeting_find = find

    @bp.before_request
    def _load():
        url_meeting()  # a before_request function that returned it would end the request

    @bp.url_defaults
    def _fill(endpoint, values):
        meeting = g.get("meeting")
        if (
            meeting is not None
            and "acronym" not in values
            and current_app.url_map.is_endpoint_expecting(endpoint, "acronym")
        ):
            values["acronym"] = meeting.acronym


def url_meeting():
    """The meeting the URL names (see ``meeting_of_url``), looked up on first use: by the
    blueprint before its views, or earlier by work that runs before them (an upload's
    target is checked while the CSRF check reads the request body)."""
    if "meeting_acronym" in g:
        g.meeting = g.pop("meeting_find")(g.pop("meeting_acronym")) or abort(404)
    return g.get("meeting")
