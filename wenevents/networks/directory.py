"""The directory of focal points, for signed-in participants, focal points and organisers.

Each person sees each field only as far as the focal point's settings allow; organisers see
everything. Anonymous visitors are sent to sign in.
"""

from flask import Blueprint, request
from flask_login import current_user, login_required

from wenevents.htmx import render
from wenevents.networks import contacts
from wenevents.networks.focal_points import filter_form, page_number

bp = Blueprint("directory", __name__)


@bp.get("/directory")
@login_required
def index():
    """Search as one types; filter by network, region and country."""
    audience = contacts.audience_of(current_user)
    form = filter_form(audience, request.args)
    filters = form.filters()
    page = page_number()
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
