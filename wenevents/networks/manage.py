"""Organisers' networks page: add, edit, archive and delete networks, in place.

Each network is a card; its edit form and the delete question replace the card (htmx),
and each is also a page of its own that works without JavaScript.
"""

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _

from wenevents.extensions import db
from wenevents.htmx import finish, render
from wenevents.networks import services
from wenevents.networks.forms import NetworkForm
from wenevents.permissions import organiser_required
from wenevents.web import acting_user

bp = Blueprint("networks_manage", __name__, url_prefix="/manage/networks")


def _network(network_id):
    return services.get_network(network_id) or abort(404)


def _list(form=None, created=None, status=200):
    """The page; for htmx, the new-network form with the list swapped out of band."""
    return render(
        "networks/manage.html",
        block="new_network",
        networks=services.all_networks(),
        form=form or NetworkForm(formdata=None, prefix="new"),
        created=created,
        oob_list=created is not None,
    ), status


@bp.get("/")
@organiser_required
def index():
    """Every network, archived ones last; a form to add one."""
    return render(
        "networks/manage.html",
        networks=services.all_networks(),
        form=NetworkForm(formdata=None, prefix="new"),
    )


@bp.post("/")
@organiser_required
def create():
    """Add a network; errors come back at the fields of the same form."""
    form = NetworkForm(prefix="new")
    if form.validate_on_submit():
        try:
            network = services.save_network(None, form.data, acting_user())
        except services.NetworkError as error:
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            return finish(
                _("%(acronym)s added.", acronym=network.acronym),
                _card_url(network),
                lambda: _list(created=network),
            )
    return _list(form, status=422)


@bp.route("/<int:network_id>", methods=["GET", "POST"])
@organiser_required
def edit(network_id):
    """The network's form in place of its card."""
    network = _network(network_id)
    form = NetworkForm(obj=network, prefix=f"n{network.id}")
    if form.validate_on_submit():
        try:
            services.save_network(network, form.data, acting_user())
        except services.NetworkError as error:
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            return _saved(network)
    status = 422 if form.errors else 200
    return render("networks/manage_edit.html", block="edit", network=network, form=form), status


@bp.get("/<int:network_id>/card")
@organiser_required
def card(network_id):
    """The network's card as listed (what "Cancel" puts back); the list without htmx."""
    network = _network(network_id)
    return finish(
        None,
        _card_url(network),
        lambda: render("networks/_manage_card.html", block="card", network=network),
    )


@bp.post("/<int:network_id>/archive")
@organiser_required
def archive(network_id):
    """Archive (not offered for new meetings; its history stays) or bring it back."""
    network = _network(network_id)
    services.set_archived(network, request.form.get("archived") == "1", acting_user())
    db.session.commit()
    return _saved(network)


def _saved(network):
    """After a change to one network: its card again (htmx), or the list at its card."""
    return finish(
        _("%(acronym)s saved.", acronym=network.acronym),
        _card_url(network),
        lambda: render("networks/_manage_card.html", block="card", network=network, saved=True),
    )


def _card_url(network):
    return url_for(".index") + f"#network-{network.id}"


@bp.route("/<int:network_id>/delete", methods=["GET", "POST"])
@organiser_required
def delete(network_id):
    """Ask, then delete a network nothing refers to; otherwise say why and offer archiving."""
    network = _network(network_id)
    reasons = services.delete_blockers(network)
    if request.method == "POST" and not reasons:
        acronym = network.acronym
        services.delete_network(network, acting_user())
        db.session.commit()
        return finish(
            _("%(acronym)s deleted.", acronym=acronym),
            url_for(".index"),
            lambda: render(
                "networks/manage_delete.html",
                block="deleted",
                network_id=network_id,
                acronym=acronym,
            ),
        )
    status = 409 if request.method == "POST" else 200
    page = render("networks/manage_delete.html", block="delete", network=network, reasons=reasons)
    return page, status
