"""One template serves a page and its htmx fragments (jinja2-fragments)."""

from flask import render_template, request
from jinja2_fragments.flask import render_block


def is_htmx():
    """A request htmx made, other than a history restore (which needs the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
        and request.headers.get("HX-Boosted") != "true"
    )


def render(template, block=None, target=None, **context):
    """Render ``block`` of ``template`` for htmx requests aimed at ``target``, else the page.

    ``target`` is the id of the element the fragment replaces; an htmx request aimed
    elsewhere (or at nothing) gets the whole page, so a fragment is never swapped into
    the wrong place.
    """
    if block and is_htmx() and (target is None or request.headers.get("HX-Target") == target):
        return render_block(template, block, **context)
    return render_template(template, **context)
