"""The directory of focal points, for participants: organisers, focal points and delegates
whose registration is approved (the rule is registration/rules.py's).

Each person sees each field only as far as the focal point's settings allow; organisers see
everything. Anonymous visitors are sent to sign in; someone signed in whom nobody has vouched
for is told when it opens to them.
"""

from flask import Blueprint, abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wenevents import signals
from wenevents.htmx import render
from wenevents.networks import contacts
from wenevents.networks.focal_points import filter_form
from wenevents.web import page_arg

bp = Blueprint("directory", __name__)


@bp.get("/directory")
@login_required
def index():
    """Search as one types; filter by network, region and country."""
    audience = contacts.audience_of(current_user)
    if audience == contacts.PUBLIC:
        # Registration's page: when it opens to them, where their registrations stand.
        refusal = signals.first_answer(
            signals.participant_refused, "directory", title=_("Directory of focal points")
        )
        if refusal is None:
            abort(403)
        return refusal
    form = filter_form(audience, request.args)
    filters = form.filters()
    page = page_arg()
    found, total = contacts.search(filters, audience, page)
    return render(
        "networks/directory.html",
        block="results",
        target="directory-results",
        form=form,
        filters=filters,
        cards=contacts.cards(found, audience),
        total=total,
        page=page,
        per_page=contacts.PER_PAGE,
    )
