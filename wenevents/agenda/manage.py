"""Organisers: the agenda editor (sessions and items edited in place) and publishing.

Every change answers an htmx request with what it changed (the ``agenda`` block, the
cards of the sessions an item touched, or only numbers, times and warnings after a move),
and a plain request with a redirect back to the editor, so the editor works without
JavaScript too. Publishing (manage_releases.py) and importing a schedule.json
(manage_import.py) are on the same blueprint.
"""

import json
from datetime import date
from functools import partial

from flask import Blueprint, abort, g, make_response, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from jinja2_fragments.flask import render_block

from wenevents.agenda import editing, releases
from wenevents.agenda.forms import ItemForm, PublishForm, SessionForm
from wenevents.extensions import db
from wenevents.htmx import aimed_at, finish, is_htmx, render, retarget
from wenevents.meetings.services import meeting_for_organisers
from wenevents.permissions import organisers_only
from wenevents.text import to_id
from wenevents.web import acting_user, meeting_of_url

bp = Blueprint("agenda_manage", __name__, url_prefix="/manage/<acronym:acronym>/agenda")


organisers_only(bp)
meeting_of_url(bp, meeting_for_organisers)

TEMPLATE = "agenda/editor.html"


def editor_url(anchor=""):
    return url_for(".edit") + anchor


def _forms(meeting, sessions):
    """What the editor's panels need whatever changed: the publish panel, with the titles
    it would publish untranslated."""
    changes, latest, after = releases.pending(meeting)
    return {
        "meeting": meeting,
        "changes": changes,
        # Asked only when the publish panel is drawn (not for an item's form).
        "audience_of": lambda: releases.pending_audience(meeting, changes, latest, after),
        "untranslated": releases.untranslated_titles(changes, sessions),
        "latest": latest,
        "publish_form": PublishForm(formdata=None),
    }


def editor_page(status=200, block="agenda", **context):
    """The editor, whole (a plain request) or its ``block`` (htmx)."""
    meeting = g.meeting
    sessions = editing.draft_agenda(meeting)
    context.setdefault("new_session", SessionForm(meeting=meeting, formdata=None, prefix="new"))
    html = render(
        TEMPLATE,
        block=block,
        sessions=sessions,
        days=_by_day(meeting, sessions),
        warnings=editing.warnings(meeting, sessions),
        **_forms(meeting, sessions),
        **context,
    )
    return html, status


def _by_day(meeting, sessions):
    days = {day: [] for day in meeting.days}
    for session in sessions:
        days.setdefault(session.day, []).append(session)
    return sorted(days.items())


def _item_form(**kwargs):
    return ItemForm(networks=g.meeting.networks, **kwargs)


def _agenda():
    """To htmx after a change: the agenda, in its own place whatever the form aimed at (a
    session's form aims at the session): never the whole agenda inside one of its rows."""
    return retarget(editor_page(), "#agenda", "outerHTML")


@bp.get("/")
def edit():
    """The draft agenda by day, with warnings and what publishing would change; to htmx
    aimed at ``#agenda-status`` (refreshing itself after a move), that panel alone."""
    return editor_page(block="status" if aimed_at("agenda-status") else None)


# -- Sessions -----------------------------------------------------------------------


@bp.post("/sessions")
def add_session():
    form = SessionForm(meeting=g.meeting, prefix="new")
    if not form.validate_on_submit():
        return editor_page(422, new_session=form)
    session = editing.save_session(g.meeting, None, form.data, by=acting_user())
    db.session.commit()
    message = _("Session %(number)s added.", number=session.number)
    return finish(message, editor_url(f"#session-{session.id}"), _agenda)


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
def edit_session(session_id):
    """The session's form in place of the session; saved, the agenda comes back."""
    session = editing.session_of(g.meeting, session_id) or abort(404)
    form = SessionForm(meeting=g.meeting, obj=session, prefix=f"s{session.id}")
    stale, status = None, 200
    if request.method == "GET":
        form.version.data = session.version
    elif form.validate_on_submit():
        opened = form.opened_version()
        try:
            editing.save_session(g.meeting, session, form.data, opened, acting_user())
        except editing.StaleEdit as error:
            stale, status = _stale(form, error.current, editing.SESSION_FIELDS), 409
        else:
            db.session.commit()
            return finish(None, editor_url(f"#session-{session_id}"), _agenda)
    else:
        status = 422
    return editor_page(
        status, "session_form", editing_session=session, session_form=form, stale=stale
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
def delete_session(session_id):
    """Deleting a session says what goes with it first; uploaded slides are kept."""
    session = editing.session_of(g.meeting, session_id) or abort(404)
    if request.method == "POST" and request.form.get("confirmed") == "yes":
        message = _("Session %(number)s deleted.", number=session.number)
        editing.delete_session(session, acting_user())
        db.session.commit()
        return finish(message, editor_url(), _agenda)
    slides = editing.slides_of(g.meeting, session.items)
    return editor_page(block="delete_session", deleting=session, slides=slides)


@bp.post("/sessions/<int:session_id>/move")
def move_session(session_id):
    """Earlier or later in its day: buttons for the keyboard and for no JavaScript.

    To htmx, only what the move changed (see ``_moved``), not the whole agenda.
    """
    session = editing.session_of(g.meeting, session_id) or abort(404)
    up = _moving_up()
    before = _state()
    if not editing.move_session(session, -1 if up else 1, acting_user()):
        return _move_refused(_("This session cannot move further in its day."))
    db.session.commit()
    session = editing.session_of(g.meeting, session_id)
    message = _(
        "Session “%(title)s” moved %(where)s: it is now session %(number)s, %(start)s–%(end)s.",
        title=session.title,
        where=_("earlier") if up else _("later"),
        number=session.number,
        start=session.starts_at.strftime("%H:%M"),
        end=session.ends_at.strftime("%H:%M"),
    )
    return _moved(before, message, f"session-{session.id}", "up" if up else "down")


def _moving_up():
    """Whether the button pressed was up (earlier) rather than down (later); 400 for
    neither, rather than a move nobody asked for."""
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    return direction == "up"


@bp.post("/days/<day>/order")
def order_sessions(day):
    """The order of a day's sessions after a drag and drop; they swap time slots."""
    try:
        day = date.fromisoformat(day)
    except ValueError:
        abort(404)
    before = _state() if is_htmx() else {}
    moved = editing.reorder_sessions(g.meeting, day, _ids("session"), acting_user())
    db.session.commit()
    if moved and is_htmx():
        # The page already shows the new order (dragged there): only numbers, times and
        # warnings come back. Refused, the whole agenda puts the rows back.
        message = _("The new order of the sessions of %(day)s is saved.", day=format_date(day))
        return _moved(before, message)
    return finish(None, editor_url(), _agenda)


def _ids(name):
    return [number for value in request.form.getlist(name) if (number := to_id(value))]


# -- Items --------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/items", methods=["GET", "POST"])
def add_item(session_id):
    """A new item's form for the session (GET); posted, the item joins the session."""
    session = editing.session_of(g.meeting, session_id) or abort(404)
    if request.method == "GET":
        return _add_item_form(session, _item_form(formdata=None, prefix=f"add{session.id}"))
    form = _item_form(prefix=f"add{session.id}")
    if not form.validate_on_submit():
        if is_htmx():
            return _cards({}, [session.id], status=422, adding=session, add_form=form)
        return editor_page(422, None, adding=session, add_form=form)
    before = _state() if is_htmx() else {}
    item = editing.save_item(session, None, _item_values(form), by=acting_user())
    db.session.commit()

    def added():
        number = session.number
        message = _("“%(title)s” added to session %(number)s.", title=item.title, number=number)
        return _cards(before, [session.id, item.session_id], message)

    return finish(None, editor_url(f"#session-{session_id}"), added)


def _add_item_form(session, form):
    """To htmx aimed at the session's "Add an item" link, the form alone in its place;
    otherwise the editor with that session's form open."""
    if aimed_at(f"add-item-{session.id}"):
        return render_block(TEMPLATE, "add_item", meeting=g.meeting, adding=session, add_form=form)
    return editor_page(block=None, adding=session, add_form=form)


def _item_values(form):
    network = form.chosen_network()
    return {
        **form.data,
        "network_id": network.id if network else None,
        "session": form.chosen_session(),
    }


@bp.route("/items/<int:item_id>", methods=["GET", "POST"])
def edit_item(item_id):
    """The item's form in place of the item; saved, the agenda comes back."""
    item = editing.item_of(g.meeting, item_id) or abort(404)
    sessions = editing.draft_agenda(g.meeting)
    form = _item_form(obj=item, prefix=f"i{item.id}", sessions=sessions)
    stale, status = None, 200
    if request.method == "GET":
        form.version.data = item.version
        form.network.data = str(item.network_id or "")
        form.session.data = str(item.session_id)
    elif form.validate_on_submit():
        was_in = item.session_id
        before = _state() if is_htmx() else {}
        try:
            values = _item_values(form)
            editing.save_item(item.session, item, values, form.opened_version(), acting_user())
        except editing.StaleEdit as error:
            stale, status = _stale(form, error.current, ("kind", "title", "presenters")), 409
        else:
            db.session.commit()
            saved = partial(_saved, item_id, before, was_in)
            return finish(None, editor_url(f"#item-{item_id}"), saved)
    else:
        status = 422
    return editor_page(status, "item_form", editing_item=item, item_edit=form, stale=stale)


def _saved(item_id, before, was_in):
    """To htmx after an item is saved: the cards of the sessions it was and is in."""
    item = editing.item_of(g.meeting, item_id)
    message = _("“%(title)s” saved.", title=item.title)
    return _cards(before, [was_in, item.session_id], message)


@bp.route("/items/<int:item_id>/delete", methods=["GET", "POST"])
def delete_item(item_id):
    """Delete once confirmed: on the confirmation shown in place of the item (without
    JavaScript, or when slides were uploaded for it: the files are kept), or in htmx's
    dialog (``confirmed=dialog``), which is enough when no slides hang on the item."""
    item = editing.item_of(g.meeting, item_id) or abort(404)
    slides = editing.slides_of(g.meeting, [item])
    confirmed = request.form.get("confirmed")
    session_id = item.session_id
    if request.method == "POST" and (confirmed == "yes" or (confirmed == "dialog" and not slides)):
        before = _state() if is_htmx() else {}
        message = _("“%(title)s” deleted.", title=item.title)
        editing.delete_item(item, acting_user())
        db.session.commit()
        return finish(
            None,
            editor_url(f"#session-{session_id}"),
            lambda: _cards(before, [session_id], message),
        )
    # The item's session (htmx) or the whole editor, the item replaced by the question.
    if is_htmx():
        return _cards({}, [session_id], deleting_item=item, slides=slides)
    return editor_page(block=None, deleting_item=item, slides=slides)


@bp.post("/items/<int:item_id>/move")
def move_item(item_id):
    """Up or down in its session; to htmx, only what changed (see ``_moved``)."""
    item = editing.item_of(g.meeting, item_id) or abort(404)
    up = _moving_up()
    before = _state()
    if not editing.move_item(item, -1 if up else 1, acting_user()):
        return _move_refused(_("This item cannot move further in its session."))
    db.session.commit()
    item = editing.item_of(g.meeting, item_id)
    start, end = item.session.item_times()[item]
    message = _(
        "“%(title)s” moved %(where)s: it is now item %(position)s of session %(number)s.",
        title=item.title,
        where=_("up") if up else _("down"),
        position=item.position + 1,
        number=item.session.number,
    )
    if item.duration_minutes:
        message += " " + _(
            "It runs %(start)s–%(end)s.", start=start.strftime("%H:%M"), end=end.strftime("%H:%M")
        )
    return _moved(before, message, f"item-{item.id}", "up" if up else "down")


@bp.post("/sessions/<int:session_id>/order")
def order_items(session_id):
    """The items of a session after a drag and drop, which may bring one from elsewhere."""
    session = editing.session_of(g.meeting, session_id) or abort(404)
    before = _state() if is_htmx() else {}
    editing.reorder_items(session, _ids("item"), acting_user())
    db.session.commit()
    message = _("The new order of the items of session %(number)s is saved.", number=session.number)
    return finish(None, editor_url(), lambda: _moved(before, message))


# -- Answering a change: only what changed ------------------------------------------


def _state():
    """What a move can change, by element: numbers, times and warnings."""
    sessions = editing.draft_agenda(g.meeting)
    warnings = editing.warnings(g.meeting, sessions)
    state = {}
    for session in sessions:
        key = f"session-{session.id}"
        state[key] = (session.number, session.starts_at, session.ends_at, warnings.get(key))
        for item, times in session.item_times().items():
            state[f"item-{item.id}"] = (times, warnings.get(f"item-{item.id}"))
    return state


def _moved(before, message, moved=None, direction=None):
    """After a move: to htmx, the sentence for the live region and, out of band, the
    sessions and items whose number, times or warnings changed (a few KB, where the whole
    agenda is a hundred); the rows swap places in the page (agenda-editor.js), the focus
    stays on the button. Without JavaScript: the editor again, at the moved row."""

    def changes():
        sessions = editing.draft_agenda(g.meeting)
        warnings = editing.warnings(g.meeting, sessions)
        changed_sessions, changed_items = _changed(before, sessions, warnings)
        html = render(
            TEMPLATE,
            block="moved",
            meeting=g.meeting,
            warnings=warnings,
            message=message,
            changed_sessions=changed_sessions,
            changed_items=changed_items,
        )
        response = make_response(html)
        events = {"agenda-changed": True}
        if moved:
            events["agenda-moved"] = {"row": moved, "direction": direction}
        response.headers["HX-Trigger-After-Settle"] = json.dumps(events)
        return response

    return finish(message, editor_url(f"#{moved}" if moved else ""), changes)


def _changed(before, sessions, warnings, skip=()):
    """The sessions and ``(item, start, end)`` whose number, times or warnings differ from
    ``before`` (``_state``); sessions in ``skip`` (re-rendered whole) left out."""
    changed_sessions, changed_items = [], []
    for session in sessions:
        if session.id in skip:
            continue
        key = f"session-{session.id}"
        if before.get(key) != (
            session.number,
            session.starts_at,
            session.ends_at,
            warnings.get(key),
        ):
            changed_sessions.append(session)
        for item, (start, end) in session.item_times().items():
            if before.get(f"item-{item.id}") != ((start, end), warnings.get(f"item-{item.id}")):
                changed_items.append((item, start, end))
    return changed_sessions, changed_items


def _cards(before, session_ids, message="", status=200, **context):
    """To htmx after an item's change: the card of the session it touched in place of the
    request's target (whatever the form aimed at), the other touched cards, what else
    changed and the publish panel out of band, and ``message`` for the live region."""
    sessions = editing.draft_agenda(g.meeting)
    warnings = editing.warnings(g.meeting, sessions)
    by_id = {session.id: session for session in sessions}
    cards = [by_id[i] for i in dict.fromkeys(session_ids) if i in by_id]
    changed_sessions, changed_items = (
        _changed(before, sessions, warnings, skip={card.id for card in cards})
        if before
        else ([], [])
    )
    html = render(
        TEMPLATE,
        block="cards",
        warnings=warnings,
        cards=cards,
        changed_sessions=changed_sessions,
        changed_items=changed_items,
        message=message,
        **_forms(g.meeting, sessions),
        **context,
    )
    if not cards:
        return html, status
    return retarget((html, status), f"#session-{cards[0].id}", "outerHTML")


def _move_refused(message):
    """Nothing moved: said in the live region (htmx), or as a notice on the page."""

    def say():
        return render(
            TEMPLATE, block="moved", message=message, changed_sessions=[], changed_items=[]
        )

    return finish(message, editor_url(), say, category="info")
