"""The base of every form: CSRF (Flask-WTF), one rule for what text is kept, and refusal of
text that is not text and of numbers no column holds; and the French and Spanish versions
of translated fields (``translatable``)."""

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, Select

from wenevents.i18n import lazy_gettext as _l
from wenevents.languages import TRANSLATED, set_translation, translation
from wenevents.text import MAX_EMAIL, MAX_INT, MAX_MARKS, clean_line, stacked_marks

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
    other field refuses numbers no column holds. A form filled from ``obj`` fills the
    versions of its translated fields (``translatable``) from ``obj.translations``."""

    # The fields that have a French and a Spanish version (set by ``translatable``).
    translated_names: tuple[str, ...] = ()

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        if obj is not None and self.translated_names:
            kwargs = {**stored_versions(obj, self.translated_names), **kwargs}
        super().process(formdata, obj, data, extra_filters=extra_filters, **kwargs)
        # After WTForms' own filters, before any validator: Length and InputRequired
        # judge what will be stored (a name of zero-width spaces alone is empty; and
        # InputRequired reads raw_data).
        for field in self:
            if type(field.widget) is Select:
                field.widget = _SELECTS[field.widget.multiple]
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


class PlainOptionsSelect(Select):
    """WTForms' select, its plain options (no attributes of their own) written directly:
    WTForms' ``html_params`` costs about 20 µs an option, 5 ms for a list of countries.
    The same HTML, attributes in the same (sorted) order."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        # Value and label are both escaped here (Markup's own % escapes its arguments too,
        # at twice the cost).
        return Markup(f'<option {selected}value="{escape(value)}">{label}</option>')  # noqa: S704


_SELECTS = {False: PlainOptionsSelect(), True: PlainOptionsSelect(multiple=True)}


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


class EmailAddress(Email):
    """An email address of at most ``MAX_EMAIL`` characters (RFC 5321's limit for a path).

    The length is judged first and stops the chain: email-validator's parser takes time
    that grows with the square of the input (a second for 50,000 characters), so a long
    value must never reach it."""

    def __init__(self, message=None):
        super().__init__(message, check_deliverability=False)
        self.length = Length(max=MAX_EMAIL)

    def __call__(self, form, field):
        try:
            self.length(form, field)
        except ValidationError as error:
            raise StopValidation(str(error)) from None
        super().__call__(form, field)


class CheckboxesField(SelectMultipleField):
    """Several choices as a group of checkboxes (a fieldset with its legend), not a list
    box that needs Ctrl-click: rendered by ``field`` in templates/_macros/forms.html."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# Translated fields ---------------------------------------------------------------------

_VERSION_LABELS = {
    "fr": lambda label: _l("%(label)s (French)", label=label),
    "es": lambda label: _l("%(label)s (Spanish)", label=label),
}


def translatable(*names, descriptions=None):
    """Class decorator: each field in ``names`` gets a ``<name>_fr`` and ``<name>_es``
    version, right after it: the same kind of field (a text area for a long text), the
    same limits and filters, optional, its input marked with its ``lang``.
    ``descriptions``: help for the versions of a field (by name; none by default, the
    English field's help says it once). Rendered by ``translated`` in
    templates/_macros/translations.html; stored by ``save_translations``."""

    def decorate(form_class):
        for name in names:
            original = getattr(form_class, name)
            for index, language in enumerate(TRANSLATED, start=1):
                version = _version(original, language, (descriptions or {}).get(name))
                # Ordered right after the English field (WTForms orders fields by this
                # counter): the error summary lists problems in the order of the page.
                version.creation_counter = original.creation_counter + index / 10
                setattr(form_class, f"{name}_{language}", version)
        form_class.translated_names = (*form_class.translated_names, *names)
        return form_class

    return decorate


def _version(unbound, language, description):
    """The ``language`` version of the unbound field ``unbound``."""
    args, kwargs = list(unbound.args), dict(unbound.kwargs)
    label = kwargs.pop("label", None) or (args.pop(0) if args else "")
    validators = kwargs.pop("validators", None) or (args.pop(0) if args else [])
    kept = [v for v in validators if not isinstance(v, InputRequired | DataRequired | Optional)]
    kwargs.pop("default", None)
    kwargs["description"] = description or ""
    kwargs["render_kw"] = {**(kwargs.get("render_kw") or {}), "lang": language}
    return unbound.field_class(
        _VERSION_LABELS[language](label), *args, validators=[Optional(), *kept], **kwargs
    )


def stored_versions(obj, names):
    """``{"<name>_<language>": text}`` of ``obj``'s stored versions, as a form shows them
    (a list, such as a question's choices, one item a line)."""
    values = {}
    for name in names:
        for language in TRANSLATED:
            value = translation(obj, name, language)
            values[f"{name}_{language}"] = "\n".join(value) if isinstance(value, list) else value
    return values


def save_translations(obj, data, names=None):
    """Store on ``obj`` the versions a ``translatable`` form sent (``data``: the form's
    ``data``, or values built from it) of ``names`` (default: ``obj.translated_fields``); an
    empty one removes the stored version. A list (a question's choices) is stored as a
    list. Returns what changed (``["title_fr", …]``), for the audit. Does not flush."""
    changed = []
    for name in names or obj.translated_fields:
        for language in TRANSLATED:
            key = f"{name}_{language}"
            if key not in data:
                continue
            value = data[key]
            if isinstance(value, list):
                value = [item.strip() for item in value if item and item.strip()]
            else:
                value = (value or "").strip()
            if value == (translation(obj, name, language) or type(value)()):
                continue
            if isinstance(value, list) and value:  # set_translation keeps text only
                stored = obj.translations or {}
                obj.translations = {**stored, language: {**stored.get(language, {}), name: value}}
            else:
                set_translation(obj, name, language, value or "")
            changed.append(key)
    return changed
