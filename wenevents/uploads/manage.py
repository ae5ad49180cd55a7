"""Organisers: the completeness of a meeting's materials, reminders and the deadline."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wenevents.accounts.permissions import organiser_required
from wenevents.htmx import is_htmx, render
from wenevents.uploads import services
from wenevents.uploads.forms import ActionForm, DeadlineForm

bp = Blueprint("uploads_manage", __name__, url_prefix="/manage/<acronym:acronym>/materials")


def _meeting(acronym):
    return services.meeting_with_materials(acronym, published_only=False) or abort(404)


def _page(meeting, **context):
    by_session, networks = services.completeness(meeting)
    deadline = meeting.materials_deadline
    local = deadline.replace(tzinfo=services.UTC).astimezone(meeting.tz) if deadline else None
    context.setdefault(
        "deadline_form", DeadlineForm(deadline=local.replace(tzinfo=None) if local else None)
    )
    return dict(
        meeting=meeting,
        by_session=by_session,
        networks=networks,
        deadline=local,
        action_form=ActionForm(),
        languages=list(services.LANGUAGE_LABELS.items()),
        **context,
    )


@bp.get("/completeness")
@organiser_required
def completeness(acronym):
    """Sessions × networks and networks × information sheets: in, late or missing."""
    meeting = _meeting(acronym)
    return render("uploads/completeness.html", **_page(meeting))


@bp.post("/remind/<int:network_id>")
@organiser_required
def remind(acronym, network_id):
    """Mail the network's focal points what is missing (logged). htmx: the row again."""
    meeting = _meeting(acronym)
    network = next((n for n in meeting.networks if n.id == network_id), None) or abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    sent = services.send_reminder(meeting, network, current_user._get_current_object())
    if sent:
        message = _(
            "Reminder sent to %(n)d focal point address(es) of %(network)s.",
            n=sent,
            network=network.acronym,
        )
    else:
        message = _(
            "%(network)s has no focal point with an email address: nothing was sent.",
            network=network.acronym,
        )
    if is_htmx():
        page = _page(meeting)
        row = next(r for r in page["networks"] if r.network.id == network_id)
        html = render(
            "uploads/completeness.html",
            block="network_row",
            target=f"network-{network_id}",
            row=row,
            notice=message,
            sent=bool(sent),
            **{k: v for k, v in page.items() if k != "networks"},
        )
        return html, (200 if sent else 422)
    flash(message, "success" if sent else "error")
    return redirect(url_for(".completeness", acronym=acronym) + f"#network-{network_id}", 303)


@bp.post("/deadline")
@organiser_required
def deadline(acronym):
    """Set or clear the meeting's materials deadline (in the meeting's time zone)."""
    meeting = _meeting(acronym)
    form = DeadlineForm()
    if not form.validate_on_submit():
        return render("uploads/completeness.html", **_page(meeting, deadline_form=form)), 422
    services.set_deadline(meeting, form.utc(meeting.tz), current_user._get_current_object())
    flash(_("Deadline saved."), "success")
    return redirect(url_for(".completeness", acronym=acronym), 303)
