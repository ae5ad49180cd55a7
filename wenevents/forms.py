"""The base of every form: CSRF (Flask-WTF), one rule for what text is kept, and refusal of
text that is not text and of numbers no column holds."""

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from wenevents.i18n import lazy_gettext as _l
from wenevents.text import MAX_INT, MAX_MARKS, clean_line, stacked_marks

# In a multipart body Werkzeug decodes invalid UTF-8 as U+FFFD (a urlencoded one is refused
# whole, see web.refuse_undecodable_forms); a NUL byte never gets this far (see
# web.refuse_unstorable_text), but a form may be filled from elsewhere than a request.
_NOT_TEXT = ("\x00", "\ufffd")
DEFAULT_MAX = 2000


def is_single_line(field):
    """A field of one line of free text (a name, a title): cleaned by ``clean_line``.

    Not passwords (kept exactly as typed), hidden fields (the page's own values) or email
    addresses (normalised by accounts.services.normalise_email when validated).
    """
    return isinstance(field, StringField) and not isinstance(
        field, TextAreaField | PasswordField | HiddenField | EmailField
    )


class Form(FlaskForm):
    """Every single-line text field is cleaned (see text.clean_line); every text field
    refuses NUL bytes, undecodable bytes, stacked marks and text beyond its limit; every
    other field refuses numbers no column holds."""

    def process(self, *args, **kwargs):
        super().process(*args, **kwargs)
        # After WTForms' own filters, before any validator: Length and InputRequired
        # judge what will be stored (a name of zero-width spaces alone is empty; and
        # InputRequired reads raw_data).
        for field in self:
            if is_single_line(field) and isinstance(field.data, str):
                field.data = clean_line(field.data)
                if field.raw_data:
                    field.raw_data = [clean_line(value) for value in field.raw_data]
            # A number no column holds is no value at all, for every validator of the form
            # (another field's may query with it); _fits_column says why.
            values = field.data if isinstance(field.data, list) else [field.data]
            if any(type(v) is int and abs(v) > MAX_INT for v in values):
                field.data, field.out_of_range = None, True

    def validate(self, extra_validators=None):
        extra = dict(extra_validators or {})
        for name, field in self._fields.items():
            if isinstance(field, StringField | TextAreaField):
                extra.setdefault(name, []).append(_is_text)
            else:
                extra.setdefault(name, []).append(_fits_column)
        return super().validate(extra_validators=extra)


def _is_text(_form, field):
    value = field.data if isinstance(field.data, str) else ""
    if any(bad in value for bad in _NOT_TEXT):
        raise ValidationError(_l("This contains characters that are not valid text."))
    if stacked_marks(value):
        raise ValidationError(
            _l(
                "Too many accents or marks are stacked on one letter: use at most %(n)d.",
                n=MAX_MARKS,
            )
        )
    # Fields set their own, tighter Length(max=…); this bounds any that forgot to.
    if len(value) > DEFAULT_MAX:
        raise ValidationError(_l("Use at most %(n)d characters.", n=DEFAULT_MAX))


def _fits_column(_form, field):
    """Numbers (IntegerField, SelectField(coerce=int) and the like) that no column holds
    (set aside in ``process``). Runs after the field's own validators, which may have
    said so already, and stops the form's ``validate_<field>`` methods."""
    if getattr(field, "out_of_range", False):
        raise StopValidation(None if field.errors else _l("Give a smaller number."))


class CheckboxesField(SelectMultipleField):
    """Several choices as a group of checkboxes (a fieldset with its legend), not a list
    box that needs Ctrl-click: rendered by ``field`` in templates/_macros/forms.html."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
