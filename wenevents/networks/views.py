"""Public pages of the networks."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wenevents.accounts.permissions import acts_for, deny
from wenevents.extensions import db
from wenevents.htmx import is_htmx, render
from wenevents.networks import contacts, services
from wenevents.networks.forms import NetworkProfileForm

bp = Blueprint("networks", __name__, url_prefix="/networks")


@bp.get("/")
def index():
    """Every active network; the search box filters the list as one types."""
    text = request.args.get("q", "")
    return render(
        "networks/index.html",
        block="results",
        target="network-results",
        networks=services.search_networks(text),
        q=text,
    )


@bp.get("/<slug>")
def network(slug):
    """A network's description and region, its focal points as far as each may be seen, and
    what it brought to each edition."""
    network = services.network_by_slug(slug) or abort(404)
    return render(
        "networks/network.html",
        network=network,
        history=services.network_history(network),
        contacts=contacts.of_network(network, contacts.audience_of(current_user)),
        can_edit=acts_for(current_user, network),
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug):
    """A network's focal points (and organisers) edit its public profile, in place."""
    network = services.network_by_slug(slug) or abort(404)
    if not acts_for(current_user, network):
        deny(f"edit network {network.acronym}", target=network)
    form = NetworkProfileForm(obj=network)
    if form.validate_on_submit():
        services.update_profile(network, form.data, by=current_user._get_current_object())
        db.session.commit()
        if not is_htmx():
            flash(_("Saved."), "success")
            return redirect(url_for("networks.network", slug=network.slug), 303)
        return render(
            "networks/network.html", block="profile", network=network, can_edit=True, saved=True
        )
    return render("networks/network_edit.html", block="edit", network=network, form=form)
