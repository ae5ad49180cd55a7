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

from wenevents.forms import Form, translatable
from wenevents.i18n import lazy_gettext as _l
from wenevents.languages import TRANSLATED

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


@translatable(
    "label",
    "help",
    "choices",
    descriptions={"choices": _l("One per line, each in the place of the English one.")},
)
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

    def validate_choices_fr(self, field):
        self._check_version(field, "fr")

    def validate_choices_es(self, field):
        self._check_version(field, "es")

    def _check_version(self, field, language):
        """A translation of the choices has one line for each English choice, or none."""
        count = len(self.choice_list())
        if self.kind.data in CHOICE_KINDS and len(self.choice_list(language)) not in (0, count):
            raise ValidationError(
                _l("Give one line for each English choice (%(n)d), in the same order.", n=count)
            )

    def choice_list(self, language=None):
        """The English choices, without repeats; or the ``language`` version's, each in the
        place of the English one it translates."""
        field = self[f"choices_{language}"] if language else self.choices
        lines = [line.strip()[:200] for line in (field.data or "").splitlines()]
        lines = [line for line in lines if line]
        return lines if language else list(dict.fromkeys(lines))

    def values(self):
        """What the service stores: the choices, and their versions, as lists."""
        versions = {f"choices_{code}": self.choice_list(code) for code in TRANSLATED}
        return {**self.data, "choices": self.choice_list(), **versions}
