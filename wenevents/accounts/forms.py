"""Forms of sign-in, passwords, invitations and user management."""

from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from wenevents.accounts.models import DELEGATE, FOCAL_POINT, ORGANISER
from wenevents.accounts.passwords import MAX_LENGTH
from wenevents.forms import CheckboxesField, EmailAddress, Form
from wenevents.i18n import lazy_gettext as _l

ROLE_LABELS = {
    ORGANISER: _l("Organiser"),
    FOCAL_POINT: _l("Network focal point"),
    DELEGATE: _l("Delegate"),
}
# SelectChoice, not (value, label) tuples: WTForms 3.3 deprecates tuples (removed in 3.4).
ROLE_CHOICES = [SelectChoice(value, label) for value, label in ROLE_LABELS.items()]


def _email_field(label=None):
    return EmailField(
        label or _l("Email address"),
        validators=[InputRequired(), EmailAddress()],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        render_kw={"autocomplete": "email"},
    )


def _new_password(label=None):
    return PasswordField(
        label or _l("New password"),
        validators=[InputRequired(), Length(max=MAX_LENGTH)],
        description=_l("At least 12 characters. A few unrelated words make a strong password."),
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(Form):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class ForgotPasswordForm(Form):
    email = _email_field()


class SetPasswordForm(Form):
    password = _new_password()
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(), EqualTo("password", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChoosePasswordForm(Form):
    """The first password of a delegate's account, chosen on confirming the address."""

    password = _new_password(_l("Choose a password"))
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class AcceptInvitationForm(SetPasswordForm):
    name = StringField(
        _l("Your name"),
        validators=[InputRequired(), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(
        _l("Current password"),
        validators=[InputRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class CloseAccountForm(Form):
    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(), Length(max=MAX_LENGTH)],
        description=_l("To be sure it is you."),
        render_kw={"autocomplete": "current-password"},
    )


class _RoleForm(Form):
    # No InputRequired: a SelectField refuses any value not among its choices anyway, and
    # a required <select> would need an empty first option.
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=FOCAL_POINT)
    networks = CheckboxesField(
        _l("Networks (for focal points)"),
        coerce=int,
        description=_l("The networks a focal point acts for."),
    )

    def set_network_choices(self, networks):
        self.networks.choices = [SelectChoice(n.id, f"{n.acronym} – {n.name}") for n in networks]
        return self

    def validate_networks(self, field):
        if self.role.data == FOCAL_POINT and not field.data:
            # ValidationError: WTForms 3 no longer turns a ValueError into a message (500).
            raise ValidationError(_l("Choose at least one network for a focal point."))


class InviteForm(_RoleForm):
    email = _email_field(_l("Their email address"))


class UserRoleForm(_RoleForm):
    pass


class NoticesForm(Form):
    """Whether to be mailed of published agenda changes that concern one (unticked: no)."""

    change_notices = BooleanField()
