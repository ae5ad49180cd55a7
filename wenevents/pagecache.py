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
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps

import brotli
from flask import Response, current_app, g, make_response, request, session
from flask_babel import get_locale
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from wenevents.extensions import db
from wenevents.htmx import is_htmx

# Writes to these change nothing a public page shows.
PRIVATE_TABLES = frozenset({"audit_entries", "login_sessions", "tokens", "public_version"})
# Headers a stored response keeps; the rest are set on each answer (security, caching).
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control", "Content-Language")
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


def current_version():
    """The public version now (one query by primary key).

    On a connection of its own rather than the ORM session: a stored answer needs nothing
    else from the database, and the session's setup costs more than the query."""
    with db.engine.connect() as connection:
        return connection.execute(_VERSION).scalar()


def now():
    """The wall clock's moment, for live pages without a clock of their own."""
    return datetime.now(UTC)


# Noting writes -------------------------------------------------------------------------


@event.listens_for(Session, "after_flush")
def _note_flushed_writes(session, _context):
    for instance in itertools.chain(session.new, session.dirty, session.deleted):
        if instance.__table__.name not in PRIVATE_TABLES:
            session.info["public_changed"] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _note_statement_writes(state):
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) not in PRIVATE_TABLES:
            state.session.info["public_changed"] = True


@event.listens_for(Session, "before_commit")
def _bump_version(session):
    # Flush first, so the last statement before COMMIT is this one: the row is locked for
    # the shortest time, after every other lock the transaction takes (no deadlock).
    session.flush()
    if session.info.pop("public_changed", False):
        bumped = session.execute(
            update(PublicVersion)
            .where(PublicVersion.id == 1)
            .values(number=PublicVersion.number + 1)
        )
        if bumped.rowcount == 0:
            session.execute(insert(PublicVersion).values(id=1, number=1))


@event.listens_for(Session, "after_rollback")
def _forget_writes(session):
    session.info.pop("public_changed", None)


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
            if version != self.version:
                # Entries of an older version are never asked for again.
                self._entries.clear()
                self.bytes, self.version = 0, version
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
            if version != self.version:
                return
            if key in self._entries:
                self._drop(key)
            self._entries[key] = entry
            self.bytes += entry.size
            while self.bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def _drop(self, key):
        self.bytes -= self._entries.pop(key).size

    def __len__(self):
        return len(self._entries)


def init_app(app):
    app.extensions["pagecache"] = Store(app.config["PUBLIC_CACHE_BYTES"])


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
            version, now = current_version(), time.time()
            key = _key(live)
            entry = store().get(key, version, now)
            if entry is None:
                response = make_response(view(*view_args, **view_kwargs))
                if not _storable(response):
                    return response
                entry = Entry.of(response, _expiry(now, live))
                store().put(key, version, entry)
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
    minute = None
    if live:
        moment = live() if callable(live) else now()
        minute = int(moment.timestamp() // 60)
    return (
        str(get_locale()),
        request.script_root,
        request.path,
        request.query_string,
        variant,
        minute,
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
        # Keyed by its minute too (``_key``): this only frees the memory.
        return (now // 60 + 1) * 60
    return now + current_app.config["PUBLIC_CACHE_SECONDS"]
