"""Forms of the organisers' meeting pages: a series, a meeting, a new edition from an old."""

import re
from functools import cache
from zoneinfo import available_timezones

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from wenevents.countries import country_choices
from wenevents.forms import Form, translatable
from wenevents.i18n import lazy_gettext as _l
from wenevents.languages import localized
from wenevents.meetings.models import (
    DEFAULT_RETENTION_MONTHS,
    MAX_RETENTION_MONTHS,
    MIN_RETENTION_MONTHS,
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
EARLIEST_YEAR, LATEST_YEAR = 1990, 2200


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _lower(value):
    return value.strip().lower() if isinstance(value, str) else value


@cache
def time_zones():
    """The IANA zones this system knows (``zoneinfo``), without the legacy aliases."""
    return frozenset(z for z in available_timezones() if "/" in z or z == "UTC")


def _text(label, limit, required=False, **kwargs):
    validators = [InputRequired()] if required else [Optional()]
    return StringField(
        label, validators=[*validators, Length(max=limit)], filters=[_strip], **kwargs
    )


@translatable("name", "description")
class SeriesForm(Form):
    name = _text(_l("Name"), 200, required=True)
    slug = StringField(
        _l("Web address name"),
        validators=[InputRequired(), Length(max=40)],
        filters=[_lower],
        description=_l("Lowercase letters, digits and hyphens: the series page is /series/…"),
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])

    def validate_slug(self, field):
        if not SLUG.match(field.data or ""):
            raise ValidationError(_l("Use 2 to 40 lowercase letters, digits and hyphens."))


class _Dates(Form):
    start_date = DateField(_l("First day"), validators=[InputRequired(_l("Give the first day."))])
    end_date = DateField(_l("Last day"), validators=[InputRequired(_l("Give the last day."))])
    timezone = StringField(
        _l("Time zone"),
        validators=[InputRequired(), Length(max=64)],
        filters=[_strip],
        description=_l("Where the meeting is held, as an IANA zone such as America/Panama."),
    )

    def validate_start_date(self, field):
        if field.data and not EARLIEST_YEAR <= field.data.year <= LATEST_YEAR:
            raise ValidationError(
                _l("Give a year from %(first)d to %(last)d.", first=EARLIEST_YEAR, last=LATEST_YEAR)
            )

    def validate_end_date(self, field):
        if field.data and not EARLIEST_YEAR <= field.data.year <= LATEST_YEAR:
            raise ValidationError(
                _l("Give a year from %(first)d to %(last)d.", first=EARLIEST_YEAR, last=LATEST_YEAR)
            )
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The last day cannot come before the first."))

    def validate_timezone(self, field):
        if field.data and field.data not in time_zones():
            raise ValidationError(
                _l("Unknown time zone. Give an IANA name such as America/Panama or Europe/Zurich.")
            )


class _Edition(_Dates):
    """What identifies an edition and where it is held; ``setup`` binds the checks."""

    number = IntegerField(
        _l("Edition number"), validators=[InputRequired(), NumberRange(min=1, max=999)]
    )
    acronym = StringField(
        _l("Acronym"),
        validators=[InputRequired(), Length(max=40)],
        filters=[_lower],
        description=_l(
            "The meeting's web address, /acronym/: at least 4 lowercase letters or digits, "
            "such as gmwen5; a hyphen only before a year and a word, as in gmwen-2026-geneva."
        ),
    )
    title = _text(_l("Title"), 300, required=True)
    venue = _text(_l("Venue"), 200)
    city = _text(_l("City"), 100)
    country_code = SelectField(_l("Country"), validate_choice=False, default="")
    held_alongside = _text(
        _l("Held alongside"),
        300,
        description=_l("The event it is held in the margins of, such as CITES CoP20."),
    )

    def setup(self, check_acronym, check_number):
        """``check_acronym(value)`` and ``check_number(value)`` return a problem or None."""
        self._check_acronym, self._check_number = check_acronym, check_number
        self.country_code.choices = [SelectChoice("", str(_l("None"))), *country_choices()[1:]]
        return self

    def validate_acronym(self, field):
        problem = field.data and self._check_acronym(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_number(self, field):
        problem = field.data and self._check_number(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_country_code(self, field):
        if field.data and field.data not in {c.value for c in self.country_code.choices}:
            raise ValidationError(_l("Choose a country from the list."))


@translatable("title", "venue", "description", "disclaimer", "privacy_notice")
class MeetingForm(_Edition):
    series_id = SelectField(_l("Series"), coerce=int)
    convener = _text(_l("Convened by"), 300)
    partners = _text(_l("In cooperation with"), 500)
    funding = _text(_l("Funding"), 500)
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=10_000)],
        description=_l("Plain text; leave a blank line between paragraphs."),
    )
    disclaimer = TextAreaField(_l("Disclaimer"), validators=[Optional(), Length(max=2000)])
    retention_months = IntegerField(
        _l("Keep registrations' personal data for (months after the last day)"),
        validators=[
            Optional(),
            NumberRange(
                min=MIN_RETENTION_MONTHS,
                max=MAX_RETENTION_MONTHS,
                # NumberRange fills in the bounds.
                message=_l("Give a number of months from %(min)d to %(max)d."),
            ),
        ],
        description=_l(
            "Then names, contact and travel details, answers and their files are removed; "
            "counts by network, country and status stay. Empty: %(months)d months.",
            months=DEFAULT_RETENTION_MONTHS,
        ),
    )
    privacy_notice = TextAreaField(
        _l("Privacy notice"),
        validators=[Optional(), Length(max=10_000)],
        description=_l(
            "Plain text, shown on the meeting's privacy page and linked from the registration "
            "form. Empty: the site's standard notice."
        ),
    )
    # validate_choice off: our own check says why a network is not on offer.
    networks = SelectMultipleField(
        _l("Participating networks"),
        coerce=int,
        validate_choice=False,
        description=_l("Archived networks are not offered; one already taking part stays."),
    )

    def validate_networks(self, field):
        offered = {c.value for c in self.networks.choices}
        if any(value not in offered for value in field.data or []):
            raise ValidationError(
                _l("Choose networks from the list: archived ones take part in no new meeting.")
            )

    def set_choices(self, series, networks):
        self.series_id.choices = [SelectChoice(s.id, localized(s, "name")) for s in series]
        self.networks.choices = [
            SelectChoice(
                n.id, f"{n.acronym} – {localized(n, 'name')}" + (" †" if n.is_archived else "")
            )
            for n in networks
        ]
        return self


class CloneForm(_Edition):
    """A new edition of the same series from a previous one."""

    copy_networks = BooleanField(_l("The invited networks (not archived ones)"), default=True)
    copy_sessions = BooleanField(
        _l("The sessions and their items, without chairs or presenters"), default=True
    )
    copy_documents = BooleanField(_l("The document slots, without their files"), default=True)
    copy_registration = BooleanField(_l("The registration settings and questions"), default=True)
