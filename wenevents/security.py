"""The security baseline: headers, cookies, proxies, sign-in sessions, safe redirects."""

from urllib.parse import urlsplit

from flask import current_app, g, make_response, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from wenevents.extensions import login_manager

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
        "base-uri 'self'",
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
    app.after_request(_headers)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    # Sessions are ended on the server (see LoginSession); no remember-me cookie exists.
    login_manager.session_protection = None
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)


def _load_user(token):
    from wenevents.accounts.services import user_for_session

    return user_for_session(token)


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
    if parts.netloc and parts.netloc != request.host:
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
    if request.endpoint != "static" and (current_user.is_authenticated or carries_token):
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
