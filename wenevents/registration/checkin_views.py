"""The check-in page (``/<acronym>/check-in``), for a phone at the venue's door: a badge's
code (scanned with the camera, a badge reader, or typed) or a name; one tap checks in;
live counts. Organisers and the meeting's check-in helpers only; organisers also name the
helpers here."""

from datetime import UTC

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from wenevents.extensions import db
from wenevents.forms import Form
from wenevents.htmx import is_htmx, render
from wenevents.i18n import lazy_gettext as _l
from wenevents.permissions import deny
from wenevents.registration import checkin, queries
from wenevents.text import to_id
from wenevents.web import acting_user

bp = Blueprint("registration_checkin", __name__, url_prefix="/<acronym:acronym>/check-in")
TEMPLATE = "registration/checkin.html"


class BadgeForm(Form):
    token = StringField(
        _l("Badge code"),
        validators=[DataRequired(_l("Scan or type the badge’s code.")), Length(max=200)],
    )


class HelperForm(Form):
    email = EmailField(
        _l("Email address of the helper’s account"), validators=[InputRequired(), Length(max=320)]
    )


def _meeting(acronym):
    """The meeting of the URL, once the person may check in there (else 403, audited; a
    stranger is sent to sign in first, by login_required)."""
    meeting = queries.meeting_by_acronym(acronym)
    if meeting is None or not checkin.may_check_in(current_user, meeting):
        deny("check-in page", target=meeting)
    return meeting


def _page(meeting, status=200, block=None, target=None, q=None, **context):
    q = (request.args.get("q", "") if q is None else q)[:200]
    context.setdefault("badge_form", BadgeForm(formdata=None))
    context.setdefault("helper_form", HelperForm(formdata=None))
    return render(
        TEMPLATE,
        block=block,
        target=target,
        meeting=meeting,
        q=q,
        found=checkin.find(meeting, q),
        counts=checkin.counts(meeting),
        helpers=checkin.helpers(meeting) if current_user.is_organiser else [],
        **context,
    ), status


@bp.get("/")
@login_required
def page(acronym):
    """The page; to htmx aimed at the counts (polled) or the results, that part alone."""
    meeting = _meeting(acronym)
    target = request.headers.get("HX-Target")
    block = {"checkin-counts": "counts", "checkin-results": "results"}.get(target)
    return _page(meeting, block=block, target=target)


def _local_time(moment, meeting):
    """A stored (UTC) moment as the door's clock reads it: ``09:12``."""
    return moment.replace(tzinfo=UTC).astimezone(meeting.tz).strftime("%H:%M")


def _said(outcome, meeting):
    """``(message, category)`` for an attempt."""
    person = outcome.registration
    if outcome.problem == "tampered":
        return _(
            "This is not a valid badge of this meeting. "
            "Check the person’s identity and search by name."
        ), "error"
    if outcome.problem == "expired":
        return _("This badge has expired: the meeting is over."), "error"
    if outcome.problem == "revoked":
        return _(
            "This badge’s registration is no longer approved: "
            "do not check them in; ask an organiser."
        ), "error"
    name = f"{person.name} ({person.network.acronym})" if person.network else person.name
    if outcome.already:
        return _(
            "%(name)s was already checked in, at %(time)s.",
            name=name,
            time=_local_time(person.checked_in_at, meeting),
        ), "info"
    return _("%(name)s is checked in.", name=name), "success"


def _answer(meeting, outcome):
    message, category = _said(outcome, meeting)
    if is_htmx():
        return _page(
            meeting,
            block="attempt",
            said=(message, category),
            q=request.form.get("q", ""),
            # Checked in from the list: the button is gone, the sentence takes the focus.
            focus_said=request.endpoint.endswith("by_name"),
        )
    flash(message, category)
    return redirect(url_for(".page", acronym=meeting.acronym, q=request.form.get("q") or None), 303)


@bp.post("/badge")
@login_required
def badge(acronym):
    """Check in the holder of a badge by its code."""
    meeting = _meeting(acronym)
    form = BadgeForm()
    if not form.validate_on_submit():
        return _page(meeting, 422, block="attempt", badge_form=form)
    outcome = checkin.check_in_badge(meeting, form.token.data, acting_user())
    db.session.commit()
    return _answer(meeting, outcome)


@bp.post("/<int:registration_id>")
@login_required
def by_name(acronym, registration_id):
    """Check in a registration found by name."""
    meeting = _meeting(acronym)
    if not Form().validate_on_submit():
        abort(400)
    registration = checkin.approved_one(meeting, to_id(registration_id) or abort(404)) or abort(404)
    outcome = checkin.check_in(registration, acting_user())
    db.session.commit()
    return _answer(meeting, outcome)


@bp.post("/helpers")
@login_required
def add_helper(acronym):
    """Organisers: let an account check delegates in at this meeting."""
    meeting = _meeting(acronym)
    if not current_user.is_organiser:
        deny("check-in helpers", target=meeting)
    form = HelperForm()
    if form.validate_on_submit():
        try:
            user = checkin.add_helper(meeting, form.email.data, acting_user())
        except checkin.NoSuchAccount:
            form.email.errors.append(
                _("No active account has this address: invite them first (as a delegate).")
            )
        else:
            db.session.commit()
            flash(
                _("%(email)s may now check delegates in at this meeting.", email=user.email),
                "success",
            )
            return redirect(url_for(".page", acronym=acronym, _anchor="helpers-heading"), 303)
    return _page(meeting, 422, helper_form=form)


@bp.post("/helpers/<int:helper_id>/remove")
@login_required
def remove_helper(acronym, helper_id):
    """Organisers: stop an account checking delegates in here."""
    meeting = _meeting(acronym)
    if not current_user.is_organiser:
        deny("check-in helpers", target=meeting)
    if not Form().validate_on_submit():
        abort(400)
    if not checkin.remove_helper(meeting, to_id(helper_id) or abort(404), acting_user()):
        abort(404)
    db.session.commit()
    flash(_("The helper may no longer check delegates in."), "success")
    return redirect(url_for(".page", acronym=acronym, _anchor="helpers-heading"), 303)
