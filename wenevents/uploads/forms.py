"""Forms of the materials pages."""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, MultipleFileField, SelectChoice, SelectField
from wtforms.validators import Optional, ValidationError

from wenevents.forms import Form
from wenevents.uploads.filetypes import ACCEPT
from wenevents.uploads.services import ACCESS_LABELS, LANGUAGE_LABELS


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


class ActionForm(Form):
    """A button that changes something: CSRF only."""
