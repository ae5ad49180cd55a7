"""The security baseline: headers, cookies, proxies, sign-in sessions, safe redirects."""

import logging
from urllib.parse import urlsplit

from flask import current_app, g, make_response, redirect, request, session, url_for
from flask.globals import request_ctx
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import BadRequest, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from wenevents import urls
from wenevents.extensions import limiter, login_manager
from wenevents.i18n import lazy_gettext as _l

log = logging.getLogger(__name__)

# No inline script or style anywhere: htmx is configured by a <meta> tag, not by script.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=63072000; includeSubDomains"


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` whenever the request came over HTTPS."""

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def init_app(app):
    app.session_interface = SessionInterface()
    proxies = int(app.config["TRUSTED_PROXY_COUNT"])
    if proxies > 0:
        # Only then is X-Forwarded-For believed: an attacker could otherwise pick their IP.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    # Before every other check (CSRF, rate limits, forms): nothing runs for a foreign host.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unknown_host)
    app.after_request(_headers)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    # Sessions are ended on the server (see LoginSession); no remember-me cookie exists.
    login_manager.session_protection = None
    login_manager.unauthorized_handler(_unauthorized)


class UnknownHost(BadRequest):
    """A request for a host name the site does not serve (see PUBLIC_URL, EXTRA_HOSTS)."""

    def __init__(self):
        super().__init__(_("This site is not served at the address this request named."))
        self.for_person = True


def refuse_unknown_host():
    """Refuse a request whose ``Host`` (or, behind a trusted proxy, ``X-Forwarded-Host``)
    is not among TRUSTED_HOSTS, which config.py derives from PUBLIC_URL and EXTRA_HOSTS.

    Flask finds this while routing and leaves no URL adapter; bind one to the public
    address so the error page can still build its (relative) links.
    """
    if isinstance(request.routing_exception, SecurityError):
        log.warning(
            "refused a request for host %r: not PUBLIC_URL's host nor in EXTRA_HOSTS",
            request.environ.get("HTTP_HOST", "")[:200],
        )
        request_ctx.url_adapter = urls.public_adapter()
        raise UnknownHost()


def _unauthorized():
    """htmx gets HX-Redirect, so the login page is never swapped into a fragment."""
    from wenevents.htmx import is_htmx

    login = url_for("accounts.login", next=_return_to())
    if is_htmx():
        response = make_response("", 401)
        response.headers["HX-Redirect"] = login
        return response
    return redirect(login)


def _return_to():
    """Where to come back after signing in: this page, or for an htmx request or a form
    sent (not a page one can open), the page the person was on."""
    from wenevents.htmx import is_htmx

    if is_htmx():
        parts = urlsplit(request.headers.get("HX-Current-URL", ""))
    elif request.method != "GET":
        parts = urlsplit(request.referrer or "")
    else:
        return safe_next(request.full_path.rstrip("?"))
    if parts.netloc and not urls.is_served(parts.netloc):
        return "/"
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


def _headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    # One URL may answer with a page or an htmx fragment: caches must keep them apart.
    response.vary.add("HX-Request")
    # Flask-WTF keeps the token it rendered into the page in g.
    carries_token = current_app.config["WTF_CSRF_FIELD_NAME"] in g
    # A response its view declared public (a file anyone may download) is the same for all.
    personal = current_user.is_authenticated or carries_token
    if request.endpoint != "static" and not response.cache_control.public and personal:
        # A page for a signed-in person, or one carrying a form token: never stored.
        response.cache_control.no_store = True
        response.cache_control.private = True
        response.vary.add("Cookie")
    return response


def safe_next(target, default="/"):
    """``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not target or not isinstance(target, str):
        return default
    target = target.strip()
    # Browsers read a backslash as a slash: "/\\evil.example" would leave the site.
    if "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def stash_token(name, token, endpoint):
    """An emailed link's token goes into the session and the browser on to ``endpoint``,
    so the token leaves the address bar, the history and the Referer header."""
    session[name] = token
    return redirect(url_for(endpoint), 303)


def link_invalid():
    """The answer to a used, expired or mangled emailed link."""
    from wenevents.htmx import render

    return render("accounts/link_invalid.html"), 400


# Per client address, answered by the site's 429 page with Retry-After. One count for
# all exports together, so fetching every format in turn does not multiply the allowance.
export_limit = limiter.shared_limit(lambda: current_app.config["EXPORT_LIMIT"], scope="exports")
upload_limit = limiter.shared_limit(
    lambda: current_app.config["UPLOAD_LIMIT"], scope="uploads", methods=["POST"]
)
