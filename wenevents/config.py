"""Configuration: defaults, then instance/config.py, then WENEVENTS_* variables, then tests."""

import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

# Settings a deployment may change; README's configuration table lists the same names.
DEFAULTS = {
    # The address people reach the site at. Every absolute link (mail, feeds, calendar and
    # frab files) is built from it, never from the request, and requests for any other
    # host are refused (400). Left as is, the site serves 127.0.0.1 only: a deployment
    # that forgets it answers nothing rather than trusting the Host header.
    "PUBLIC_URL": "http://127.0.0.1:5000",
    # Further host names the site answers for (an old domain, say); links still use
    # PUBLIC_URL. A list, or names separated by commas.
    "EXTRA_HOSTS": [],
    "DATABASE_URL": None,  # None: SQLite file in the instance folder
    "UPLOAD_DIR": None,  # None: instance/uploads
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # en_GB: dates read "21–22 November 2023", as in UN documents.
    "BABEL_DEFAULT_LOCALE": "en_GB",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "LANGUAGES": ["en", "fr", "es"],
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "MAX_FORM_MEMORY_SIZE": 500_000,
    # Bodies beyond this are refused with 413 before they are read.
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
    # Materials (slides, information sheets, meeting documents): the limit per file,
    # enforced while the body arrives; the upload views alone accept bodies this large.
    "UPLOAD_MAX_BYTES": 100 * 1024 * 1024,
    # Behind nginx on the same host: the folder where nginx stores upload bodies for the
    # app to read (its client_body_temp_path; deploy/nginx.conf), and the key nginx sends
    # with each (X-Wenevents-Body-Key), which no one else has. None: bodies come with the
    # request.
    "UPLOAD_BODY_DIR": None,
    "UPLOAD_BODY_KEY": None,
    # Files in one form sent without JavaScript (the page sends one file per request).
    "UPLOAD_MAX_FILES": 5,
    # Office files are ZIP archives: refused beyond these, before anything is unpacked.
    "UPLOAD_ZIP_MAX_ENTRIES": 10_000,
    "UPLOAD_ZIP_MAX_UNPACKED": 512 * 1024 * 1024,
    # Materials each person, and each network's slots, may keep per meeting: every file
    # on disk counts, earlier versions too (a restore shares its file). None: no limit.
    # Organisers are never refused; what they upload for a network counts for it.
    "UPLOAD_QUOTA_PER_PERSON": 250 * 1024 * 1024,
    "UPLOAD_QUOTA_PER_NETWORK": 500 * 1024 * 1024,
    # A file answer to a registration question (a nomination letter, say).
    "REGISTRATION_FILE_MAX_BYTES": 10 * 1024 * 1024,
    # CSRF tokens live as long as the sign-in; an old open tab still submits.
    "WTF_CSRF_TIME_LIMIT": None,
    # Sign-in: a session ends after this much inactivity, and after this long at most.
    "IDLE_TIMEOUT_MINUTES": 30,
    "SESSION_MAX_HOURS": 12,
    "INVITATION_DAYS": 7,
    "RESET_HOURS": 2,
    # Mail: without MAIL_SERVER, messages are written to instance/outbox/.
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "wenevents <no-reply@localhost>",
    "MAIL_TIMEOUT": 10,
    # The worker (wenevents worker): how often it looks for mail that is due; how often a
    # message is tried before it is marked failed (the waits double from 30 s to an hour:
    # 20 tries span about 14 hours); after how long a message a worker took and never
    # finished (it died) is taken by another; how long a failed message's body is kept.
    "MAIL_POLL_SECONDS": 1.0,
    "MAIL_MAX_ATTEMPTS": 20,
    "MAIL_LEASE_SECONDS": 120,
    "MAIL_KEEP_DAYS": 30,
    # Rate limits (Flask-Limiter). memory:// is per process; use redis:// when several
    # instances run, so they share the counts.
    "RATELIMIT_STORAGE_URL": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    # Explicit: Flask-Limiter keeps the last app's choice as the default of the next one.
    "RATELIMIT_ENABLED": True,
    "LOGIN_LIMIT_PER_ACCOUNT": "9 per 15 minutes",
    "LOGIN_LIMIT_PER_IP": "30 per minute",
    "RESET_LIMIT": "5 per hour",
    "INVITE_LIMIT": "30 per hour",
    # Generous: delegates on one venue network share an address.
    "REGISTRATION_LIMIT": "60 per hour",
    # Per address, all exports together (calendar, frab, PDF, ZIP, CSV/XLSX): two a second
    # on average, so a whole venue behind one address still gets its files.
    "EXPORT_LIMIT": "120 per minute",
    # Per address: material uploads (one file per request with JavaScript).
    "UPLOAD_LIMIT": "120 per hour",
    # Who counts as a participant (the directory, focal points' contact fields, the
    # participants list, participants' materials): organisers, focal points and delegates
    # whose registration is approved; True counts registrations endorsed by their network.
    "PARTICIPANTS_INCLUDE_ENDORSED": False,
    # Pages, styles, scripts and text exports are compressed (Flask-Compress): brotli where
    # the browser takes it, else gzip. A proxy that compresses may turn this off.
    "COMPRESS_REGISTER": True,
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    # Streamed answers (ZIPs, large files) go out as they are: compressing a stream would
    # leave its file open until the garbage collector comes.
    "COMPRESS_STREAMS": False,
    # Files anyone may download are kept this long by browsers and shared caches (then
    # revalidated with their ETag); files for participants or organisers never are.
    "PUBLIC_FILE_MAX_AGE": 600,
    # Public pages and exports rendered once per published state (pagecache.py): on, at
    # most this many bytes per process, each kept at most this many seconds (pages that
    # show what runs now: until the next minute).
    "PUBLIC_CACHE": True,
    "PUBLIC_CACHE_BYTES": 64 * 1024 * 1024,
    "PUBLIC_CACHE_SECONDS": 3600,
    # How long the front may answer from the public version it last read before reading
    # it again: what another instance published is served here within this time (this
    # process's own commits at once). 0 reads it for every request.
    "PUBLIC_VERSION_SECONDS": 0.25,
    # Behind N reverse proxies, trust the last N X-Forwarded-For hops; 0: trust none.
    "TRUSTED_PROXY_COUNT": 0,
    # Logs (observability.py): "text" to read in a terminal, "json" (one object a line)
    # for a log collector; the level of wenevents' own loggers.
    "LOG_FORMAT": "text",
    "LOG_LEVEL": "INFO",
    # Client addresses or networks that may read /metrics without signing in (the
    # Prometheus server); signed-in organisers always may, everybody else gets a 404.
    "METRICS_ALLOW": [],
    # Keys that seal passport details (letters/sealing.py): Fernet keys separated by
    # commas, the first sealing; empty: instance/letters.key, made on first use.
    "LETTERS_KEYS": "",
    # Verification of letters by their code, per client address (an embassy's checks).
    "VERIFY_LIMIT": "10 per minute;100 per day",
}


LOOPBACK = ("127.0.0.1", "localhost")


def load(app, test_config=None):
    """Apply the four layers of configuration to ``app`` in order."""
    app.config.update(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("WENEVENTS")
    if test_config:
        app.config.update(test_config)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    if not app.config.get("UPLOAD_DIR"):
        app.config["UPLOAD_DIR"] = str(instance / "uploads")
    url = app.config.get("DATABASE_URL") or f"sqlite:///{instance / 'wenevents.sqlite'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(url)
    app.config["RATELIMIT_STORAGE_URI"] = app.config["RATELIMIT_STORAGE_URL"]
    _public_address(app.config)
    # A key of digits alone would come from the environment as a number.
    app.config["UPLOAD_BODY_KEY"] = str(app.config["UPLOAD_BODY_KEY"] or "")
    if app.config["UPLOAD_BODY_DIR"] and len(app.config["UPLOAD_BODY_KEY"]) < 32:
        raise ValueError(
            "UPLOAD_BODY_DIR needs UPLOAD_BODY_KEY, the key nginx sends with each upload "
            "body it stores (32 characters or more; deploy/nginx.conf)"
        )


def _public_address(config):
    """Derive from PUBLIC_URL the hosts Flask accepts (TRUSTED_HOSTS), the URL scheme,
    and under HTTPS a ``__Host-`` session cookie (Secure, Path=/, no Domain: no other
    host or path can set or read it)."""
    url = str(config["PUBLIC_URL"] or "").strip().rstrip("/")
    parts = urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.query
        or parts.fragment
    ):
        raise ValueError(
            f"PUBLIC_URL must be the site's address, such as https://wen.example.org "
            f"(http or https, a host, optionally a port and a path); got {url!r}"
        )
    extra = config["EXTRA_HOSTS"] or []
    if isinstance(extra, str):
        extra = re.split(r"[\s,]+", extra)
    config["PUBLIC_URL"] = url
    hosts = [parts.hostname, *(h.strip().lower() for h in extra if h.strip())]
    if parts.hostname in LOOPBACK:
        # On one's own machine, either name of it: nobody else can reach that address.
        hosts += [name for name in LOOPBACK if name not in hosts]
    config["TRUSTED_HOSTS"] = hosts
    config["PREFERRED_URL_SCHEME"] = parts.scheme
    if parts.scheme == "https":
        config["SESSION_COOKIE_NAME"] = "__Host-session"
        config["SESSION_COOKIE_SECURE"] = True
        config["SESSION_COOKIE_PATH"] = "/"
        config["SESSION_COOKIE_DOMAIN"] = None


def database_uri(url):
    """Use psycopg 3 for plain ``postgresql://`` URLs (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(path):
    """Read the instance's secret key, generating it on first run (never hard-coded)."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()
