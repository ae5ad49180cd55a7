"""The public changelog of an agenda's releases, as a page and an Atom feed."""

from flask import Blueprint, abort, make_response, render_template

from wenevents.agenda import releases, services
from wenevents.htmx import render

bp = Blueprint("agenda_releases", __name__)


@bp.get("/<acronym:acronym>/changelog")
def changelog(acronym):
    """Every release of the agenda, newest first, with what each one changed."""
    meeting, _release, _sessions = services.public_agenda(acronym) or abort(404)
    return render("agenda/changelog.html", meeting=meeting, releases=releases.releases_of(meeting))


@bp.get("/<acronym:acronym>/changelog.atom")
def changelog_feed(acronym):
    """The changelog for feed readers: one entry per release."""
    meeting, _release, _sessions = services.public_agenda(acronym) or abort(404)
    body = render_template(
        "agenda/changelog.atom.xml", meeting=meeting, releases=releases.releases_of(meeting)
    )
    response = make_response(body)
    response.mimetype = "application/atom+xml"
    return response
