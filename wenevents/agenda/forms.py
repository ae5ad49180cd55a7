"""Forms of the agenda editor: a session, an item, publishing, importing a schedule."""

from flask_babel import format_date
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from wenevents.agenda.models import BREAK, DISCUSSION, PRESENTATION
from wenevents.forms import Form, translatable
from wenevents.i18n import lazy_gettext as _l
from wenevents.languages import localized
from wenevents.text import to_id

KIND_LABELS = {
    PRESENTATION: _l("Presentation by a network"),
    DISCUSSION: _l("Discussion"),
    BREAK: _l("Break"),
}


class VersionedForm(Form):
    # The version the organiser opened; a save against a newer one is refused (409).
    version = HiddenField()

    def opened_version(self):
        return to_id(self.version.data)


@translatable("title", "description", "objectives")
class SessionForm(VersionedForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=300)])
    day = DateField(_l("Day"), validators=[InputRequired(_l("Choose the day."))])
    starts_at = TimeField(_l("Starts"), validators=[InputRequired(_l("Give the start time."))])
    ends_at = TimeField(_l("Ends"), validators=[InputRequired(_l("Give the end time."))])
    room = StringField(_l("Room"), validators=[Length(max=100)])
    chair = StringField(
        _l("Chair or moderators"),
        description=_l("Names separated by commas."),
        validators=[Length(max=300)],
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    objectives = TextAreaField(_l("Objectives"), validators=[Length(max=5000)])
    is_public = BooleanField(
        _l("Open to the public (a closed session shows only its time)"), default=True
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting

    def validate_day(self, field):
        meeting = self.meeting
        if field.data and not meeting.start_date <= field.data <= meeting.end_date:
            raise ValidationError(
                _l(
                    "Choose a day of the meeting, from %(first)s to %(last)s.",
                    first=format_date(meeting.start_date, "long"),
                    last=format_date(meeting.end_date, "long"),
                )
            )

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))


@translatable("title")
class ItemForm(VersionedForm):
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()],
        default=PRESENTATION,
    )
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=300)])
    network = SelectField(
        _l("Network"),
        description=_l("The network that presents; only for a presentation."),
        validate_choice=False,
    )
    presenters = StringField(
        _l("Presenters"),
        description=_l("Names separated by commas."),
        validators=[Length(max=500)],
    )
    session = SelectField(
        _l("Session"),
        description=_l("Choose another session to move the item to its end."),
        validate_choice=False,
    )
    duration_minutes = IntegerField(
        _l("Duration (minutes)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=600, message=_l("Give between 1 and 600 minutes.")),
        ],
    )

    def __init__(self, *args, networks, sessions=None, **kwargs):
        """``sessions``: the meeting's sessions when editing (the item may move); None
        when adding to a given session."""
        super().__init__(*args, **kwargs)
        self.networks = {str(n.id): n for n in networks}
        self.network.choices = [SelectChoice("", _l("— none —"))] + [
            SelectChoice(str(n.id), f"{n.acronym} – {localized(n, 'name')}") for n in networks
        ]
        if sessions is None:
            del self.session
            self.sessions = {}
        else:
            self.sessions = {str(s.id): s for s in sessions}
            self.session.choices = [
                SelectChoice(
                    str(s.id),
                    _l(
                        "Session %(number)s – %(title)s",
                        number=s.number,
                        title=localized(s, "title"),
                    ),
                )
                for s in sessions
            ]

    def validate_session(self, field):
        if field.data not in self.sessions:
            raise ValidationError(_l("Choose a session of this meeting."))

    def chosen_session(self):
        return self.sessions.get(getattr(self.session, "data", None) or "")

    def validate_network(self, field):
        if field.data and field.data not in self.networks:
            raise ValidationError(_l("Choose a network that takes part in this meeting."))
        if self.kind.data == PRESENTATION and not field.data:
            raise ValidationError(_l("Choose the network that presents."))

    def chosen_network(self):
        return self.networks.get(self.network.data or "")


class PublishForm(Form):
    note = StringField(
        _l("Note for the changelog (optional)"),
        validators=[Length(max=500)],
    )
    # Unticked: a release nobody needs to hear of (a typo fixed). Read only when the page
    # showed the box (``notices_asked``): a page that showed nobody concerned, and people
    # concerned since, sends the notices rather than hold them unasked.
    notify = BooleanField(
        _l("Mail the people concerned the changes that concern them"), default=True
    )


class UploadForm(Form):
    file = FileField(
        _l("Schedule file"),
        validators=[FileRequired(_l("Choose a schedule.json file."))],
        description=_l("A schedule.json as pretalx, frab or wenevents export it; at most 5 MB."),
    )


class _TokenField(Field):
    """A hidden field for the signed plan; not a text field, so no 2,000-character cap."""

    widget = HiddenInput()

    def _value(self):
        return self.data or ""

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist else ""


class ConfirmForm(Form):
    plan = _TokenField()
