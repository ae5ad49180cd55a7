"""Organisers' meeting pages: series, meetings (create, edit, publish, delete) and new
editions cloned from previous ones.

Each meeting is a card in the list; editing, cloning and deleting happen in place of the
card with htmx, and every action also works as a plain form and page without JavaScript.
"""

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from wenevents.extensions import db
from wenevents.htmx import client_redirect, client_refresh, finish, is_htmx, render
from wenevents.meetings import cloning, services, translations
from wenevents.meetings.forms import CloneForm, MeetingForm, SeriesForm
from wenevents.meetings.models import DRAFT, PUBLISHED, MeetingSeries
from wenevents.permissions import organiser_required
from wenevents.text import to_id
from wenevents.web import acting_user

bp = Blueprint("meetings_manage", __name__, url_prefix="/manage/meetings")


def _meeting(acronym):
    return services.meeting_for_organisers(acronym) or abort(404)


def _to_list(message=None, anchor=""):
    """After a change that reshapes the list: the list page (htmx: a full load of it)."""
    if message:
        flash(message, "success")
    here = urlsplit(request.headers.get("HX-Current-URL", "")).path
    if is_htmx() and here == url_for(".index"):
        # Sent there, the browser would only move to the anchor and not load the list.
        return client_refresh()
    return client_redirect(url_for(".index") + anchor)


def _meeting_form(meeting=None, **kwargs):
    form = MeetingForm(**kwargs)
    exclude = meeting.id if meeting else None
    form.setup(
        lambda value: services.acronym_problem(value, exclude),
        lambda value: services.number_problem(form.series_id.data, value, exclude),
    )
    return form.set_choices(services.all_series(), services.networks_offered(meeting))


@bp.get("/")
@organiser_required
def index():
    """Every meeting, drafts too, by series, each with what is not yet translated; the
    series; a new meeting or edition."""
    meetings = services.all_meetings()
    return render(
        "meetings/manage.html",
        meetings=meetings,
        untranslated=translations.counts(meetings),
        series=services.all_series(),
        series_form=SeriesForm(formdata=None, prefix="series"),
    )


# -- Series -------------------------------------------------------------------------------


@bp.post("/series")
@organiser_required
def add_series():
    """A new series; its first meeting is created next."""
    form = SeriesForm(prefix="series")
    if form.validate_on_submit():
        try:
            series = services.save_series(None, form.data, acting_user())
        except services.MeetingError as error:
            form.slug.errors.append(str(error))
        else:
            db.session.commit()
            return _to_list(_("Series “%(name)s” created.", name=series.name))
    meetings = services.all_meetings()
    page = render(
        "meetings/manage.html",
        block="series_form",
        meetings=meetings,
        untranslated=translations.counts(meetings),
        series=services.all_series(),
        series_form=form,
    )
    return page, 422


@bp.route("/series/<int:series_id>", methods=["GET", "POST"])
@organiser_required
def edit_series(series_id):
    series = db.get_or_404(MeetingSeries, series_id)
    form = SeriesForm(obj=series, prefix="series")
    if form.validate_on_submit():
        try:
            services.save_series(series, form.data, acting_user())
        except services.MeetingError as error:
            form.slug.errors.append(str(error))
        else:
            db.session.commit()
            return _to_list(_("Series “%(name)s” saved.", name=series.name))
    return render("meetings/manage_series.html", series=series, form=form)


# -- Meetings -----------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@organiser_required
def new():
    """A new meeting, as a draft; its networks, sessions and settings come after."""
    form = _meeting_form()
    if request.method == "GET" and request.args.get("series", type=to_id):
        form.series_id.data = request.args.get("series", type=to_id)
    if form.validate_on_submit():
        networks = services.networks_by_ids(form.networks.data)
        meeting = services.save_meeting(None, form.data, networks, acting_user())
        db.session.commit()
        return _to_list(
            _("%(acronym)s created as a draft: only organisers see it.", acronym=meeting.acronym),
            f"#meeting-{meeting.acronym}",
        )
    return render("meetings/manage_new.html", form=form), 422 if form.errors else 200


@bp.route("/<acronym:acronym>/edit", methods=["GET", "POST"])
@organiser_required
def edit(acronym):
    """The meeting's form in place of its card; saved, the card comes back."""
    meeting = _meeting(acronym)
    form = _meeting_form(meeting, obj=meeting, prefix=f"m{meeting.id}")
    if request.method == "GET":
        form.networks.data = [n.id for n in meeting.networks]
    elif form.validate_on_submit():
        networks = services.networks_by_ids(form.networks.data, meeting)
        try:
            services.save_meeting(meeting, form.data, networks, acting_user())
        except services.MeetingError as error:
            db.session.rollback()
            form.acronym.errors.append(str(error))
        else:
            db.session.commit()
            if not is_htmx() or meeting.acronym != acronym:
                # A new acronym is a new address: reload the list rather than one card.
                return _to_list(_("%(acronym)s saved.", acronym=meeting.acronym))
            return _card(meeting, saved=True)
    status = 422 if form.errors else 200
    return render("meetings/manage_edit.html", block="edit", meeting=meeting, form=form), status


@bp.get("/<acronym:acronym>/card")
@organiser_required
def card(acronym):
    """The meeting's card as listed (what "Cancel" puts back); the list without htmx."""
    meeting = _meeting(acronym)
    return finish(
        None,
        url_for(".index") + f"#meeting-{acronym}",
        lambda: _card(meeting),
    )


def _card(meeting, **context):
    """The meeting's card alone (htmx), with its count of what is not yet translated."""
    untranslated = translations.counts([meeting])
    template = "meetings/_manage_card.html"
    return render(template, block="card", meeting=meeting, untranslated=untranslated, **context)


@bp.post("/<acronym:acronym>/status")
@organiser_required
def set_status(acronym):
    """Publish (the public sees it at once) or unpublish (404 to the public again)."""
    meeting = _meeting(acronym)
    status = request.form.get("status")
    if status not in (DRAFT, PUBLISHED):
        abort(400)
    services.set_status(meeting, status, acting_user())
    db.session.commit()
    if meeting.is_published:
        message = _("%(acronym)s is published.", acronym=meeting.acronym)
    else:
        message = _("%(acronym)s is a draft again: only organisers see it.", acronym=acronym)
    return finish(
        message,
        url_for(".index") + f"#meeting-{acronym}",
        lambda: _card(meeting, saved=True),
    )


@bp.route("/<acronym:acronym>/delete", methods=["GET", "POST"])
@organiser_required
def delete(acronym):
    """Ask, then delete a meeting nothing has been given to; otherwise say why not."""
    meeting = _meeting(acronym)
    reasons = services.delete_blockers(meeting)
    if request.method == "POST" and not reasons:
        services.delete_meeting(meeting, acting_user())
        db.session.commit()
        return finish(
            _("%(acronym)s deleted.", acronym=acronym),
            url_for(".index"),
            lambda: render("meetings/manage_delete.html", block="deleted", acronym=acronym),
        )
    status = 409 if request.method == "POST" else 200
    page = render("meetings/manage_delete.html", block="delete", meeting=meeting, reasons=reasons)
    return page, status


@bp.route("/<acronym:acronym>/clone", methods=["GET", "POST"])
@organiser_required
def clone(acronym):
    """A new edition from this one: the skeleton carries over, the dates move."""
    source = cloning.source_meeting(acronym) or abort(404)
    form = CloneForm(prefix=f"c{source.id}", data=cloning.suggestions(source))
    form.setup(
        lambda value: services.acronym_problem(value),
        lambda value: services.number_problem(source.series_id, value),
    )
    _describe(form, source)
    if request.method == "GET":
        form.timezone.data = source.timezone
    elif form.validate_on_submit():
        meeting, summary = cloning.clone(source, form.data, acting_user())
        db.session.commit()
        return _to_list(_cloned_message(source, meeting, summary), f"#meeting-{meeting.acronym}")
    status = 422 if form.errors else 200
    page = render("meetings/manage_clone.html", block="clone", source=source, form=form)
    return page, status


def _describe(form, source):
    """Say beside each box what it would carry over from ``source``."""
    active = [n for n in source.networks if not n.is_archived]
    archived = len(source.networks) - len(active)
    form.copy_networks.description = ngettext(
        "%(num)d network", "%(num)d networks", len(active)
    ) + (" " + _("(%(num)d archived left out)", num=archived) if archived else "")
    items = sum(len(s.items) for s in source.sessions)
    form.copy_sessions.description = ", ".join(
        [
            ngettext("%(num)d session", "%(num)d sessions", len(source.sessions)),
            ngettext("%(num)d item", "%(num)d items", items),
        ]
    )
    form.copy_documents.description = ngettext(
        "%(num)d document slot", "%(num)d document slots", len(source.documents)
    )
    if source.registration_settings is not None:
        form.copy_registration.description = _("The opening and closing move with the dates.")
    else:
        form.copy_registration.description = _(
            "%(acronym)s has no registration settings; its questions, if any, are copied.",
            acronym=source.acronym,
        )


def _cloned_message(source, meeting, summary):
    parts = [
        ngettext("%(num)d network", "%(num)d networks", summary.networks),
        ngettext("%(num)d session", "%(num)d sessions", summary.sessions),
        ngettext("%(num)d item", "%(num)d items", summary.items),
        ngettext("%(num)d document slot", "%(num)d document slots", summary.documents),
    ]
    if summary.registration:
        parts.append(_("the registration settings"))
    if summary.questions:
        parts.append(ngettext("%(num)d question", "%(num)d questions", summary.questions))
    message = _(
        "%(acronym)s created as a draft from %(source)s, with %(what)s.",
        acronym=meeting.acronym,
        source=source.acronym,
        what=", ".join(parts),
    )
    if summary.moved_to_last_day:
        message += " " + ngettext(
            "%(num)d session fell after the last day and is on the last day now.",
            "%(num)d sessions fell after the last day and are on the last day now.",
            summary.moved_to_last_day,
        )
    if summary.left_out:
        message += " " + ngettext(
            "%(num)d item or slot of an archived network was left out.",
            "%(num)d items or slots of archived networks were left out.",
            summary.left_out,
        )
    return message
