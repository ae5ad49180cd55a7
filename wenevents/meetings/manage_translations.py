"""Organisers: what of a meeting is not yet in French or Spanish, with a link to the page
where each piece is translated."""

from flask import Blueprint, g, request

from wenevents.htmx import render
from wenevents.meetings import translations
from wenevents.meetings.services import meeting_for_organisers
from wenevents.permissions import organisers_only
from wenevents.web import meeting_of_url

bp = Blueprint("meetings_translations", __name__, url_prefix="/manage/<acronym:acronym>")

organisers_only(bp)
meeting_of_url(bp, meeting_for_organisers)


@bp.get("/translations")
def index():
    """A count per language, then the untranslated content by kind; ``?language=fr``
    narrows the list to one language (htmx: the list alone)."""
    entries = translations.untranslated([g.meeting])
    language = translations.chosen_language(request.args.get("language"))
    return render(
        "meetings/translations.html",
        block="untranslated",
        target="untranslated",
        meeting=g.meeting,
        language=language,
        counts=translations.counts([g.meeting], entries)[g.meeting.id],
        groups=translations.by_kind(entries, language),
    )
