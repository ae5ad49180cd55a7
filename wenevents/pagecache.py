"""Public pages rendered once and served from memory.

The public sees only what organisers have released, so a public page or export depends on
little besides the database: it is rendered once per *public version*, kept with a strong
ETag and its gzip and brotli bodies, and served as stored bytes. A conditional request gets
a 304 without rendering.

- **Invalidation across instances.** Any committed write to a table the public may see
  adds one to the single row of ``public_version`` (in the same transaction, as its last
  statement). Each cached request reads that row (one primary-key query) and keys its
  entry with it, so every instance serves new content from the commit on. Writes that the
  public never sees (audit entries, sign-in sessions, tokens) leave it alone.
- **Only anonymous requests share.** A request with a signed-in session, a flashed message
  or a remember-me cookie is rendered as before, for that person alone; a response that
  carries a form token, sets a cookie or is marked private is never stored.
- **Time.** A page that shows what runs now (``live=True``) is kept until the next minute
  begins; the rest for at most ``PUBLIC_CACHE_SECONDS``. Slides that open when their
  session starts and "now and next" are therefore at most a minute late, as the page's own
  poll is.
- **Bounded.** ``PUBLIC_CACHE_BYTES`` per process; the least recently used entry goes
  first, and a new version drops every entry of the old one.
"""

import gzip
import hashlib
import itertools
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps

import brotli
from flask import Response, current_app, g, make_response, request, session
from flask_babel import get_locale
from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.http import parse_cookie

from wenevents.extensions import db
from wenevents.htmx import is_htmx

# Writes to these change nothing a public page shows.
PRIVATE_TABLES = frozenset(
    {
        "audit_entries",
        "login_sessions",
        "tokens",
        "public_version",
        "outgoing_mail",
        "mail_attempts",
        "follows",
        "calendar_feeds",
        "checkin_helpers",
        "letter_requests",
        "letters",
        "letter_texts",
    }
)
# Columns of other tables that no public page shows: an update of only these (a sign-in
# noting its time) keeps every stored page.
PRIVATE_COLUMNS = {
    "users": frozenset({"last_login_at", "password_hash", "language", "change_notices"}),
    # The door's bookkeeping: a check-in must not empty the stored schedule at the venue.
    "registrations": frozenset(
        {"badge_printed_at", "checked_in_at", "checked_in_by_id", "updated_at"}
    ),
}
# Headers a stored response keeps; the rest are set on each answer (security, caching).
_KEPT_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Cache-Control",
    "Content-Language",
    "Link",
)
# Quality for brotli and gzip: near the best ratio at a few milliseconds for 100 KB.
BROTLI_QUALITY = 9
GZIP_LEVEL = 6
# Bodies this small gain nothing from compression.
MIN_COMPRESSED = 500


class PublicVersion(db.Model):
    """One row: how many committed writes have changed what the public may see."""

    __tablename__ = "public_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(default=0)


@event.listens_for(PublicVersion.__table__, "after_create")
def _first_row(table, connection, **_kwargs):
    # Databases built from the models (tests); migrations insert it themselves.
    connection.execute(insert(table).values(id=1, number=0))


_VERSION = select(PublicVersion.number).where(PublicVersion.id == 1)


def current_version(engine=None):
    """The public version now (one query by primary key), through ``engine`` (the app's).

    On a connection of its own rather than the ORM session: a stored answer needs nothing
    else from the database, and the session's setup costs more than the query."""
    with (engine or db.engine).connect() as connection:
        return connection.execute(_VERSION).scalar()


def now():
    """The wall clock's moment, for live pages without a clock of their own."""
    return datetime.now(UTC)


# Noting writes -------------------------------------------------------------------------


@event.listens_for(Session, "after_flush")
def _note_flushed_writes(session, _context):
    added_or_deleted = itertools.chain(session.new, session.deleted)
    if any(i.__table__.name not in PRIVATE_TABLES for i in added_or_deleted) or any(
        _changes_public(i) for i in session.dirty
    ):
        session.info["public_changed"] = True


def _changes_public(instance):
    """Whether an update of ``instance`` (still with its history: after the flush, before
    its end) changed a column some public page may show."""
    table = instance.__table__.name
    if table in PRIVATE_TABLES:
        return False
    private = PRIVATE_COLUMNS.get(table)
    if private is None:
        return True
    changed = {a.key for a in inspect(instance).attrs if a.history.has_changes()}
    return not changed <= private


@event.listens_for(Session, "do_orm_execute")
def _note_statement_writes(state):
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        name = getattr(table, "name", None)
        if name in PRIVATE_TABLES:
            return
        if state.is_update and name in PRIVATE_COLUMNS:
            # The columns an UPDATE sets (SQLAlchemy keeps them on the statement).
            values = getattr(state.statement, "_values", None) or {}
            columns = {getattr(column, "key", column) for column in values}
            if columns and columns <= PRIVATE_COLUMNS[name]:
                return
        state.session.info["public_changed"] = True


@event.listens_for(Session, "before_commit")
def _bump_version(session):
    # Flush first, so the last statement before COMMIT is this one: the row is locked for
    # the shortest time, after every other lock the transaction takes (no deadlock).
    session.flush()
    if session.info.pop("public_changed", False):
        session.info["public_bumped"] = True
        bumped = session.execute(
            update(PublicVersion)
            .where(PublicVersion.id == 1)
            .values(number=PublicVersion.number + 1)
        )
        if bumped.rowcount == 0:
            session.execute(insert(PublicVersion).values(id=1, number=1))


@event.listens_for(Session, "after_commit")
def _note_own_commit(session):
    if session.info.pop("public_bumped", False):
        _own_commits.note()


@event.listens_for(Session, "after_rollback")
def _forget_writes(session):
    session.info.pop("public_changed", None)
    session.info.pop("public_bumped", None)


class _Counter:
    """Public commits made by this process (any app in it): the front's version read
    before one is not reused after it."""

    def __init__(self):
        self.value = 0
        self._lock = threading.Lock()

    def note(self):
        with self._lock:
            self.value += 1


_own_commits = _Counter()


class VersionWatch:
    """The public version for the front, read again when ``seconds`` have passed since
    the last read or this process committed a public change since it: a request costs
    no query when others came just before it, and what another instance published is
    served within ``seconds``."""

    def __init__(self, seconds, clock=time.monotonic):
        self.seconds = seconds
        self.clock = clock
        # (version, when it was read, own commits before the read), swapped whole.
        self._last = None

    def version(self, read):
        commits = _own_commits.value
        moment = self.clock()
        last = self._last
        if last is not None and last[2] == commits and moment - last[1] < self.seconds:
            return last[0]
        # The count is taken before the query: a commit during it makes the next request
        # read again.
        version = read()
        self._last = (version, moment, commits)
        return version


# The store -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One stored answer: its bodies by content coding, its ETag, its headers."""

    bodies: dict
    etag: str
    headers: tuple
    expires: float

    @property
    def size(self):
        return sum(len(body) for body in self.bodies.values())

    @classmethod
    def of(cls, response, expires):
        body = response.get_data()
        bodies = {"identity": body}
        if len(body) >= MIN_COMPRESSED and _compressible(response.mimetype):
            bodies["br"] = brotli.compress(body, quality=BROTLI_QUALITY)
            bodies["gzip"] = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        headers = tuple(
            (name, value) for name, value in response.headers.items() if name in _KEPT_HEADERS
        )
        return cls(bodies, hashlib.sha256(body).hexdigest()[:32], headers, expires)

    def answer(self):
        """The stored bytes in the best coding the request accepts; 304 if it has them."""
        coding = _coding(self.bodies)
        etag = self.etag if coding == "identity" else f"{self.etag}:{coding}"
        response = Response(headers=list(self.headers))
        response.set_etag(etag)
        if len(self.bodies) > 1:
            response.vary.add("Accept-Encoding")
        if request.if_none_match.contains(etag):
            response.status_code = 304
            return response
        response.set_data(self.bodies[coding])
        if coding != "identity":
            response.headers["Content-Encoding"] = coding
        return response


def _compressible(mimetype):
    return mimetype.startswith("text/") or mimetype in (
        "application/json",
        "application/xml",
        "application/atom+xml",
        "application/javascript",
    )


def _coding(bodies):
    accepted = request.accept_encodings
    for coding in ("br", "gzip"):
        if coding in bodies and accepted[coding]:
            return coding
    return "identity"


class Store:
    """Entries by key, least recently used first, at most ``max_bytes`` in all."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.bytes = 0
        self.version = None
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, version, now):
        with self._lock:
            if not self._at(version):
                return None
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires <= now:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key, version, entry):
        if entry.size > self.max_bytes // 8:
            return
        with self._lock:
            if not self._at(version):
                return
            if key in self._entries:
                self._drop(key)
            self._entries[key] = entry
            self.bytes += entry.size
            while self.bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def _at(self, version):
        """Whether entries of ``version`` are kept: a newer one drops every older entry
        (they are never asked for again); an older one (read before another thread saw
        the newer) is neither served nor stored."""
        if self.version is None or version > self.version:
            self._entries.clear()
            self.bytes, self.version = 0, version
        return version == self.version

    def _drop(self, key):
        self.bytes -= self._entries.pop(key).size

    def __len__(self):
        return len(self._entries)

    def __contains__(self, key):
        return key in self._entries


def init_app(app):
    app.extensions["pagecache"] = Store(app.config["PUBLIC_CACHE_BYTES"])
    # Outermost: a repeated request is answered before any other middleware or Flask runs.
    app.wsgi_app = app.extensions["pagecache.front"] = Front(app, app.wsgi_app)


def store():
    return current_app.extensions["pagecache"]


# The decorator -------------------------------------------------------------------------


def public(view=None, *, args=(), live=False):
    """Serve a public view from the store for anonymous requests.

    ``args``: the query arguments the view reads; a request with any other is rendered and
    not stored (a stranger cannot fill the store with variants). ``live``: the page shows
    what runs now, so each minute has its own entry: ``True`` for the wall clock's minute,
    or a function giving the moment the page is rendered for (the agenda's clock).
    """

    def decorate(view):
        allowed = frozenset(args)

        @wraps(view)
        def wrapper(*view_args, **view_kwargs):
            if not current_app.config["PUBLIC_CACHE"] or not _shared(allowed):
                return view(*view_args, **view_kwargs)
            version = request.environ.get(_VERSION_READ)
            if version is None:
                version = current_version()
            now = time.time()
            key = _key(live)
            entry = store().get(key, version, now)
            if entry is None:
                response = make_response(view(*view_args, **view_kwargs))
                if not _storable(response):
                    return response
                entry = Entry.of(response, _expiry(now, live))
                store().put(key, version, entry)
            request.environ[_RECORDABLE] = (version, _minute(live), live, entry.expires)
            return entry.answer()

        return wrapper

    return decorate(view) if view is not None else decorate


def _shared(allowed):
    """Whether this request may get the answer everyone gets."""
    if request.method not in ("GET", "HEAD") or not set(request.args) <= allowed:
        return False
    if request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
        return False
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return True
    return "_user_id" not in session and "_flashes" not in session


def _key(live):
    # The language as chosen for this request (address, cookie or browser); htmx
    # fragments apart from pages, by the element they replace; a live page by its minute.
    variant = ("fragment", request.headers.get("HX-Target")) if is_htmx() else ("page",)
    return (
        str(get_locale()),
        request.script_root,
        request.path,
        request.query_string,
        variant,
        _minute(live),
    )


def _storable(response):
    cache = response.cache_control
    return (
        response.status_code == 200
        and not response.is_streamed
        and not cache.no_store
        and not cache.private
        and "Set-Cookie" not in response.headers
        and not session.modified
        and current_app.config["WTF_CSRF_FIELD_NAME"] not in g
    )


def _expiry(now, live):
    if live:
        # Keyed by its minute too (``_key``), which is what keeps it right; this only
        # frees the memory. A minute from now, not the minute's end: a render that began
        # just before the minute turned must not be stored already expired.
        return now + 60
    return now + current_app.config["PUBLIC_CACHE_SECONDS"]


# The front: repeated requests answered before Flask ------------------------------------

_RECORDABLE = "wenevents.pagecache"
_VERSION_READ = "wenevents.pagecache.version"
_ASSET = "wenevents.pagecache.asset"
# Static files kept by the front, beside the pages (they outlive a new public version).
ASSET_BYTES = 8 * 1024 * 1024
# What in a request may change the answer Flask gives to an anonymous visitor; the
# front's entry for a request is found by all of these together, so a request that
# differs in any of them goes to Flask. (Cookies: a request with any cookie but the
# language's goes to Flask.)
_REQUEST_KEYS = (
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "HTTP_HOST",
    "wsgi.url_scheme",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_PREFIX",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_ACCEPT_ENCODING",
    "HTTP_HX_REQUEST",
    "HTTP_HX_TARGET",
    "HTTP_HX_BOOSTED",
    "HTTP_HX_HISTORY_RESTORE_REQUEST",
)


@dataclass(frozen=True)
class Recorded:
    """Flask's final answer to one exact anonymous request (after every after-request
    function: security headers, compression), kept for the same request again."""

    status: str
    headers: tuple
    body: bytes
    etag: str | None
    minute: int | None
    live: object
    expires: float

    @property
    def size(self):
        return len(self.body) + 200


def keep_asset():
    """Let the front replay this request's answer, a static file under its content hash
    (web.py): the same bytes for everyone, signed in or not, until the file changes (and
    with it the address)."""
    request.environ[_ASSET] = True


class Front:
    """WSGI middleware: an anonymous GET seen before, whose answer came from the store, is
    answered with the bytes Flask sent then, after the same checks as the store's (the
    public version, the expiry, a live page's minute), without Flask's request handling.
    A static file at its hashed address (``keep_asset``) is replayed to anyone, with no
    query: its bytes depend on nothing in the database.

    Anything else goes to Flask: other methods, requests with a session, remember-me or
    any other cookie, conditional requests other than If-None-Match, and answers that
    carry rate-limit counts (a render of an export: its limit counts renders).
    """

    def __init__(self, app, wsgi_app):
        self.flask = app
        self.wsgi_app = wsgi_app
        self.records = Store(app.config["PUBLIC_CACHE_BYTES"] // 2)
        self.assets = Store(ASSET_BYTES)
        self.engine = None
        self.watch = VersionWatch(app.config["PUBLIC_VERSION_SECONDS"])

    def __call__(self, environ, start_response):
        config = self.flask.config
        if not config["PUBLIC_CACHE"] or not _plain_get(environ):
            return self.wsgi_app(environ, start_response)
        request_key = tuple(environ.get(name) for name in _REQUEST_KEYS)
        if request_key in self.assets:
            asset = self.assets.get(request_key, 0, 0)
            if asset is not None:
                return _replay(asset, environ, start_response)
        if not _anonymous(environ):
            return self._record(request_key, environ, start_response, anonymous=False)
        key = (*request_key, environ.get("HTTP_COOKIE"))
        if key not in self.records:
            # Never answered from the store (a static file, a form): no query here.
            return self._record(key, environ, start_response)
        version = self._version()
        # The decorator reads it from here: at most one query a request, hit or miss.
        environ[_VERSION_READ] = version
        record = self.records.get(key, version, time.time())
        if record is not None and record.minute == _minute(record.live):
            return _replay(record, environ, start_response)
        return self._record(key, environ, start_response)

    def _version(self):
        if self.engine is None:
            with self.flask.app_context():
                self.engine = db.engine
        return self.watch.version(lambda: current_version(self.engine))

    def _record(self, key, environ, start_response, anonymous=True):
        """Flask's answer, kept when Flask marked it as the same for everyone: a public page
        (anonymous requests only; ``key`` then ends with the cookies) or a static file."""
        seen = {}

        def remember(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, remember)
        if environ.get(_ASSET):
            # Bound to its content, not to the public version: kept until pushed out.
            request_key = key[: len(_REQUEST_KEYS)]
            return _kept(self.assets, request_key, 0, (None, None, math.inf), seen, body)
        noted = environ.get(_RECORDABLE)
        if noted is None or not anonymous:
            return body
        version, minute, live, expires = noted
        return _kept(self.records, key, version, (minute, live, expires), seen, body)


def _kept(store, key, version, timing, seen, body):
    """``body``, read whole and put in ``store`` if nothing in the answer is personal."""
    if not seen.get("status", "").startswith("200"):
        return body
    names = {name.lower() for name, _value in seen["headers"]}
    cache = " ".join(v for n, v in seen["headers"] if n.lower() == "cache-control")
    if names & {"set-cookie", "x-ratelimit-limit"} or "no-store" in cache or "private" in cache:
        # Made for one person, or counted against a limit in Flask: never replayed.
        return body
    try:
        data = b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    headers = tuple(seen["headers"])
    etag = next((v for n, v in headers if n.lower() == "etag"), None)
    store.put(key, version, Recorded(seen["status"], headers, data, etag, *timing))
    return [data]


def _plain_get(environ):
    if environ.get("REQUEST_METHOD") != "GET":
        return False
    if environ.get("HTTP_IF_MODIFIED_SINCE") or environ.get("HTTP_RANGE"):
        return False
    return "*" not in environ.get("HTTP_IF_NONE_MATCH", "")


def _anonymous(environ):
    cookies = environ.get("HTTP_COOKIE")
    if not cookies:
        return True
    return set(parse_cookie(cookies)) <= {"language"}


def _minute(live):
    if not live:
        return None
    moment = live() if callable(live) else now()
    return int(moment.timestamp() // 60)


def _replay(record, environ, start_response):
    if record.etag and record.etag in environ.get("HTTP_IF_NONE_MATCH", ""):
        headers = [
            (name, value)
            for name, value in record.headers
            if name.lower() not in ("content-length", "content-type", "content-encoding")
        ]
        start_response("304 NOT MODIFIED", headers)
        return [b""]
    start_response(record.status, list(record.headers))
    return [record.body]
