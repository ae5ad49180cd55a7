"""Public pages of the networks."""

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wenevents import pagecache
from wenevents.extensions import db
from wenevents.htmx import finish, render
from wenevents.networks import contacts, services
from wenevents.networks.forms import NetworkProfileForm
from wenevents.permissions import acts_for, deny
from wenevents.web import acting_user

bp = Blueprint("networks", __name__, url_prefix="/networks")


@bp.get("/")
@pagecache.public(args=("q",))
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
@pagecache.public(live=True)
def network(slug):
    """A network's description and region, its focal points as far as each may be seen, and
    what it brought to each edition."""
    network = services.network_by_slug(slug) or abort(404)
    audience = contacts.audience_of(current_user)
    return render(
        "networks/network.html",
        network=network,
        history=services.network_history(network),
        contacts=contacts.of_network(network, audience),
        participant=audience != contacts.PUBLIC,
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
        services.update_profile(network, form.data, by=acting_user())
        db.session.commit()
        return finish(
            _("Saved."),
            url_for(".network", slug=network.slug),
            lambda: render(
                "networks/network.html",
                block="profile",
                network=network,
                can_edit=True,
                saved=True,
            ),
        )
    return render("networks/network_edit.html", block="edit", network=network, form=form)
