"""The public changelog of an agenda's releases, as a page and an Atom feed."""

from flask import Blueprint

bp = Blueprint("agenda_releases", __name__)
