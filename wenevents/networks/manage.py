"""Organisers' networks page: add, edit, archive and delete networks, in place.

Each network is a card; its edit form and the delete question replace the card (htmx),
and each is also a page of its own that works without JavaScript.
"""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wenevents.accounts.permissions import organiser_required
from wenevents.extensions import db
from wenevents.htmx import is_htmx, render
from wenevents.networks import services
from wenevents.networks.forms import NetworkForm

bp = Blueprint("networks_manage", __name__, url_prefix="/manage/networks")


def _by():
    return current_user._get_current_object()


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
            network = services.save_network(None, form.data, _by())
        except services.NetworkError as error:
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            if not is_htmx():
                flash(_("%(acronym)s added.", acronym=network.acronym), "success")
                return redirect(url_for("networks_manage.index") + f"#network-{network.id}", 303)
            return _list(created=network)
    return _list(form, status=422)


@bp.route("/<int:network_id>", methods=["GET", "POST"])
@organiser_required
def edit(network_id):
    """The network's form in place of its card."""
    network = _network(network_id)
    form = NetworkForm(obj=network, prefix=f"n{network.id}")
    if form.validate_on_submit():
        try:
            services.save_network(network, form.data, _by())
        except services.NetworkError as error:
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            if not is_htmx():
                flash(_("%(acronym)s saved.", acronym=network.acronym), "success")
                return redirect(url_for("networks_manage.index") + f"#network-{network.id}", 303)
            return render("networks/_manage_card.html", block="card", network=network, saved=True)
    status = 422 if form.errors else 200
    return render("networks/manage_edit.html", block="edit", network=network, form=form), status


@bp.get("/<int:network_id>/card")
@organiser_required
def card(network_id):
    """The network's card as listed (what "Cancel" puts back); the list without htmx."""
    network = _network(network_id)
    if not is_htmx():
        return redirect(url_for("networks_manage.index") + f"#network-{network.id}", 303)
    return render("networks/_manage_card.html", block="card", network=network)


@bp.post("/<int:network_id>/archive")
@organiser_required
def archive(network_id):
    """Archive (not offered for new meetings; its history stays) or bring it back."""
    network = _network(network_id)
    services.set_archived(network, request.form.get("archived") == "1", _by())
    db.session.commit()
    if is_htmx():
        return render("networks/_manage_card.html", block="card", network=network, saved=True)
    flash(_("%(acronym)s saved.", acronym=network.acronym), "success")
    return redirect(url_for("networks_manage.index") + f"#network-{network.id}", 303)


@bp.route("/<int:network_id>/delete", methods=["GET", "POST"])
@organiser_required
def delete(network_id):
    """Ask, then delete a network nothing refers to; otherwise say why and offer archiving."""
    network = _network(network_id)
    reasons = services.delete_blockers(network)
    if request.method == "POST" and not reasons:
        acronym = network.acronym
        services.delete_network(network, _by())
        db.session.commit()
        if is_htmx():
            return render(
                "networks/manage_delete.html",
                block="deleted",
                network_id=network_id,
                acronym=acronym,
            )
        flash(_("%(acronym)s deleted.", acronym=acronym), "success")
        return redirect(url_for("networks_manage.index"), 303)
    status = 409 if request.method == "POST" else 200
    page = render("networks/manage_delete.html", block="delete", network=network, reasons=reasons)
    return page, status
