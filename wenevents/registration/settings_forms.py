"""Forms of the organisers' registration settings and extra questions."""

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from wenevents.forms import Form
from wenevents.i18n import lazy_gettext as _l

LIST_LABELS = {
    "hidden": _l("Hidden"),
    "participants": _l("The meeting’s participants (its focal points, approved delegates)"),
    "public": _l("Everyone"),
}
KIND_LABELS = {
    "short_text": _l("Short text"),
    "long_text": _l("Long text"),
    "single_choice": _l("One choice"),
    "multiple_choice": _l("Several choices"),
    "yes_no": _l("Yes or no"),
    "date": _l("Date"),
    "file": _l("File (PDF, PNG or JPEG), such as a nomination letter"),
}
CHOICE_KINDS = ("single_choice", "multiple_choice")
# What <input type="datetime-local"> sends and shows (WTForms would render seconds).
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class SettingsForm(Form):
    opens_at = DateTimeLocalField(
        _l("Opens"),
        format=LOCAL_FORMATS,
        validators=[Optional()],
        description=_l("In the meeting's time zone; empty: open now."),
    )
    closes_at = DateTimeLocalField(
        _l("Closes"),
        format=LOCAL_FORMATS,
        validators=[Optional()],
        description=_l("In the meeting's time zone; empty: never."),
    )
    capacity = IntegerField(
        _l("Seats in all"),
        validators=[Optional(), NumberRange(min=0, max=100_000)],
        description=_l("Empty: no limit. Beyond it, registrations wait in order."),
    )
    network_quota = IntegerField(
        _l("Seats per network"),
        validators=[Optional(), NumberRange(min=0, max=10_000)],
        description=_l("Empty: no limit."),
    )
    endorsement_required = BooleanField(_l("A network's focal point endorses its delegates first"))
    auto_promote = BooleanField(_l("Promote from the waiting list automatically when a seat frees"))
    travel_days = IntegerField(
        _l("Travel days"),
        validators=[InputRequired(), NumberRange(min=0, max=14)],
        description=_l("How many days before and after the meeting arrival and departure may be."),
    )
    participants_list = SelectField(
        _l("Participants list shown to"),
        choices=[SelectChoice(k, v) for k, v in LIST_LABELS.items()],
        description=_l("Only participants who agreed appear in it."),
    )

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("Closing comes after opening."))


class QuestionForm(Form):
    kind = SelectField(
        _l("Kind of answer"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()]
    )
    label = StringField(_l("Question"), validators=[InputRequired(), Length(max=300)])
    help = StringField(_l("Help text"), validators=[Optional(), Length(max=500)])
    required = BooleanField(_l("An answer is required"))
    choices = TextAreaField(
        _l("Choices"),
        validators=[Optional(), Length(max=3000)],
        description=_l("One per line, for the kinds with choices."),
    )

    def validate_choices(self, field):
        if self.kind.data in CHOICE_KINDS and len(self.choice_list()) < 2:
            raise ValidationError(_l("Give at least two choices, one per line."))

    def choice_list(self):
        lines = [line.strip() for line in (self.choices.data or "").splitlines()]
        return list(dict.fromkeys(line[:200] for line in lines if line))
