"""Organisers' focal points: the list with search and filters, add, edit in place, delete,
and the CSV import (previewed, then confirmed) and export."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wenevents.accounts.models import utcnow
from wenevents.accounts.permissions import organiser_required
from wenevents.audit import services as audit
from wenevents.exports import spreadsheets
from wenevents.extensions import db
from wenevents.htmx import is_htmx, render
from wenevents.meetings.services import networks_offered
from wenevents.networks import contacts, importing
from wenevents.networks.forms import (
    VISIBILITY_LABELS,
    ConfirmImportForm,
    FilterForm,
    FocalPointForm,
    ImportForm,
)
from wenevents.networks.models import ORGANISERS
from wenevents.web import country_name

bp = Blueprint("focal_points", __name__, url_prefix="/manage/focal-points")


def _by():
    return current_user._get_current_object()


def _focal_point(focal_point_id):
    return contacts.get(focal_point_id) or abort(404)


def filter_form(audience, values):
    """The search and filters from ``values`` (a query string), with their choices."""
    networks, regions, countries = contacts.filter_choices(audience)
    return FilterForm(formdata=values).setup(networks, regions, countries, country_name)


def page_number():
    return max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))


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
        saved = contacts.save(focal_point, form.data, networks, _by())
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
    page = page_number()
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
    if request.method == "GET" and request.args.get("network", type=int) in offered:
        form.networks.data = [request.args.get("network", type=int)]
    if form.validate_on_submit():
        saved = _save(None, form, offered)
        if saved is not None:
            flash(_("%(name)s added.", name=saved.name), "success")
            return redirect(url_for("focal_points.index", q=saved.email or saved.name), 303)
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
        if not is_htmx():
            flash(_("%(name)s saved.", name=focal_point.name), "success")
            return redirect(url_for("focal_points.index", q=focal_point.email), 303)
        return _card(focal_point, saved=True)
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
    if not is_htmx():
        return redirect(url_for("focal_points.index", q=focal_point.email or focal_point.name), 303)
    return _card(focal_point)


@bp.route("/<int:focal_point_id>/delete", methods=["GET", "POST"])
@organiser_required
def delete(focal_point_id):
    """Ask, then delete the focal point."""
    focal_point = _focal_point(focal_point_id)
    if request.method == "POST":
        name = focal_point.name
        contacts.delete(focal_point, _by())
        db.session.commit()
        if is_htmx():
            return render(
                "networks/focal_point_delete.html",
                block="deleted",
                focal_point_id=focal_point_id,
                name=name,
            )
        flash(_("%(name)s deleted.", name=name), "success")
        return redirect(url_for("focal_points.index"), 303)
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
        confirm = ConfirmImportForm(formdata=None, plan=importing.sign(plan, _by()))
    return _import_page(form, plan=plan, confirm=confirm)


@bp.post("/import/confirm")
@organiser_required
def confirm_import():
    """Import the previewed good rows; the rows with problems are left out."""
    form = ImportForm(formdata=None)
    if not ConfirmImportForm().validate_on_submit():
        abort(400)
    try:
        rows = importing.unsign(request.form.get("plan"), _by())
        added, updated = importing.apply(rows, _by())
    except importing.ImportProblem as problem:
        db.session.rollback()
        form.file.errors = [str(problem)]
        return _import_page(form, problem.status)
    db.session.commit()
    flash(
        _("Imported: %(added)d focal points added, %(updated)d updated.",
          added=added, updated=updated),
        "success",
    )  # fmt: skip
    return redirect(url_for("focal_points.index"), 303)


@bp.get("/export.csv")
@organiser_required
def export():
    """The focal points the filter finds (all pages) with every field, audited."""
    filters = filter_form(ORGANISERS, request.args).filters()
    found, _total = contacts.search(filters, ORGANISERS, per_page=None)
    audit.record(
        "focal_point.export",
        _("%(num)d focal points as CSV", num=len(found)),
        actor=_by(),
        filters=filters.args(),
        rows=len(found),
    )
    return spreadsheets.csv_response(
        importing.export_rows(found),
        importing.EXPORT_HEADINGS,
        f"focal-points-{utcnow():%Y%m%d-%H%M}.csv",
    )
