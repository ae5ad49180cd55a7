"""Who may do what, for the views of every domain. Checked on the server for every object,
whatever the page showed. What only one domain decides (who may upload, who counts as a
participant) is a function in that domain's ``rules.py``."""

from functools import wraps

from flask import abort, current_app, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wenevents import signals
from wenevents.extensions import db


def acts_for(user, network):
    """Organisers act for every network; a focal point only for their own."""
    if not user.is_authenticated:
        return False
    return user.is_organiser or any(n.id == network.id for n in user.networks)


def deny(what, target=None):
    """Refuse with 403, and write down who tried what (the audit log listens)."""
    signals.access_denied.send(current_user._get_current_object(), what=what, target=target)
    # The refusal is the request's whole work: it is committed here, as a view would.
    db.session.commit()
    abort(403, description=_("You are not allowed to do this."))


def organiser_required(view):
    """Signed in (else to the login page) and an organiser (else 403, audited)."""

    @login_required
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_organiser:
            deny(f"organiser page {view.__name__}")
        return view(*args, **kwargs)

    return wrapped


def organisers_only(bp):
    """Every page of ``bp`` is the organisers': checked before anything else of the
    blueprint runs (the lookup of the URL's meeting too), so a stranger gets the same
    answer for a draft meeting as for one that does not exist. Refusals name the page, as
    ``organiser_required`` does. Call it before ``web.meeting_of_url``."""

    @bp.before_request
    def _organisers_only():
        view = current_app.view_functions.get(request.endpoint)
        return organiser_required(wraps(view)(lambda: None))() if view else None
