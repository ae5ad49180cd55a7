"""Organisers: the completeness of a meeting's materials, reminders and the deadline."""

from datetime import UTC

from flask import Blueprint, abort, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from wenevents import htmx, web
from wenevents.extensions import db
from wenevents.htmx import is_htmx, render
from wenevents.permissions import organiser_required, organisers_only
from wenevents.uploads.access import set_access_many
from wenevents.uploads.completeness import completeness as completeness_of
from wenevents.uploads.completeness import (
    expected_languages,
    remind_all,
    reminder_preview,
    send_reminder,
    set_deadline,
    set_languages,
)
from wenevents.uploads.forms import ActionForm, BulkAccessForm, DeadlineForm, LanguagesForm
from wenevents.uploads.pruning import earlier_versions, prune_meeting, remove_files
from wenevents.uploads.targets import ACCESS_LABELS, LANGUAGE_LABELS, meeting_with_materials

bp = Blueprint("uploads_manage", __name__, url_prefix="/manage/<acronym:acronym>/materials")

organisers_only(bp)
web.meeting_of_url(bp, lambda acronym: meeting_with_materials(acronym, published_only=False))


NOTICE_KEY = "materials_notice"


def _notice(place, message, ok=True):
    """Keep a message for the next page, to be shown at ``place`` (a section's or a row's
    id) where the redirect lands, rather than at the top of the page."""
    session[NOTICE_KEY] = {"acronym": g.meeting.acronym, "place": place, "text": message, "ok": ok}
    return redirect(url_for(".completeness") + f"#{place}-notice", 303)


def _take_notice():
    notice = session.pop(NOTICE_KEY, None)
    if not isinstance(notice, dict) or notice.get("acronym") != g.meeting.acronym:
        return None
    return notice


def _page(**context):
    meeting = g.meeting
    by_session, networks = completeness_of(meeting)
    deadline = meeting.materials_deadline
    local = deadline.replace(tzinfo=UTC).astimezone(meeting.tz) if deadline else None
    context.setdefault(
        "deadline_form", DeadlineForm(deadline=local.replace(tzinfo=None) if local else None)
    )
    expected = expected_languages(meeting)
    context.setdefault("languages_form", LanguagesForm(languages=expected))
    context.setdefault("section_notice", None)
    context.setdefault("access_form", BulkAccessForm(formdata=None).setup(meeting.documents))
    return dict(
        meeting=meeting,
        by_session=by_session,
        networks=networks,
        deadline=local,
        action_form=ActionForm(),
        languages=[(code, LANGUAGE_LABELS[code]) for code in expected],
        language_labels=LANGUAGE_LABELS,
        earlier=earlier_versions(meeting),
        access_labels=ACCESS_LABELS,
        **context,
    )


@bp.get("/completeness")
@organiser_required
def completeness():
    """Sessions × networks and networks × information sheets: in, late or missing."""
    return render("uploads/completeness.html", **_page(section_notice=_take_notice()))


def _reminder_message(network, recipients):
    """What the organiser is told: whom the reminder reached, and whom it did not."""
    sent = len(recipients.mailed)
    if sent:
        message = ngettext(
            "Reminder sent to %(num)d focal point address of %(network)s.",
            "Reminder sent to %(num)d focal point addresses of %(network)s.",
            sent,
            network=network.acronym,
        )
    else:
        message = _(
            "%(network)s has no focal point with an account: nothing was sent.",
            network=network.acronym,
        )
    unreached = len(recipients.no_account) + len(recipients.other_account)
    if unreached:
        message += " " + ngettext(
            "%(num)d focal point in the directory has no account that can upload for "
            "%(network)s and was not mailed: invite them from the reminder's preview.",
            "%(num)d focal points in the directory have no account that can upload for "
            "%(network)s and were not mailed: invite them from the reminder's preview.",
            unreached,
            network=network.acronym,
        )
    return message


@bp.route("/remind/<int:network_id>", methods=["GET", "POST"])
@organiser_required
def remind(network_id):
    """GET: what the reminder says and whom it reaches (and whom not: directory focal
    points without an account, with a link to invite each). POST: mail the network's
    focal point accounts (logged); htmx: the row again."""
    meeting = g.meeting
    network = next((n for n in meeting.networks if n.id == network_id), None) or abort(404)
    form = ActionForm()
    if request.method == "GET":
        row, missing_slides = reminder_preview(meeting, network)
        return render(
            "uploads/remind.html",
            meeting=meeting,
            network=network,
            row=row,
            missing_slides=missing_slides,
            language_labels=LANGUAGE_LABELS,
            several_languages=len(row.sheet.states) > 1,
            form=form,
        )
    if not form.validate_on_submit():
        abort(400)
    recipients = send_reminder(meeting, network, web.acting_user())
    db.session.commit()
    sent = bool(recipients.mailed)
    message = _reminder_message(network, recipients)
    if is_htmx():
        page = _page()
        row = next(r for r in page["networks"] if r.network.id == network_id)
        html = render(
            "uploads/completeness.html",
            block="network_row",
            target=f"network-{network_id}",
            row=row,
            notice=message,
            sent=sent,
            **{k: v for k, v in page.items() if k != "networks"},
        )
        return html, (200 if sent else 422)
    return _notice(f"network-{network_id}", message, ok=sent)


@bp.post("/remind-all")
@organiser_required
def remind_everyone():
    """One reminder to each network with something missing, queued in one batch."""
    if not ActionForm().validate_on_submit():
        abort(400)
    sent = remind_all(g.meeting, web.acting_user())
    db.session.commit()
    return _notice("networks", _everyone_message(sent), ok=any(r.mailed for _n, r in sent))


def _everyone_message(sent):
    """Whom the batch reached, and which networks it could not reach."""
    reached = [r for _network, r in sent if r.mailed]
    if not sent:
        return _("Every network has sent everything: no reminder was needed.")
    message = ngettext(
        "Reminders queued for %(num)d network (%(addresses)d addresses).",
        "Reminders queued for %(num)d networks (%(addresses)d addresses).",
        len(reached),
        addresses=sum(len(r.mailed) for r in reached),
    )
    unreached = [network.acronym for network, r in sent if not r.mailed]
    if unreached:
        message += " " + _(
            "No focal point with an account, so not reminded: %(networks)s.",
            networks=", ".join(unreached),
        )
    return message


@bp.post("/deadline")
@organiser_required
def deadline():
    """Set or clear the meeting's materials deadline (in the meeting's time zone)."""
    form = DeadlineForm()
    if not form.validate_on_submit():
        return render("uploads/completeness.html", **_page(deadline_form=form)), 422
    set_deadline(g.meeting, form.utc(g.meeting.tz), web.acting_user())
    db.session.commit()
    return htmx.finish(_("Deadline saved."), url_for(".completeness"))


@bp.post("/access")
@organiser_required
def access():
    """Who may download the chosen files, and whether the slides among them wait for their
    session: one file or several at once; each change audited. htmx: the section again."""
    form = BulkAccessForm().setup(g.meeting.documents)
    if not form.validate_on_submit():
        if is_htmx():
            return _access_block(access_form=form), 422
        return render("uploads/completeness.html", **_page(access_form=form)), 422
    chosen = set(form.documents.data)
    documents = [d for d in g.meeting.documents if d.id in chosen]
    changed = set_access_many(
        documents, form.access.data or None, form.embargo_value, web.acting_user()
    )
    db.session.commit()
    if not changed:
        message = _("Nothing changed: the selected files were so already.")
    elif changed == len(documents):
        message = ngettext("Saved for %(num)d file.", "Saved for %(num)d files.", changed)
    else:
        message = ngettext(
            "Saved for %(num)d file; the others were so already.",
            "Saved for %(num)d files; the others were so already.",
            changed,
        )
    if is_htmx():
        notice = {"acronym": g.meeting.acronym, "place": "access", "text": message, "ok": True}
        return _access_block(section_notice=notice)
    return _notice("access", message)


def _access_block(**context):
    return render("uploads/completeness.html", block="access", target="access", **_page(**context))


@bp.post("/languages")
@organiser_required
def languages():
    """Set the languages the meeting's materials are expected in."""
    form = LanguagesForm()
    if not form.validate_on_submit():
        return render("uploads/completeness.html", **_page(languages_form=form)), 422
    set_languages(g.meeting, form.languages.data, web.acting_user())
    db.session.commit()
    labels = [str(LANGUAGE_LABELS[c]) for c in expected_languages(g.meeting)]
    return _notice(
        "languages",
        _("Materials are expected in: %(languages)s.", languages=", ".join(labels)),
    )


@bp.route("/prune", methods=["GET", "POST"])
@organiser_required
def prune():
    """Delete every earlier version of the meeting's materials (asked first: GET says
    how many and how much); the current version of each file stays. Audited."""
    meeting = g.meeting
    form = ActionForm()
    if not form.validate_on_submit():
        earlier = earlier_versions(meeting)
        return render("uploads/prune_meeting.html", meeting=meeting, earlier=earlier, form=form)
    pruned = prune_meeting(meeting, web.acting_user())
    db.session.commit()
    remove_files(pruned)
    message = ngettext(
        "%(num)d earlier version deleted; %(size)s freed.",
        "%(num)d earlier versions deleted; %(size)s freed.",
        pruned.versions,
        size=web.megabytes(pruned.size),
    )
    return htmx.finish(message, url_for(".completeness") + "#earlier-heading")
