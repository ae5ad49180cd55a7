"""Request ids, structured logs and one access line per request.

``Observer`` is the outermost WSGI middleware: it sees every request, the page cache's
front replays (``pagecache.Front``, which answers without Flask), 304s, error pages and
static files alike. It gives each request an id (the client's ``X-Request-ID`` when it is
short and plain, else a new one), sends it back as ``X-Request-ID``, times the request, and
writes one access line when the answer has gone. While a request runs, every log record
carries its id, method and path, and, once Flask knows them, its endpoint and the signed-in
user's id.

What these fields and the access line never hold: query strings (they may carry tokens),
bodies, cookies, headers, names, email addresses, client addresses (the people who sign in
here investigate wildlife crime; the audit log keeps addresses, for organisers only). A path
that holds an emailed link's token is logged as its route (``/invitations/<token>``).
"""

import json
import logging
import os
import re
import sys
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import g, has_request_context, request, session
from flask.logging import default_handler
from flask_login import current_user
from sqlalchemy import inspect

REQUEST_ID_HEADER = "X-Request-ID"
# The request's RequestInfo, in the WSGI environ, for Flask code and the metrics.
ENVIRON_KEY = "wenevents.request"
# Short and plain: it goes into logs and a header as it is.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Control characters in a logged path would break a text log's lines.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MAX_LOGGED_PATH = 1024
FORMATS = ("text", "json")

access_log = logging.getLogger("wenevents.access")
log = logging.getLogger(__name__)


@dataclass(eq=False)
class RequestInfo:
    """What the logs and the metrics know of one request."""

    id: str
    method: str
    path: str
    started: float
    endpoint: str | None = None
    user_id: int | None = None
    status: int | None = None
    duration: float | None = None
    # Whether Flask handled it: else the page cache's front replayed a stored answer.
    flask: bool = False

    @property
    def handler(self):
        """Who answered, as a bounded name: Flask's endpoint, ``other`` when no route
        matched (404, 405, a refused host), ``pagecache`` for the front's replays."""
        if not self.flask:
            return "pagecache"
        return self.endpoint or "other"

    def elapsed_ms(self):
        end = self.started + self.duration if self.duration is not None else time.perf_counter()
        return round((end - self.started) * 1000, 3)


_current = ContextVar("wenevents_request", default=None)


def current():
    """The RequestInfo of the request running now (in or out of Flask), or None."""
    return _current.get()


def request_id():
    """The id of the request running now, or None (a command, a worker)."""
    info = _current.get()
    return info.id if info is not None else None


def accepted_id(value):
    """The client's id if it is 1–64 letters, digits, dots, hyphens or underscores; else a
    new one (32 random hex digits)."""
    if value and _ACCEPTED_ID.fullmatch(value):
        return value
    # Random like a uuid4's hex, at a fifth of its cost (it is paid by every request).
    return os.urandom(16).hex()


def init_app(app):
    """Wrap the app in the observer, outermost; note Flask's view of each request."""
    observer = Observer(app.wsgi_app)
    app.wsgi_app = observer
    app.extensions["observability"] = observer
    app.before_request(_signed_in_user)
    app.teardown_request(_noted)


# The middleware ------------------------------------------------------------------------


class Observer:
    """WSGI middleware: the id, the timing and the access line of every request.

    ``observers``: functions called with each finished RequestInfo (the metrics).
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.observers = []

    def __call__(self, environ, start_response):
        info = RequestInfo(
            id=accepted_id(environ.get("HTTP_X_REQUEST_ID")),
            method=_clean(environ.get("REQUEST_METHOD", ""), 16),
            path=_logged_path(environ),
            started=time.perf_counter(),
        )
        environ[ENVIRON_KEY] = info
        token = _current.set(info)

        def start(status, headers, exc_info=None):
            info.status = _status_code(status)
            # Added here, never by Flask: the front replays Flask's headers as recorded.
            headers = [(n, v) for n, v in headers if n.lower() != "x-request-id"]
            headers.append((REQUEST_ID_HEADER, info.id))
            return start_response(status, headers, exc_info)

        try:
            body = self.wsgi_app(environ, start)
        except BaseException:
            # The server answers 500 itself (without our header).
            info.status = 500
            self._finish(info, token, time.perf_counter())
            raise
        return self._watched(body, environ, info, token)

    def _watched(self, body, environ, info, token):
        def done(ended):
            self._finish(info, token, ended)

        wrapper = environ.get("wsgi.file_wrapper")
        if wrapper is not None and isinstance(body, wrapper) and hasattr(body, "filelike"):
            # A file the server may send with sendfile(): wrapped again around a file
            # that tells us when it is closed, so the server still sees a file.
            return wrapper(_ClosingFile(body.filelike, done), getattr(body, "blksize", 8192))
        return _Body(body, done)

    def _finish(self, info, token, ended):
        if info.duration is not None:  # closed twice: counted once
            return
        info.duration = ended - info.started
        if info.status is None:
            info.status = 500
        try:
            for observe in self.observers:
                try:
                    observe(info)
                except Exception:  # a broken observer must never cost an answer
                    log.exception("observing a request failed")
            _access_line(info)
        finally:
            try:
                _current.reset(token)
            except (ValueError, RuntimeError):  # closed in another context, or twice
                _current.set(None)


class _Body:
    """The answer's iterable, passed through as is; its ``close`` (called by the server
    once the last byte went out) ends the request's timing and writes its access line."""

    __slots__ = ("_body", "_done")

    def __init__(self, body, done):
        self._body = body
        self._done = done

    def __iter__(self):
        return iter(self._body)

    def close(self):
        # Timed before the work that runs on close (mail sent after the response): the
        # client had its answer by then.
        ended = time.perf_counter()
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._done(ended)


class _ClosingFile:
    """A file (for ``wsgi.file_wrapper``) that reports when the server closes it."""

    def __init__(self, file, done):
        self._file = file
        self._done = done

    def __getattr__(self, name):
        return getattr(self._file, name)

    def close(self):
        ended = time.perf_counter()
        try:
            if hasattr(self._file, "close"):
                self._file.close()
        finally:
            self._done(ended)


def _status_code(status):
    try:
        return int(status.split(" ", 1)[0])
    except ValueError:
        return 500


_FEED = re.compile(r"(/feeds/)[^/]*")
_VERIFY = re.compile(r"(/verify/)[^/]*")


def _logged_path(environ):
    """SCRIPT_NAME and PATH_INFO as the client sent them (language prefix too), never the
    query string; control characters escaped, at most MAX_LOGGED_PATH characters."""
    raw = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    # WSGI gives the bytes as latin-1; they were UTF-8.
    path = raw.encode("latin-1", "replace").decode("utf-8", "backslashreplace")
    # A calendar feed's address is its secret, and a letter's code names its holder; a
    # client may ask for either in ways no route matches (another method, a trailing
    # slash): hidden whatever the route.
    path = _FEED.sub(r"\1<token>", path)
    path = _VERIFY.sub(r"\1<code>", path)
    return _clean(path, MAX_LOGGED_PATH)


def _clean(text, limit):
    text = _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)
    return text if len(text) <= limit else text[:limit] + "…"


# Flask's part --------------------------------------------------------------------------

_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _signed_in_user():
    """Load the signed-in user before the view rather than at its first use (every request
    loads it by the end: the security headers ask), so the view's records carry their id.
    Last of the app's checks: after the host, the form and the CSRF token."""
    if "_user_id" in session:
        current_user._get_current_object()


def _noted(_error=None):
    """At the end of Flask's handling (errors too): what Flask knows of the request."""
    info = request.environ.get(ENVIRON_KEY)
    if info is not None:
        _note_flask(info)


def _note_flask(info):
    """The endpoint, the path with any token hidden, and the signed-in user's id, once
    Flask-Login has loaded the user (never loaded here: no query from a log record)."""
    if not info.flask:
        info.flask = True
        info.endpoint = request.endpoint
        rule = request.url_rule
        if rule is not None and any("token" in name for name in rule.arguments):
            # An emailed link's token: the route's pattern instead of the value.
            info.path = _clean(request.script_root, 64) + _ARGUMENT.sub(r"<\1>", rule.rule)
    if info.user_id is None:
        user = g.get("_login_user")
        if user is not None and getattr(user, "is_authenticated", False):
            # The key it was loaded by: reading ``user.id`` could query an expired row.
            identity = inspect(user).identity
            info.user_id = identity[0] if identity else None


def _access_line(info):
    if access_log.isEnabledFor(logging.INFO):
        # Handled as any record (filters, every handler up to the root), but made without
        # ``Logger.info``'s caller lookup and record set-up: they were most of the cost the
        # line added to a stored page.
        access_log.handle(_AccessRecord(info))


class _AccessRecord(logging.LogRecord):
    """The access line of one request, as a log record."""

    # What LogRecord.__init__ would work out anew each time (the caller's file and line,
    # the level's name): always the same here. In the instance's __dict__, where
    # formatters look.
    _FIXED = {
        "name": access_log.name,
        "levelno": logging.INFO,
        "levelname": "INFO",
        "msg": "%s %s %s %.1f ms",
        "pathname": __file__,
        "filename": "observability.py",
        "module": __name__.rsplit(".", 1)[-1],
        "funcName": "_access_line",
        "lineno": 0,
        "exc_info": None,
        "exc_text": None,
        "stack_info": None,
        "processName": "MainProcess",
        "taskName": None,
        "access": True,
    }

    def __init__(self, info):  # LogRecord.__init__ is skipped on purpose (see above)
        self.__dict__.update(self._FIXED)
        self.created = time.time()
        self.msecs = int(self.created * 1000) % 1000
        self.relativeCreated = (self.created - logging._startTime) * 1000
        self.thread, self.threadName = threading.get_ident(), threading.current_thread().name
        self.process = os.getpid()
        self.status = info.status
        self.duration_ms = round(info.duration * 1000, 3)
        self.args = (info.method, info.path, info.status, self.duration_ms)


# Logging -------------------------------------------------------------------------------


class RequestFields(logging.Filter):
    """Puts the running request's fields on every record that reaches our handler."""

    def filter(self, record):
        info = _current.get()
        if info is None:
            return True
        if has_request_context() and request.environ.get(ENVIRON_KEY) is info:
            _note_flask(info)
        record.request_id = info.id
        record.method = info.method
        record.path = info.path
        if getattr(record, "access", False):
            record.endpoint = info.handler
        elif info.endpoint is not None:
            record.endpoint = info.endpoint
        if info.user_id is not None:
            record.user_id = info.user_id
        if not hasattr(record, "duration_ms"):
            # So far into the request; on the access line, the whole of it.
            record.duration_ms = info.elapsed_ms()
        return True


# The fields a JSON line holds after time, level, logger and message, when known.
FIELDS = ("request_id", "method", "path", "endpoint", "status", "duration_ms", "user_id")


class JsonFormatter(logging.Formatter):
    """One JSON object a line."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """``time LEVEL logger [request id] message``, for a terminal."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(request_tag)s%(message)s")

    def format(self, record):
        request_id = getattr(record, "request_id", None)
        record.request_tag = f"[{request_id}] " if request_id else ""
        if getattr(record, "access", False):
            extra = [getattr(record, "endpoint", None)]
            if getattr(record, "user_id", None) is not None:
                extra.append(f"user {record.user_id}")
            text = super().format(record)
            return f"{text} ({', '.join(e for e in extra if e)})"
        return super().format(record)


class _Handler(logging.StreamHandler):
    """Writes to the standard error stream of the moment (a test's capture too)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


class _WithoutWerkzeugAccess(logging.Filter):
    """The development server's own line per request repeats the access line, with the
    query string and the client's address: left out."""

    def filter(self, record):
        return not (isinstance(record.msg, str) and record.msg.endswith('] "%s" %s %s'))


def configure_logging(config):
    """One handler on the root logger, in LOG_FORMAT, with the request's fields; wenevents'
    loggers at LOG_LEVEL (other libraries keep theirs: warnings and above). Calling it
    again (another app in the same process) replaces the handler."""
    form = str(config.get("LOG_FORMAT") or "text").strip().lower()
    if form not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}; got {form!r}")
    level = _level(config.get("LOG_LEVEL") or "INFO")
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(handler)
    handler = _Handler()
    handler.setFormatter(JsonFormatter() if form == "json" else TextFormatter())
    handler.addFilter(RequestFields())
    root.addHandler(handler)
    ours = logging.getLogger("wenevents")
    ours.setLevel(level)
    # Flask's own handler would write each record a second time.
    ours.removeHandler(default_handler)
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, _WithoutWerkzeugAccess) for f in werkzeug.filters):
        werkzeug.addFilter(_WithoutWerkzeugAccess())


def _level(value):
    if isinstance(value, int):
        return value
    level = logging.getLevelName(str(value).strip().upper())
    if not isinstance(level, int):
        raise ValueError(
            f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL; got {value!r}"
        )
    return level
