"""The registration form, built per meeting: its networks, its dates, its own questions."""

from datetime import date, timedelta

from flask import current_app
from flask_babel import format_date
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from wenevents import languages
from wenevents.countries import country_choices
from wenevents.forms import CheckboxesField, EmailAddress, Form
from wenevents.i18n import lazy_gettext as _l
from wenevents.registration.models import DETAIL_FIELDS
from wenevents.storage import sniff

TITLES = ["", "Mr", "Ms", "Mx", "Dr", "Prof."]
ROLE_LABELS = {
    "network_delegate": _l("Network delegate"),
    "observer": _l("Observer"),
    "presenter": _l("Presenter"),
    "partner_organisation": _l("Partner organisation"),
    "media": _l("Media"),
    "secretariat": _l("Secretariat"),
}
LANGUAGE_LABELS = {"en": _l("English"), "fr": _l("French"), "es": _l("Spanish")}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RegistrationForm(Form):
    title = SelectField(_l("Title"), choices=[SelectChoice(t, t or "—") for t in TITLES])
    given_name = StringField(
        _l("Given name"),
        validators=[InputRequired(), Length(max=100)],
        filters=[_strip],
        render_kw={"autocomplete": "given-name"},
    )
    family_name = StringField(
        _l("Family name"),
        validators=[InputRequired(), Length(max=100)],
        filters=[_strip],
        render_kw={"autocomplete": "family-name"},
    )
    email = EmailField(
        _l("Email address"),
        validators=[InputRequired(), EmailAddress()],
        filters=[_strip],
        description=_l("We send a link here to confirm it is yours."),
        render_kw={"autocomplete": "email"},
    )
    organisation = StringField(
        _l("Organisation or agency"),
        validators=[InputRequired(), Length(max=300)],
        filters=[_strip],
        render_kw={"autocomplete": "organization"},
    )
    # validate_choice off: our own check gives a clearer message than "Not a valid choice".
    country_code = SelectField(_l("Country"), validators=[InputRequired()], validate_choice=False)
    network_id = SelectField(
        _l("Network"),
        validate_choice=False,
        description=_l("The network you come for; none if you attend as an observer."),
    )
    position = StringField(
        _l("Position"),
        validators=[Optional(), Length(max=200)],
        filters=[_strip],
        render_kw={"autocomplete": "organization-title"},
    )
    participation_role = SelectField(
        _l("Participation"), choices=[SelectChoice(k, v) for k, v in ROLE_LABELS.items()]
    )
    language = SelectField(
        _l("Preferred language"),
        choices=[SelectChoice(k, v) for k, v in LANGUAGE_LABELS.items()],
        # The page's language: someone registering on the French pages reads French.
        default=languages.current,
        description=_l("The mail about your registration is written in this language."),
    )
    arrival_date = DateField(_l("Arrival"), validators=[InputRequired()])
    departure_date = DateField(_l("Departure"), validators=[InputRequired()])
    dietary = StringField(_l("Dietary needs"), validators=[Optional(), Length(max=500)])
    accessibility = StringField(_l("Accessibility needs"), validators=[Optional(), Length(max=500)])
    # The version the page was opened on: an edit from a stale page is refused.
    version = HiddenField()
    consent_list = BooleanField(
        _l("List me in the participants list (name, organisation, country)")
    )

    def setup(self, meeting, travel_days):
        """Bind the form to a meeting: its networks and its dates."""
        self.meeting, self.travel_days = meeting, travel_days
        self.country_code.choices = country_choices()
        self.network_id.choices = [SelectChoice("", _l("None (observer)"))] + [
            SelectChoice(str(n.id), f"{n.acronym} – {n.name}") for n in meeting.networks
        ]
        if not self.is_submitted():
            first = meeting.start_date - timedelta(days=1 if travel_days else 0)
            self.arrival_date.data = self.arrival_date.data or first
            self.departure_date.data = self.departure_date.data or meeting.end_date
        return self

    def validate_country_code(self, field):
        if field.data and field.data not in {c.value for c in self.country_code.choices}:
            raise ValidationError(_l("Choose a country from the list."))

    def validate_network_id(self, field):
        allowed = {c.value for c in self.network_id.choices}
        if (field.data or "") not in allowed:
            raise ValidationError(_l("Choose one of this meeting's networks, or none."))

    def validate_arrival_date(self, field):
        earliest = self.meeting.start_date - timedelta(days=self.travel_days)
        if field.data and not earliest <= field.data <= self.meeting.end_date:
            raise ValidationError(
                _l(
                    "Arrive between %(first)s and %(last)s.",
                    first=format_date(earliest, "long"),
                    last=format_date(self.meeting.end_date, "long"),
                )
            )

    def validate_departure_date(self, field):
        latest = self.meeting.end_date + timedelta(days=self.travel_days)
        if field.data and not self.meeting.start_date <= field.data <= latest:
            raise ValidationError(
                _l(
                    "Leave between %(first)s and %(last)s.",
                    first=format_date(self.meeting.start_date, "long"),
                    last=format_date(latest, "long"),
                )
            )
        if field.data and self.arrival_date.data and field.data < self.arrival_date.data:
            raise ValidationError(_l("Departure comes after arrival."))

    def check_files(self, questions, existing=None):
        """Required file questions need a file, sent now or before (``existing`` answers)."""
        ok = True
        for q in questions:
            field = self[f"q{q.id}"]
            sent = getattr(field.data, "filename", "")
            if q.kind == "file" and q.required and not sent and not (existing or {}).get(str(q.id)):
                field.errors = [*field.errors, _l("Attach the file.")]
                ok = False
        return ok

    def show(self, registration, questions):
        """Open on ``registration`` (the edit page's GET): its network, its answers (a
        file input shows none) and the version it was opened on."""
        self.network_id.data = str(registration.network_id or "")
        for q in questions:
            if q.kind != "file":
                self[f"q{q.id}"].data = stored_answer(q, registration.answers.get(str(q.id)))
        self.version.data = str(registration.version)
        return self

    def values(self, questions):
        """What the services store: typed details and the answers by question id."""
        data = {name: self[name].data for name in (*DETAIL_FIELDS, "email")}
        data["network_id"] = int(self.network_id.data) if self.network_id.data else None
        data["answers"] = {str(q.id): _answer(self[f"q{q.id}"].data) for q in questions}
        return data


def _answer(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def stored_answer(question, value):
    """A stored answer as its field takes it back: a date question's ISO text as a date."""
    if question.kind == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return value


def _is_document(_form, field):
    """PDF, PNG or JPEG by content (not by name), within the size limit."""
    upload = field.data
    if not upload or not getattr(upload, "filename", ""):
        return
    head = upload.stream.read(16)
    upload.stream.seek(0, 2)
    size = upload.stream.tell()
    upload.stream.seek(0)
    if sniff(head) is None:
        raise ValidationError(_l("Send a PDF, PNG or JPEG file."))
    limit = current_app.config["REGISTRATION_FILE_MAX_BYTES"]
    if size > limit:
        if limit >= 2**20:
            raise ValidationError(_l("The file is larger than %(mb)d MB.", mb=limit // 2**20))
        raise ValidationError(_l("The file is larger than %(kb)d KB.", kb=limit // 2**10))


def form_class(questions):
    """RegistrationForm with one field per extra question of the meeting, in their order."""
    fields = {}
    for q in questions:
        required = [InputRequired()] if q.required else [Optional()]
        # In the reader's language; a missing version shows the English, marked lang="en".
        label = languages.localized(q, "label")
        kwargs = {"description": languages.localized(q, "help")}
        choices = [
            SelectChoice(value, text)
            for value, text in zip(q.choices, _choice_texts(q), strict=True)
        ]
        if q.kind == "short_text":
            field = StringField(label, validators=[*required, Length(max=300)], **kwargs)
        elif q.kind == "long_text":
            field = TextAreaField(label, validators=[*required, Length(max=2000)], **kwargs)
        elif q.kind == "single_choice":
            field = RadioField(label, choices=choices, validators=required, **kwargs)
        elif q.kind == "multiple_choice":
            field = CheckboxesField(label, choices=choices, validators=required, **kwargs)
        elif q.kind == "yes_no":
            field = RadioField(
                label,
                choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
                validators=required,
                **kwargs,
            )
        elif q.kind == "file":
            # Required files are checked by the view: on an edit, the one sent before stays.
            field = FileField(label, validators=[Optional(), _is_document], **kwargs)
        else:  # date
            field = DateField(label, validators=required, **kwargs)
        fields[f"q{q.id}"] = field
    return type("MeetingRegistrationForm", (RegistrationForm,), fields)


def _choice_texts(question):
    """The choices as the reader reads them; the answer stored is always the English one."""
    translated = languages.translation(question, "choices", languages.current())
    if isinstance(translated, list) and len(translated) == len(question.choices):
        return [
            text or original for text, original in zip(translated, question.choices, strict=True)
        ]
    return list(question.choices)
