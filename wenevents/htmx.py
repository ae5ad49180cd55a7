"""One template serves a page and its htmx fragments (jinja2-fragments)."""

from flask import flash, make_response, redirect, render_template, request
from jinja2_fragments.flask import render_block


def is_htmx():
    """A request htmx made, other than a history restore (which needs the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
        and request.headers.get("HX-Boosted") != "true"
    )


def aimed_at(target):
    """Whether this is an htmx request whose swap replaces the element of id ``target``."""
    return is_htmx() and request.headers.get("HX-Target") == target


def render(template, block=None, target=None, **context):
    """Render ``block`` of ``template`` for htmx requests aimed at ``target``, else the page.

    ``target`` is the id of the element the fragment replaces; an htmx request aimed
    elsewhere (or at nothing) gets the whole page, so a fragment is never swapped into
    the wrong place.
    """
    if block and (is_htmx() if target is None else aimed_at(target)):
        return render_block(template, block, **context)
    return render_template(template, **context)


# Endings of a view, written once. An organiser's action ends one of two ways: htmx swaps
# the changed part in place; without JavaScript the browser follows a 303 (POST, redirect,
# GET) to the page that shows the result, with the message flashed above it.


def finish(message, url, fragment=None, category="success"):
    """End an action: for htmx, ``fragment()`` (rendered only then); otherwise ``message``
    flashed (if any) and a 303 to ``url``."""
    if fragment is not None and is_htmx():
        return fragment()
    if message:
        flash(message, category)
    return redirect(url, 303)


def client_redirect(url):
    """Send the browser to ``url``: a 303 normally, a full page load under htmx (HX-Redirect)
    so a whole page is never swapped into a fragment's place."""
    if not is_htmx():
        return redirect(url, 303)
    response = make_response("", 204)
    response.headers["HX-Redirect"] = url
    return response


def client_refresh():
    """Reload the current page (htmx: HX-Refresh); for a change that reshapes all of it."""
    response = make_response("", 204)
    response.headers["HX-Refresh"] = "true"
    return response


def retarget(response, target, swap=None):
    """Aim ``response`` at another element than the request's (``#id``), e.g. an error
    note at the flash area instead of the row that asked."""
    response = make_response(response)
    response.headers["HX-Retarget"] = target
    if swap:
        response.headers["HX-Reswap"] = swap
    return response
