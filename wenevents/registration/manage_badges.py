"""Organisers: printing badges for approved registrations. On the registrations' blueprint
(manage.py)."""

from flask import make_response, request
from flask_babel import gettext as _
from wtforms import RadioField, SelectChoice, SelectField
from wtforms.validators import InputRequired, ValidationError

from wenevents.extensions import db
from wenevents.forms import Form
from wenevents.htmx import render
from wenevents.i18n import lazy_gettext as _l
from wenevents.permissions import organiser_required
from wenevents.registration import badges
from wenevents.registration.manage import _meeting, bp
from wenevents.web import acting_user


class BadgesForm(Form):
    which = RadioField(
        _l("Which badges"),
        choices=[
            SelectChoice(badges.ALL, _l("Every approved registration")),
            SelectChoice(badges.NETWORK, _l("One network’s approved delegates")),
            SelectChoice(
                badges.NOT_PRINTED, _l("Approved registrations whose badge is not printed yet")
            ),
        ],
        default=badges.ALL,
        validators=[InputRequired()],
    )
    network = SelectField(_l("Network"), coerce=str, validate_choice=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.network.choices = [
            SelectChoice("", "—"),
            *(SelectChoice(str(n.id), n.acronym) for n in meeting.networks),
        ]
        self._networks = {str(n.id) for n in meeting.networks}

    def validate_network(self, field):
        if self.which.data == badges.NETWORK and field.data not in self._networks:
            raise ValidationError(_("Choose the network whose badges to print."))


@bp.route("/badges", methods=["GET", "POST"])
@organiser_required
def badges_page(acronym):
    """Choose which badges to print; a POST answers the PDF and marks them printed."""
    meeting = _meeting(acronym)
    form = BadgesForm(meeting=meeting)
    counts = {
        which: len(badges.chosen(meeting, which)) for which in (badges.ALL, badges.NOT_PRINTED)
    }
    if request.method == "GET" or not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render("registration/badges.html", meeting=meeting, form=form, counts=counts), status
    network_id = int(form.network.data) if form.which.data == badges.NETWORK else None
    chosen = badges.chosen(meeting, form.which.data, network_id)
    if not chosen:
        form.which.errors.append(_("No approved registration matches: there is nothing to print."))
        return render("registration/badges.html", meeting=meeting, form=form, counts=counts), 422
    pdf = badges.badges_pdf(meeting, chosen)
    badges.mark_printed(meeting, chosen, form.which.data, acting_user())
    db.session.commit()
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{meeting.acronym}-badges-{form.which.data}.pdf"'
    )
    # Names and the tokens that check their holders in: never kept by a cache.
    response.headers["Cache-Control"] = "no-store"
    return response
