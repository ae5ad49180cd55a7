"""Who may do what. Checked on the server for every object, whatever the page showed."""

from functools import wraps

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wenevents.audit import services as audit


def acts_for(user, network):
    """Organisers act for every network; a focal point only for their own."""
    if not user.is_authenticated:
        return False
    return user.is_organiser or any(n.id == network.id for n in user.networks)


def deny(what, target=None):
    """Refuse with 403, and write down who tried what."""
    audit.record("access.denied", what, target=target)
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
