"""Absolute links, built from the configured PUBLIC_URL and never from the request.

A request's ``Host`` (or ``X-Forwarded-Host``) is whatever its sender typed: a link built
from it and mailed to someone points wherever that sender likes. Everything the site
writes for use elsewhere — mail, the Atom feed, calendar and frab files, ``webcal://``
subscriptions — goes through ``public_url``; pages link with plain ``url_for`` paths.
tests/security/test_host_header.py fails if another module builds a link from the request.
"""

from urllib.parse import quote, urlsplit

from flask import current_app
from werkzeug.sansio.utils import host_is_trusted

from wenevents import languages


def public_url(endpoint, **values):
    """The absolute URL of ``endpoint`` at the site's public address.

    Works without a request too (mail sent by command-line tools). ``_anchor`` adds a
    fragment, as with ``url_for``.
    """
    anchor = values.pop("_anchor", None)
    current_app.inject_url_defaults(endpoint, values)
    url = public_adapter().build(endpoint, values, force_external=True)
    return f"{url}#{quote(anchor, safe='')}" if anchor else url


def public_adapter():
    """Werkzeug's URL builder bound to PUBLIC_URL (its host, scheme and any path prefix),
    in the language being written: a French mail links to the French pages."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    script_name = base.path.rstrip("/") + languages.prefix()
    return current_app.url_map.bind(
        base.netloc, script_name=script_name or "/", url_scheme=base.scheme
    )


def is_served(host):
    """Whether ``host`` (``name`` or ``name:port``) is one this site answers for."""
    return host_is_trusted(host, current_app.config["TRUSTED_HOSTS"])
