"""Public pages of the networks."""

from flask import Blueprint, abort, request

from wenevents.htmx import render
from wenevents.networks import services

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
    """A network's description and region, and what it brought to each edition."""
    network = services.network_by_slug(slug) or abort(404)
    return render(
        "networks/network.html", network=network, history=services.network_history(network)
    )
