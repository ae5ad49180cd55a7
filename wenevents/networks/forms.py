"""Forms of the networks domain: profiles, networks, focal points, the directory, imports."""

import re
from urllib.parse import urlsplit

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    EmailField,
    Field,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from wenevents.countries import country_choices
from wenevents.forms import EmailAddress, Form, translatable
from wenevents.i18n import lazy_gettext as _l
from wenevents.networks.models import ORGANISERS, PARTICIPANTS, PUBLIC
from wenevents.text import to_id

VISIBILITY_LABELS = {
    PUBLIC: _l("Everyone"),
    PARTICIPANTS: _l("Participants (focal points, approved delegates)"),
    ORGANISERS: _l("Organisers only"),
}
# An import splits a cell of networks on these, so an acronym may not contain them.
NETWORK_SEPARATORS = ",;|"
PHONE = re.compile(r"^\+?[0-9][0-9 ().\-/]{2,40}(\s*(ext\.?|x)\s*[0-9]{1,6})?$", re.I)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def http_url(_form, field):
    """Only http and https: a javascript: or data: link would run in visitors' browsers."""
    if field.data and urlsplit(field.data).scheme not in ("http", "https"):
        raise ValidationError(_l("Give an address starting with https:// or http://."))
    if field.data and not urlsplit(field.data).netloc:
        raise ValidationError(_l("Give a full web address, such as https://example.org."))


def phone_number(_form, field):
    if field.data and not PHONE.match(field.data):
        raise ValidationError(
            _l("Give digits, spaces and + ( ) - . / only, such as +1 555 0100 ext. 12.")
        )


def _choices(pairs):
    """Options with labels translated once (a lazy label translates on each use)."""
    return [SelectChoice(value, str(label)) for value, label in pairs]


class NetworkProfileForm(Form):
    """What a network's focal points keep up to date on its public page."""

    region = StringField(_l("Region"), validators=[Optional(), Length(max=100)], filters=[_strip])
    website = URLField(
        _l("Website"), validators=[Optional(), Length(max=500), http_url], filters=[_strip]
    )
    member_countries = TextAreaField(
        _l("Member countries"), validators=[Optional(), Length(max=2000)]
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Plain text; leave a blank line between paragraphs."),
    )


@translatable("name", "description")
class NetworkForm(NetworkProfileForm):
    """Everything organisers set about a network."""

    acronym = StringField(
        _l("Acronym"),
        validators=[InputRequired(), Length(max=40)],
        filters=[_strip],
        description=_l("As the network writes it, such as NAWEG or WCO RILO CA."),
    )
    name = StringField(
        _l("Full name"), validators=[InputRequired(), Length(max=300)], filters=[_strip]
    )

    def validate_acronym(self, field):
        if any(c in field.data for c in NETWORK_SEPARATORS):
            raise ValidationError(_l("An acronym cannot contain a comma, semicolon or |."))


def _visibility(label, public=True, default=PARTICIPANTS):
    choices = [SelectChoice(k, v) for k, v in VISIBILITY_LABELS.items() if public or k != PUBLIC]
    return SelectField(label, choices=choices, default=default)


class FocalPointForm(Form):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)], filters=[_strip])
    title = StringField(
        _l("Title or position"), validators=[Optional(), Length(max=200)], filters=[_strip]
    )
    agency = StringField(_l("Agency"), validators=[Optional(), Length(max=300)], filters=[_strip])
    email = EmailField(
        _l("Email address"),
        validators=[Optional(), EmailAddress()],
        filters=[_strip],
    )
    phone = StringField(
        _l("Phone"), validators=[Optional(), Length(max=50), phone_number], filters=[_strip]
    )
    country_code = SelectField(_l("Country"), validate_choice=False, default="")
    networks = SelectMultipleField(_l("Networks"), coerce=int)
    name_visibility = _visibility(_l("Who sees this focal point"))
    title_visibility = _visibility(_l("Who sees the title"))
    agency_visibility = _visibility(_l("Who sees the agency"))
    country_code_visibility = _visibility(_l("Who sees the country"))
    email_visibility = _visibility(_l("Who sees the email address"), public=False)
    # A phone number is for organisers until someone decides otherwise.
    phone_visibility = _visibility(
        _l("Who sees the phone number"), public=False, default=ORGANISERS
    )

    def setup(self, networks):
        """Offer these networks (active ones, and archived ones it already has)."""
        choices = country_choices()
        self.country_code.choices = [SelectChoice("", str(_l("None"))), *choices[1:]]
        self.networks.choices = [
            SelectChoice(
                n.id,
                f"{n.acronym} – {n.name}" + (f" ({_l('archived')})" if n.is_archived else ""),
            )
            for n in networks
        ]
        return self

    def validate_country_code(self, field):
        if field.data and field.data not in {c.value for c in self.country_code.choices}:
            raise ValidationError(_l("Choose a country from the list."))


class FilterForm(Form):
    """The directory's (and the organisers' list's) search and filters, sent by GET.

    A value that fails (a stale network id, a made-up country) falls back to "all".
    """

    class Meta:
        csrf = False

    q = StringField(
        _l("Name, title, agency or email"),
        validators=[Optional()],
        filters=[lambda v: v.strip()[:100] if isinstance(v, str) else v],
    )
    network = SelectField(_l("Network"), default="")
    region = SelectField(_l("Region"), default="")
    country = SelectField(_l("Country"), default="")

    def setup(self, networks, regions, countries, country_names):
        self.network.choices = _choices(
            [("", _l("All networks")), *((str(n.id), n.acronym) for n in networks)]
        )
        self.region.choices = _choices([("", _l("All regions")), *((r, r) for r in regions)])
        names = sorted(((c, country_names(c)) for c in countries), key=lambda p: p[1])
        self.country.choices = _choices([("", _l("All countries")), *names])
        return self

    def filters(self):
        from wenevents.networks.contacts import Filters

        self.validate()
        for field in self:
            if field.errors:
                field.data, field.errors = field.default, []
        network = self.network.data
        return Filters(
            q=self.q.data or "",
            network=to_id(network),
            region=self.region.data or "",
            country=self.country.data or "",
        )


class ImportForm(Form):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(_l("Choose a CSV file."))],
        description=_l(
            "One focal point a row, with a header row. Columns: name and email (required); "
            "title, agency, phone, country, networks (acronyms separated by commas) and the "
            "visibility columns of the export (optional). Commas or semicolons; UTF-8; "
            "at most 1 MB."
        ),
    )


class _TokenField(Field):
    """A hidden field for the signed preview; not a text field, so no 2,000-character cap."""

    widget = HiddenInput()

    def _value(self):
        return self.data or ""

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist else ""


class ConfirmImportForm(Form):
    plan = _TokenField()
