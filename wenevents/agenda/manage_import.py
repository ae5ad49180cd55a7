"""Organisers: importing a frab-compatible schedule.json into the draft agenda, after a
preview (wenevents/agenda/importing.py). On the editor's blueprint (manage.py)."""

from flask import abort, g, render_template, url_for
from flask_babel import gettext as _

from wenevents.agenda import importing
from wenevents.agenda.forms import ConfirmForm, UploadForm
from wenevents.agenda.manage import bp
from wenevents.agenda.models import BREAK, DISCUSSION, PRESENTATION
from wenevents.extensions import db
from wenevents.htmx import finish
from wenevents.i18n import lazy_gettext as _l
from wenevents.web import acting_user

KIND_LABELS = {
    PRESENTATION: _l("presentation"),
    DISCUSSION: _l("discussion"),
    BREAK: _l("break"),
}


def _page(form, status=200, plan=None, confirm=None):
    page = render_template(
        "agenda/import.html",
        meeting=g.meeting,
        form=form,
        plan=plan,
        confirm=confirm,
        kind_labels=KIND_LABELS,
        day_label=importing.day_label,
    )
    return page, status


@bp.route("/import", methods=["GET", "POST"])
def import_schedule():
    """Upload a schedule.json; the answer is a preview of what importing it would do."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(form, 422 if form.errors else 200)
    try:
        plan = importing.preview(g.meeting, form.file.data.stream.read(importing.MAX_BYTES + 1))
        token = importing.sign(plan, acting_user())
    except importing.ImportProblem as problem:
        form.file.errors = [str(problem)]
        return _page(form, problem.status)
    return _page(form, plan=plan, confirm=ConfirmForm(formdata=None, plan=token))


@bp.post("/import/confirm")
def confirm_import():
    """Write the previewed plan into the draft agenda (under the meeting's lock, taken by
    ``importing.apply``), then go to the editor."""
    confirm = ConfirmForm()
    if not confirm.validate_on_submit():
        abort(400)
    try:
        plan = importing.unsign(confirm.plan.data, g.meeting, acting_user())
        sessions, items = importing.apply(g.meeting, plan, by=acting_user())
    except importing.ImportProblem as problem:
        db.session.rollback()  # nothing half-imported; the lock goes at once
        form = UploadForm(formdata=None)
        form.file.errors = [str(problem)]
        return _page(form, problem.status)
    db.session.commit()
    message = _(
        "Imported %(sessions)s with %(items)s into the draft agenda. Publish when it is ready.",
        sessions=importing.count_sessions(sessions),
        items=importing.count_items(items),
    )
    return finish(message, url_for(".edit"))
