"""Organisers' focal points: the list with search and filters, add, edit in place, delete,
and the CSV import (previewed, then confirmed) and export."""

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from wenevents import spreadsheets
from wenevents.audit import services as audit
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.htmx import finish, render
from wenevents.networks import contacts, importing
from wenevents.networks.forms import (
    VISIBILITY_LABELS,
    ConfirmImportForm,
    FilterForm,
    FocalPointForm,
    ImportForm,
)
from wenevents.networks.models import ORGANISERS
from wenevents.networks.services import offered as networks_offered
from wenevents.permissions import organiser_required
from wenevents.security import export_limit
from wenevents.text import to_id
from wenevents.web import acting_user, country_name, page_arg

bp = Blueprint("focal_points", __name__, url_prefix="/manage/focal-points")


def _focal_point(focal_point_id):
    return contacts.get(focal_point_id) or abort(404)


def filter_form(audience, values):
    """The search and filters from ``values`` (a query string), with their choices."""
    networks, regions, countries = contacts.filter_choices(audience)
    return FilterForm(formdata=values).setup(networks, regions, countries, country_name)


def _form(focal_point=None, **kwargs):
    form = FocalPointForm(obj=focal_point, **kwargs)
    offered = networks_offered()
    if focal_point is not None:
        # An archived network it already has stays on offer (and so stays ticked).
        offered += [n for n in focal_point.networks if n.is_archived]
    return form.setup(offered), {n.id: n for n in offered}


def _save(focal_point, form, offered):
    """Save from a valid form; a clash of addresses goes back to the email field."""
    networks = [offered[i] for i in form.networks.data or [] if i in offered]
    try:
        saved = contacts.save(focal_point, form.data, networks, acting_user())
    except contacts.ContactError as error:
        db.session.rollback()
        form[error.field].errors.append(str(error))
        return None
    db.session.commit()
    return saved


@bp.get("/")
@organiser_required
def index():
    """Every focal point, searchable as one types and filtered by network, region, country."""
    form = filter_form(ORGANISERS, request.args)
    filters = form.filters()
    page = page_arg()
    found, total = contacts.search(filters, ORGANISERS, page)
    return render(
        "networks/focal_points.html",
        block="results",
        target="focal-point-results",
        form=form,
        filters=filters,
        cards=contacts.cards(found, ORGANISERS),
        total=total,
        page=page,
        per_page=contacts.PER_PAGE,
        visibility_labels=VISIBILITY_LABELS,
    )


@bp.route("/new", methods=["GET", "POST"])
@organiser_required
def new():
    form, offered = _form()
    if request.method == "GET" and request.args.get("network", type=to_id) in offered:
        form.networks.data = [request.args.get("network", type=to_id)]
    if form.validate_on_submit():
        saved = _save(None, form, offered)
        if saved is not None:
            message = _("%(name)s added.", name=saved.name)
            return finish(message, url_for(".index", q=saved.email or saved.name))
    return render("networks/focal_point_new.html", form=form), 422 if form.errors else 200


@bp.route("/<int:focal_point_id>", methods=["GET", "POST"])
@organiser_required
def edit(focal_point_id):
    """The focal point's form in place of its card."""
    focal_point = _focal_point(focal_point_id)
    form, offered = _form(focal_point, prefix=f"f{focal_point.id}")
    if request.method == "GET":
        form.networks.data = [n.id for n in focal_point.networks]
    elif form.validate_on_submit() and _save(focal_point, form, offered) is not None:
        return finish(
            _("%(name)s saved.", name=focal_point.name),
            url_for(".index", q=focal_point.email),
            lambda: _card(focal_point, saved=True),
        )
    status = 422 if form.errors else 200
    page = render(
        "networks/focal_point_edit.html", block="edit", focal_point=focal_point, form=form
    )
    return page, status


def _card(focal_point, **context):
    return render(
        "networks/_focal_point_card.html",
        block="card",
        card=contacts.card(focal_point, ORGANISERS),
        focal_point=focal_point,
        visibility_labels=VISIBILITY_LABELS,
        **context,
    )


@bp.get("/<int:focal_point_id>/card")
@organiser_required
def card(focal_point_id):
    """The card as listed (what "Cancel" puts back); the list without htmx."""
    focal_point = _focal_point(focal_point_id)
    return finish(
        None,
        url_for(".index", q=focal_point.email or focal_point.name),
        lambda: _card(focal_point),
    )


@bp.route("/<int:focal_point_id>/delete", methods=["GET", "POST"])
@organiser_required
def delete(focal_point_id):
    """Ask, then delete the focal point."""
    focal_point = _focal_point(focal_point_id)
    if request.method == "POST":
        name = focal_point.name
        contacts.delete(focal_point, acting_user())
        db.session.commit()
        return finish(
            _("%(name)s deleted.", name=name),
            url_for(".index"),
            lambda: render(
                "networks/focal_point_delete.html",
                block="deleted",
                focal_point_id=focal_point_id,
                name=name,
            ),
        )
    return render("networks/focal_point_delete.html", block="delete", focal_point=focal_point)


# -- CSV -------------------------------------------------------------------------------------


def _import_page(form, status=200, plan=None, confirm=None):
    page = render("networks/import.html", form=form, plan=plan, confirm=confirm)
    return page, status


@bp.route("/import", methods=["GET", "POST"])
@organiser_required
def import_csv():
    """Upload a CSV; the answer is a preview, row by row, of what importing it would do."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(form, 422 if form.errors else 200)
    try:
        plan = importing.preview(form.file.data.stream.read(importing.MAX_BYTES + 1))
    except importing.ImportProblem as problem:
        form.file.errors = [str(problem)]
        return _import_page(form, problem.status)
    confirm = None
    if importing.good_rows(plan):
        confirm = ConfirmImportForm(formdata=None, plan=importing.sign(plan, acting_user()))
    return _import_page(form, plan=plan, confirm=confirm)


@bp.post("/import/confirm")
@organiser_required
def confirm_import():
    """Import the previewed good rows; the rows with problems are left out."""
    form = ImportForm(formdata=None)
    if not ConfirmImportForm().validate_on_submit():
        abort(400)
    try:
        rows = importing.unsign(request.form.get("plan"), acting_user())
        added, updated = importing.apply(rows, acting_user())
    except importing.ImportProblem as problem:
        db.session.rollback()
        form.file.errors = [str(problem)]
        return _import_page(form, problem.status)
    db.session.commit()
    message = ngettext(
        "Imported: %(num)d focal point added, %(updated)d updated.",
        "Imported: %(num)d focal points added, %(updated)d updated.",
        added,
        updated=updated,
    )
    return finish(message, url_for(".index"))


@bp.get("/export.csv")
@export_limit
@organiser_required
def export():
    """The focal points the filter finds (all pages) with every field, audited."""
    filters = filter_form(ORGANISERS, request.args).filters()
    found, _total = contacts.search(filters, ORGANISERS, per_page=None)
    audit.record(
        "focal_point.export",
        ngettext("%(num)d focal point as CSV", "%(num)d focal points as CSV", len(found)),
        actor=acting_user(),
        filters=filters.args(),
        rows=len(found),
    )
    db.session.commit()
    return spreadsheets.csv_response(
        importing.export_rows(found),
        importing.EXPORT_HEADINGS,
        f"focal-points-{utcnow():%Y%m%d-%H%M}.csv",
    )
