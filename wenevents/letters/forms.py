"""The forms of invitation letters: the delegate's details, the organisers' decisions and
letter texts."""

from datetime import date

from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from wenevents.countries import country_choices
from wenevents.forms import Form
from wenevents.i18n import lazy_gettext as _l


class DetailsForm(Form):
    """What the letter needs, as in the passport."""

    passport_name = StringField(
        _l("Name as in the passport"),
        validators=[
            DataRequired(_l("Give your name as your passport writes it.")),
            Length(max=200),
        ],
    )
    nationality = SelectField(
        _l("Nationality"), validators=[InputRequired()], validate_choice=False
    )
    birth_date = DateField(
        _l("Date of birth"), validators=[InputRequired(_l("Give your date of birth."))]
    )
    passport_number = StringField(
        _l("Passport number"),
        validators=[DataRequired(_l("Give your passport’s number.")), Length(max=40)],
    )
    passport_expiry = DateField(
        _l("Passport valid until"),
        validators=[InputRequired(_l("Give the date your passport expires."))],
    )
    consulate_city = StringField(
        _l("City of the consulate where you apply for the visa"),
        validators=[DataRequired(_l("Give the consulate’s city.")), Length(max=100)],
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.nationality.choices = country_choices()

    def validate_nationality(self, field):
        if field.data not in {c.value for c in self.nationality.choices if c.value}:
            raise ValidationError(_l("Choose a country from the list."))

    def validate_birth_date(self, field):
        if field.data and not date(1900, 1, 1) <= field.data < date.today():
            raise ValidationError(_l("Give a date of birth in the past."))

    def validate_passport_expiry(self, field):
        if field.data and field.data <= self.meeting.end_date:
            raise ValidationError(
                _l("The passport must be valid after the meeting: consulates refuse it otherwise.")
            )

    def validate_passport_number(self, field):
        if field.data and not all(c.isalnum() or c in " -" for c in field.data):
            raise ValidationError(_l("A passport number has only letters, digits and dashes."))

    def values(self):
        return {
            "passport_name": self.passport_name.data.strip(),
            "nationality": self.nationality.data,
            "birth_date": self.birth_date.data.isoformat(),
            "passport_number": self.passport_number.data.strip().upper(),
            "passport_expiry": self.passport_expiry.data.isoformat(),
            "consulate_city": self.consulate_city.data.strip(),
        }


class CorrectionForm(Form):
    message = TextAreaField(
        _l("What to correct (the delegate reads this)"),
        validators=[DataRequired(_l("Say what to correct.")), Length(max=1000)],
    )


class RevokeForm(Form):
    reason = StringField(
        _l("Why (kept in the records, never shown to whoever verifies)"),
        validators=[DataRequired(_l("Say why the letter is revoked.")), Length(max=500)],
    )


class TextForm(Form):
    body = TextAreaField(_l("Letter text"), validators=[Length(max=10000)])


class VerifyForm(Form):
    class Meta:
        csrf = False  # a GET an embassy may bookmark or reach from the QR code

    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(max=300)])
