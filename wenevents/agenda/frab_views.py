"""frab-compatible schedule.xml and schedule.json, and importing an agenda from one."""

from flask import Blueprint, abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from wenevents.accounts.permissions import organiser_required
from wenevents.agenda import importing, releases
from wenevents.agenda.forms import ConfirmForm, UploadForm
from wenevents.agenda.models import BREAK, DISCUSSION, PRESENTATION
from wenevents.exports import frab
from wenevents.extensions import db
from wenevents.htmx import render
from wenevents.meetings.models import Meeting

bp = Blueprint("agenda_frab", __name__)


def _download(body, content_type):
    """A public file: revalidated by its ETag, so an unchanged release costs a 304."""
    response = make_response(body)
    response.headers["Content-Type"] = content_type
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/<acronym:acronym>/schedule.xml")
def schedule_xml(acronym):
    """The latest release as frab's schedule.xml (one query)."""
    release = releases.latest_release(acronym) or abort(404)
    return _download(frab.schedule_xml(release), "application/xml; charset=utf-8")


@bp.get("/<acronym:acronym>/schedule.json")
def schedule_json(acronym):
    """The latest release as frab's schedule.json (one query)."""
    release = releases.latest_release(acronym) or abort(404)
    return _download(frab.schedule_json(release), "application/json")


# -- Import (organisers) ------------------------------------------------------------------


def _meeting(acronym):
    """Any meeting, drafts too: an agenda is prepared before the meeting is published."""
    return db.one_or_404(db.select(Meeting).filter_by(acronym=acronym))


KIND_LABELS = {
    PRESENTATION: _l("presentation"),
    DISCUSSION: _l("discussion"),
    BREAK: _l("break"),
}


def _page(meeting, form, status=200, plan=None, confirm=None):
    page = render(
        "agenda/import.html",
        meeting=meeting,
        form=form,
        plan=plan,
        confirm=confirm,
        kind_labels=KIND_LABELS,
        day_label=importing.day_label,
    )
    return page, status


@bp.route("/manage/<acronym:acronym>/agenda/import", methods=["GET", "POST"])
@organiser_required
def import_schedule(acronym):
    """Upload a schedule.json; the answer is a preview of what importing it would do."""
    meeting = _meeting(acronym)
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(meeting, form, 422 if form.errors else 200)
    try:
        plan = importing.preview(meeting, form.file.data.stream.read(importing.MAX_BYTES + 1))
        token = importing.sign(plan, current_user._get_current_object())
    except importing.ImportProblem as problem:
        form.file.errors = [str(problem)]
        return _page(meeting, form, problem.status)
    return _page(meeting, form, plan=plan, confirm=ConfirmForm(formdata=None, plan=token))


@bp.post("/manage/<acronym:acronym>/agenda/import/confirm")
@organiser_required
def confirm_import(acronym):
    """Write the previewed plan into the draft agenda, then go to the editor."""
    meeting = _meeting(acronym)
    confirm = ConfirmForm()
    if not confirm.validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    try:
        plan = importing.unsign(confirm.plan.data, meeting, user)
        sessions, items = importing.apply(meeting, plan, by=user)
    except importing.ImportProblem as problem:
        form = UploadForm(formdata=None)
        form.file.errors = [str(problem)]
        return _page(meeting, form, problem.status)
    flash(
        _("Imported %(sessions)d sessions with %(items)d items into the draft agenda. "
          "Publish when it is ready.", sessions=sessions, items=items),
        "success",
    )  # fmt: skip
    return redirect(url_for("agenda_editor.edit", acronym=acronym), 303)
