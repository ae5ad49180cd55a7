"""What every page shares: security headers, error pages and template filters."""

import hashlib
from contextlib import suppress
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from flask import current_app, make_response, render_template, request
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from jinja2_fragments.flask import render_block
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.routing import BaseConverter

from wenevents.htmx import is_htmx


class AcronymConverter(BaseConverter):
    """A meeting's acronym in a URL: ``gmwen4``; keeps other paths out of meeting routes."""

    regex = r"[a-z0-9][a-z0-9_-]{1,39}"


def init_app(app):
    app.url_map.converters["acronym"] = AcronymConverter
    app.after_request(_caching)
    app.url_defaults(_static_version)
    # First of all checks, before CSRF's: that one would fail on the form Werkzeug dropped.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_undecodable_forms)
    for code in (400, 401, 403, 404, 405, 409, 413, 429, 500):
        app.register_error_handler(code, _error_page)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["now_utc"] = _now_utc
    app.jinja_env.filters.update(
        day=format_day,
        date_range=format_date_range,
        clock=format_clock,
        utc_offset=format_utc_offset,
        country=country_name,
        paragraphs=paragraphs,
        local_datetime=format_local_datetime,
        iso_day=format_iso_day,
    )


def _caching(response):
    """Let phones on weak Wi-Fi revalidate pages cheaply and keep static files for a year.

    Static URLs carry a hash of the file's content (``?v=``), so a changed file gets a new
    URL; pages get an ETag and must be revalidated, so a 304 answers an unchanged one.
    """
    if request.method != "GET" or response.status_code != 200:
        return response
    if request.endpoint == "static":
        if "v" in request.args:
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = 365 * 24 * 3600
            response.cache_control.immutable = True
        return response
    if response.mimetype == "text/html" and not response.cache_control.no_store:
        # Public pages only: personal ones were marked no-store by the security headers.
        response.cache_control.no_cache = True
        response.add_etag()
        response.make_conditional(request)
    return response


def _static_version(endpoint, values):
    if endpoint == "static" and "filename" in values:
        path = Path(current_app.static_folder) / values["filename"]
        # A missing file: url_for still builds, and the request will 404.
        with suppress(OSError):
            values["v"] = _content_hash(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=256)
def _content_hash(path, _mtime_ns):
    """Short hash of a static file; the mtime in the key refreshes it after a change."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def _error_page(error):
    """The error in the site's layout; for htmx, a message shown in place (see base.html)."""
    code = getattr(error, "code", 500) or 500
    titles = {
        400: _("Bad request"),
        401: _("Please sign in"),
        403: _("Not allowed"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("Too large"),
        429: _("Too many attempts"),
        500: _("Something went wrong"),
    }
    context = {"code": code, "title": titles.get(code), "error": error}
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


class NotText(BadRequest):
    """A form whose bytes are not UTF-8: refused whole, with a message saying so."""

    def __init__(self):
        super().__init__(_("What was sent contains bytes that are not valid text."))
        self.for_person = True


def refuse_undecodable_forms():
    """Werkzeug would drop such a form silently (and the CSRF check would then blame the
    token); say what is wrong instead."""
    if request.mimetype == "application/x-www-form-urlencoded":
        try:
            request.get_data(cache=True).decode("utf-8")
        except UnicodeDecodeError:
            raise NotText() from None


def format_day(value):
    """``Tuesday 21 November 2023`` in the current locale."""
    return format_date(value, "EEEE d MMMM y")


def format_iso_day(value):
    """``Tue 21 Nov 2023`` from ``2023-11-21``, as stored in a release's changelog."""
    return format_date(date.fromisoformat(value), "EEE d MMM y")


def format_date_range(start, end):
    """``21–22 November 2023``; a single date when both are the same day."""
    # CLDR has no long-month interval pattern, so build it; English, French and Spanish
    # all write day, month, year in this order.
    if start == end:
        return format_date(start, "d MMMM y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{format_date(start, 'd')}–{format_date(end, 'd MMMM y')}"
    if start.year == end.year:
        return f"{format_date(start, 'd MMMM')} – {format_date(end, 'd MMMM y')}"
    return f"{format_date(start, 'd MMMM y')} – {format_date(end, 'd MMMM y')}"


def _now_utc():
    from wenevents.accounts.models import utcnow

    return utcnow()


def format_local_datetime(value, meeting):
    """A stored (UTC) moment in the meeting's time zone, naming the zone."""
    local = value.replace(tzinfo=UTC).astimezone(meeting.tz)
    offset = format_utc_offset(local.date(), meeting.tz)
    return f"{format_date(local.date(), 'd MMMM y')}, {local:%H:%M} ({meeting.timezone}, {offset})"


def format_clock(value):
    """A wall-clock time, 24-hour as is usual in international meetings."""
    return value.strftime("%H:%M")


def format_utc_offset(day, tz):
    """``UTC−05:00`` for the zone on that day (offsets change with daylight saving)."""
    offset = datetime.combine(day, datetime.min.time(), tz).utcoffset()
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
    """Split plain text on blank lines, for <p> elements (autoescaping stays on)."""
    return [p.strip() for p in (text or "").split("\n\n") if p.strip()]
