"""Forms of the networks domain."""

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField, URLField
from wtforms.validators import Length, Optional, ValidationError

from wenevents.forms import Form


def http_url(_form, field):
    """Only http and https: a javascript: or data: link would run in visitors' browsers."""
    if field.data and urlsplit(field.data).scheme not in ("http", "https"):
        raise ValidationError(_l("Give an address starting with https:// or http://."))
    if field.data and not urlsplit(field.data).netloc:
        raise ValidationError(_l("Give a full web address, such as https://example.org."))


class NetworkProfileForm(Form):
    """What a network's focal points keep up to date on its public page."""

    region = StringField(_l("Region"), validators=[Optional(), Length(max=100)])
    website = URLField(_l("Website"), validators=[Optional(), Length(max=500), http_url])
    member_countries = TextAreaField(
        _l("Member countries"), validators=[Optional(), Length(max=2000)]
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Plain text; leave a blank line between paragraphs."),
    )
