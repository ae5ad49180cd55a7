"""The organisers' agenda editor: sessions and items edited in place, and publishing.

Every change answers an htmx request with the ``agenda`` block (numbers, times and
warnings can change anywhere on the page), and a plain request with a redirect back
to the editor, so the editor works without JavaScript too.
"""

from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wenevents.accounts.permissions import organiser_required
from wenevents.agenda import editing, releases
from wenevents.agenda.forms import ItemForm, PublishForm, SessionForm
from wenevents.extensions import db
from wenevents.htmx import is_htmx, render
from wenevents.meetings.models import Meeting

bp = Blueprint("agenda_editor", __name__, url_prefix="/manage/<acronym:acronym>/agenda")

TEMPLATE = "agenda/editor.html"


def _meeting(acronym):
    """Any meeting, drafts too: the agenda is prepared before the meeting is published."""
    return db.one_or_404(
        db.select(Meeting).filter_by(acronym=acronym).options(db.selectinload(Meeting.networks))
    )


def _by():
    return current_user._get_current_object()


def _page(meeting, status=200, **context):
    """The editor, whole (a plain request) or its ``agenda`` block (htmx)."""
    sessions = editing.draft_agenda(meeting)
    changes, latest = releases.pending_changes(meeting)
    context.setdefault("new_session", _session_form(meeting, formdata=None, prefix="new"))
    return (
        render(
            TEMPLATE,
            block=context.pop("block", "agenda"),
            meeting=meeting,
            sessions=sessions,
            days=_by_day(meeting, sessions),
            warnings=editing.warnings(meeting, sessions),
            changes=changes,
            latest=latest,
            publish_form=PublishForm(formdata=None),
            add_item_form=lambda session: _item_form(
                meeting, formdata=None, prefix=f"add{session.id}"
            ),
            **context,
        ),
        status,
    )


def _by_day(meeting, sessions):
    days = {day: [] for day in meeting.days}
    for session in sessions:
        days.setdefault(session.day, []).append(session)
    return sorted(days.items())


def _session_form(meeting, **kwargs):
    return SessionForm(meeting=meeting, **kwargs)


def _item_form(meeting, **kwargs):
    return ItemForm(networks=meeting.networks, **kwargs)


def _back(meeting, anchor=""):
    """After a change: the agenda block (htmx) or the editor page (a plain form post)."""
    if is_htmx():
        return _page(meeting)
    return redirect(url_for("agenda_editor.edit", acronym=meeting.acronym) + anchor, 303)


@bp.get("/")
@organiser_required
def edit(acronym):
    """The draft agenda by day, with warnings and what publishing would change."""
    return _page(_meeting(acronym), block=None)


# -- Sessions -----------------------------------------------------------------------


@bp.post("/sessions")
@organiser_required
def add_session(acronym):
    meeting = _meeting(acronym)
    form = _session_form(meeting, prefix="new")
    if not form.validate_on_submit():
        return _page(meeting, 422, new_session=form, block="agenda" if is_htmx() else None)
    session = editing.save_session(meeting, None, form.data, by=_by())
    flash(_("Session %(number)s added.", number=session.number), "success")
    return _back(meeting, f"#session-{session.id}")


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@organiser_required
def edit_session(acronym, session_id):
    """The session's form in place of the session; saved, the agenda comes back."""
    meeting = _meeting(acronym)
    session = editing.session_of(meeting, session_id) or abort(404)
    form = _session_form(meeting, obj=session, prefix=f"s{session.id}")
    stale, status = None, 200
    if request.method == "GET":
        form.version.data = session.version
    elif form.validate_on_submit():
        try:
            editing.save_session(meeting, session, form.data, form.opened_version(), _by())
        except editing.StaleEdit as error:
            stale, status = _stale(form, error.current, editing.SESSION_FIELDS), 409
        else:
            return _back(meeting, f"#session-{session.id}")
    else:
        status = 422
    return _page(
        meeting,
        status,
        block="session_form",
        editing_session=session,
        session_form=form,
        stale=stale,
    )


def _stale(form, current, fields):
    """Which fields someone else changed, with their values now; the next save overwrites."""
    changed = [
        (form[name].label.text, getattr(current, name))
        for name in fields
        if name in form and form[name].data != getattr(current, name)
    ]
    form.version.data = current.version
    return changed


@bp.route("/sessions/<int:session_id>/delete", methods=["GET", "POST"])
@organiser_required
def delete_session(acronym, session_id):
    """Deleting a session says what goes with it first; uploaded slides are kept."""
    meeting = _meeting(acronym)
    session = editing.session_of(meeting, session_id) or abort(404)
    if request.method == "POST" and request.form.get("confirmed") == "yes":
        number = session.number
        editing.delete_session(session, _by())
        flash(_("Session %(number)s deleted.", number=number), "success")
        return _back(meeting)
    return _page(
        meeting,
        block="delete_session",
        deleting=session,
        slides=editing.slides_of(session.items),
    )


@bp.post("/sessions/<int:session_id>/move")
@organiser_required
def move_session(acronym, session_id):
    """Earlier or later in its day: buttons for the keyboard and for no JavaScript."""
    meeting = _meeting(acronym)
    session = editing.session_of(meeting, session_id) or abort(404)
    step = -1 if request.form.get("direction") == "up" else 1
    if not editing.move_session(session, step, _by()):
        flash(_("This session cannot move further in its day."), "info")
    return _back(meeting, f"#session-{session.id}")


@bp.post("/days/<day>/order")
@organiser_required
def order_sessions(acronym, day):
    """The order of a day's sessions after a drag and drop; they swap time slots."""
    meeting = _meeting(acronym)
    try:
        day = date.fromisoformat(day)
    except ValueError:
        abort(404)
    editing.reorder_sessions(meeting, day, _ids("session"), _by())
    return _back(meeting)


def _ids(name):
    return [int(value) for value in request.form.getlist(name) if value.isdigit()]


# -- Items --------------------------------------------------------------------------


@bp.post("/sessions/<int:session_id>/items")
@organiser_required
def add_item(acronym, session_id):
    meeting = _meeting(acronym)
    session = editing.session_of(meeting, session_id) or abort(404)
    form = _item_form(meeting, prefix=f"add{session.id}")
    if not form.validate_on_submit():
        return _page(
            meeting, 422, block="agenda" if is_htmx() else None, adding=session, add_form=form
        )
    editing.save_item(session, None, _item_values(form), by=_by())
    return _back(meeting, f"#session-{session.id}")


def _item_values(form):
    network = form.chosen_network()
    return {
        **form.data,
        "network_id": network.id if network else None,
        "session": form.chosen_session(),
    }


@bp.route("/items/<int:item_id>", methods=["GET", "POST"])
@organiser_required
def edit_item(acronym, item_id):
    """The item's form in place of the item; saved, the agenda comes back."""
    meeting = _meeting(acronym)
    item = editing.item_of(meeting, item_id) or abort(404)
    sessions = editing.draft_agenda(meeting)
    form = _item_form(meeting, obj=item, prefix=f"i{item.id}", sessions=sessions)
    stale, status = None, 200
    if request.method == "GET":
        form.version.data = item.version
        form.network.data = str(item.network_id or "")
        form.session.data = str(item.session_id)
    elif form.validate_on_submit():
        try:
            editing.save_item(item.session, item, _item_values(form), form.opened_version(), _by())
        except editing.StaleEdit as error:
            stale, status = _stale(form, error.current, ("kind", "title", "presenters")), 409
        else:
            return _back(meeting, f"#item-{item.id}")
    else:
        status = 422
    return _page(meeting, status, block="item_form", editing_item=item, item_edit=form, stale=stale)


@bp.route("/items/<int:item_id>/delete", methods=["GET", "POST"])
@organiser_required
def delete_item(acronym, item_id):
    """Delete at once, unless slides were uploaded for it: then ask (the files are kept)."""
    meeting = _meeting(acronym)
    item = editing.item_of(meeting, item_id) or abort(404)
    slides = editing.slides_of([item])
    if request.method == "POST" and (not slides or request.form.get("confirmed") == "yes"):
        editing.delete_item(item, _by())
        return _back(meeting, f"#session-{item.session_id}")
    return _page(meeting, block="delete_item", deleting_item=item, slides=slides)


@bp.post("/items/<int:item_id>/move")
@organiser_required
def move_item(acronym, item_id):
    meeting = _meeting(acronym)
    item = editing.item_of(meeting, item_id) or abort(404)
    step = -1 if request.form.get("direction") == "up" else 1
    editing.move_item(item, step, _by())
    return _back(meeting, f"#item-{item.id}")


@bp.post("/sessions/<int:session_id>/order")
@organiser_required
def order_items(acronym, session_id):
    """The items of a session after a drag and drop, which may bring one from elsewhere."""
    meeting = _meeting(acronym)
    session = editing.session_of(meeting, session_id) or abort(404)
    editing.reorder_items(session, _ids("item"), _by())
    return _back(meeting)


# -- Publishing ---------------------------------------------------------------------


@bp.post("/publish")
@organiser_required
def publish(acronym):
    """Make the next release from the draft; the public sees it at once."""
    meeting = _meeting(acronym)
    form = PublishForm()
    if not form.validate_on_submit():
        return _page(meeting, 422, block=None)
    release = releases.publish(meeting, by=_by(), note=form.note.data or "")
    if release is None:
        flash(_("Nothing has changed since the last release."), "info")
    else:
        flash(
            _("Release %(number)s is published.", number=release.number),
            "success",
        )
    return redirect(url_for("agenda_editor.edit", acronym=meeting.acronym), 303)
