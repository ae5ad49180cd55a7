"""Forms of the materials pages."""

from datetime import UTC, datetime

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    MultipleFileField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from wenevents.forms import Form, translatable
from wenevents.i18n import lazy_gettext as _l
from wenevents.uploads.filetypes import ACCEPT
from wenevents.uploads.targets import ACCESS_LABELS, LANGUAGE_LABELS


class UploadForm(Form):
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice("auto", _l("From the file name (…_fr, …_es), else English"))]
        + [SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()],
        default="auto",
    )
    files = MultipleFileField(
        _l("Files"),
        description=_l(
            "PDF, PPTX, DOCX, XLSX, ODP, ODT, ODS, PNG or JPEG; up to %(n)d files at once. "
            "A new file keeps the one before as an earlier version."
        ),
        render_kw={"accept": ACCEPT},
    )

    def setup(self, max_files, max_size):
        self.files.description = _l(
            "PDF, PPTX, DOCX, XLSX, ODP, ODT, ODS, PNG or JPEG, up to %(size)s each; up to "
            "%(n)d files at once. A new file keeps the one before as an earlier version.",
            size=max_size,
            n=max_files,
        )
        return self

    def validate_files(self, field):
        chosen = [f for f in field.data or [] if getattr(f, "filename", "")]
        if not chosen:
            raise ValidationError(_l("Choose at least one file."))


class AccessForm(Form):
    access = SelectField(
        _l("Who may download"), choices=[SelectChoice(k, v) for k, v in ACCESS_LABELS.items()]
    )
    embargoed = BooleanField(_l("Hidden from the public until the session starts"))


LEAVE = SelectChoice("", _l("Leave as it is"))


class BulkAccessForm(Form):
    """Who may download several files at once (or one), on the completeness page."""

    documents = SelectMultipleField(_l("Files"), coerce=int)
    access = SelectField(
        _l("Who may download"),
        choices=[LEAVE] + [SelectChoice(k, v) for k, v in ACCESS_LABELS.items()],
        default="",
    )
    embargo = SelectField(
        _l("Slides hidden from the public until their session starts"),
        choices=[
            LEAVE,
            SelectChoice("on", _l("Hidden until the session starts")),
            SelectChoice("off", _l("Not hidden")),
        ],
        default="",
        description=_l("Applies to slides only; other files are never hidden."),
    )

    def setup(self, documents):
        self.documents.choices = [SelectChoice(d.id, d.title) for d in documents]
        return self

    def validate_documents(self, field):
        if not field.data:
            raise ValidationError(_l("Select at least one file."))

    def validate_access(self, field):
        if not field.data and not self.embargo.data:
            raise ValidationError(_l("Choose who may download, or whether slides are hidden."))

    @property
    def embargo_value(self):
        return {"on": True, "off": False}.get(self.embargo.data)


class DeadlineForm(Form):
    deadline = DateTimeLocalField(
        _l("Deadline for materials"),
        validators=[Optional()],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        description=_l("In the meeting's time zone. Leave empty for no deadline."),
    )

    def utc(self, tz):
        """The deadline as naive UTC, or None."""
        if not self.deadline.data:
            return None
        return self.deadline.data.replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)

    def validate_deadline(self, field):
        if field.data and not (datetime(2000, 1, 1) <= field.data <= datetime(2100, 1, 1)):
            raise ValidationError(_l("Give a date between 2000 and 2100."))


class LanguagesForm(Form):
    languages = SelectMultipleField(
        _l("Languages the materials are expected in"),
        choices=[SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()],
        description=_l(
            "Completeness and reminders count a file as missing only in these languages. "
            "Files in other languages are still accepted and listed."
        ),
    )

    def validate_languages(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one language."))


@translatable("title")
class TitleForm(Form):
    """A slot's title, as the meeting page lists it, and its French and Spanish versions."""

    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=300)])


class ActionForm(Form):
    """A button that changes something: CSRF only."""
