"""The base of every form: CSRF (Flask-WTF) and refusal of text that is not text."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import ValidationError

# In a multipart body Werkzeug decodes invalid UTF-8 as U+FFFD (a urlencoded one is refused
# whole, see web.refuse_undecodable_forms); a NUL byte is never part of a name or a title.
_NOT_TEXT = ("\x00", "\ufffd")
DEFAULT_MAX = 2000


class Form(FlaskForm):
    """Every text field refuses NUL bytes, undecodable bytes and text beyond its limit."""

    def validate(self, extra_validators=None):
        extra = dict(extra_validators or {})
        for name, field in self._fields.items():
            if isinstance(field, StringField | TextAreaField):
                extra.setdefault(name, []).append(_is_text)
        return super().validate(extra_validators=extra)


def _is_text(_form, field):
    value = field.data if isinstance(field.data, str) else ""
    if any(bad in value for bad in _NOT_TEXT):
        raise ValidationError(_l("This contains characters that are not valid text."))
    # Fields set their own, tighter Length(max=…); this bounds any that forgot to.
    if len(value) > DEFAULT_MAX:
        raise ValidationError(_l("Use at most %(n)d characters.", n=DEFAULT_MAX))
