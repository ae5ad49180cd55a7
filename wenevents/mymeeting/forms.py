"""The forms of *My meeting*: each a button, with its CSRF token."""

from wtforms import HiddenField
from wtforms.validators import AnyOf, InputRequired, Length

from wenevents.forms import Form
from wenevents.mymeeting.models import FOLLOW_KINDS


class FollowForm(Form):
    """Follow (``on`` = "yes") or stop following (``on`` = "no") a session or a network."""

    kind = HiddenField(validators=[InputRequired(), AnyOf(FOLLOW_KINDS)])
    key = HiddenField(validators=[InputRequired(), Length(max=36)])
    on = HiddenField(validators=[InputRequired(), AnyOf(("yes", "no"))])


class ButtonForm(Form):
    """A button that only needs its CSRF token (make or end the feed address)."""
