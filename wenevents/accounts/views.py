"""Sign-in, sign-out, password reset, invitations, one's account; organisers' user list."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from wenevents.accounts import forms, services
from wenevents.accounts.models import INVITE, RESET, User
from wenevents.accounts.permissions import organiser_required
from wenevents.extensions import db, limiter
from wenevents.htmx import is_htmx, render
from wenevents.networks.services import search_networks
from wenevents.security import link_invalid, safe_next, stash_token

bp = Blueprint("accounts", __name__)


@bp.app_context_processor
def _role_labels():
    return {"role_labels": forms.ROLE_LABELS}


def _login_account_key():
    """Count failed sign-ins per account, whatever address they come from."""
    return "login:" + services.normalise_email(request.form.get("email", ""))[:320]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_login_account_key,
    deduct_when=lambda _response: g.get("login_failed", False),
    scope="login-account",
)
def login():
    """Sign in with email and password; the same answer for unknown and known addresses."""
    form = forms.LoginForm()
    failed = False
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user:
            services.sign_in(user)
            return redirect(safe_next(request.args.get("next")), 303)
        g.login_failed = failed = True
    return render("accounts/login.html", form=form, failed=failed)


@bp.get("/logout")
def logout_by_get():
    """405: signing out changes state, so only a POST with the CSRF token does it. Without
    this rule, GET /logout would fall through to the meeting route /<acronym>/ (404)."""
    abort(405, valid_methods=["POST"])


@bp.post("/logout")
def logout():
    """Sign out: the session ends on the server, so a copied cookie stops working."""
    if current_user.is_authenticated:
        services.end_session(current_user)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("meetings.home"), 303)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_LIMIT"], methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer never says whether the address has an account."""
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_reset(form.email.data)
        return render("accounts/forgot_password.html", form=form, sent=True)
    return render("accounts/forgot_password.html", form=form, sent=False)


@bp.get("/reset-password/<token>")
def reset_password(token):
    """Keep the emailed token in the session, out of the address bar and Referer."""
    return stash_token("reset_token", token, "accounts.reset_password_form")


@bp.route("/reset-password", methods=["GET", "POST"])
def reset_password_form():
    """Choose a new password from a reset link; every session of the account ends."""
    token = services.usable_token(RESET, session.get("reset_token"))
    if token is None:
        return link_invalid()
    form = forms.SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except services.AccountError as error:
            form.password.errors.append(str(error))
        else:
            session.pop("reset_token", None)
            flash(_("Your password is changed. Sign in with it now."), "success")
            return redirect(url_for("accounts.login"), 303)
    return render("accounts/reset_password.html", form=form, email=token.email)


@bp.get("/invitations/<token>")
def invitation(token):
    """Keep the invitation token in the session, out of the address bar and Referer."""
    return stash_token("invite_token", token, "accounts.accept_invitation")


@bp.route("/invitations/accept", methods=["GET", "POST"])
def accept_invitation():
    """Set a name and password for the invited address, then sign in."""
    token = services.usable_token(INVITE, session.get("invite_token"))
    if token is None:
        return link_invalid()
    form = forms.AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.name.data, form.password.data)
        except services.AccountError as error:
            form.password.errors.append(str(error))
        else:
            services.sign_in(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
            return redirect(url_for("accounts.account"), 303)
    return render("accounts/accept_invitation.html", form=form, token=token)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """One's own account: role, networks, and changing the password."""
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current.data, form.password.data)
        except services.AccountError as error:
            field = form.current if error.field == "current" else form.password
            field.errors.append(str(error))
        else:
            # Every session ended, this one too; start a fresh one for this browser.
            services.sign_in(user)
            flash(_("Your password is changed. Other devices are signed out."), "success")
            return redirect(url_for("accounts.account"), 303)
    return render("accounts/account.html", form=form)


# Organisers: users ----------------------------------------------------------------------


def _page():
    return max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))


@bp.get("/manage/users")
@organiser_required
def users():
    """Every user, searchable as one types; invite a person; pending invitations."""
    q = request.args.get("q", "")
    found, total = services.search_users(q, _page())
    invite_form = forms.InviteForm().set_network_choices(search_networks())
    return render(
        "accounts/users.html",
        block="results",
        target="user-results",
        users=found,
        total=total,
        q=q,
        page=_page(),
        per_page=services.USERS_PER_PAGE,
        invite_form=invite_form,
        invitations=services.pending_invitations(),
    )


@bp.post("/manage/users/invite")
@organiser_required
@limiter.limit(lambda: current_app.config["INVITE_LIMIT"])
def invite():
    """Send an invitation; errors come back at the fields of the same form."""
    form = forms.InviteForm().set_network_choices(search_networks())
    sent_to = None
    if form.validate_on_submit():
        try:
            services.invite(
                form.email.data,
                form.role.data,
                services.networks_by_ids(form.networks.data),
                by=current_user._get_current_object(),
            )
        except services.AccountError as error:
            form.email.errors.append(str(error))
        else:
            sent_to = services.normalise_email(form.email.data)
            if not is_htmx():
                flash(_("Invitation sent to %(email)s.", email=sent_to), "success")
                return redirect(url_for("accounts.users"), 303)
            form = forms.InviteForm(formdata=None).set_network_choices(search_networks())
    if is_htmx():
        return render(
            "accounts/users.html",
            block="invite",
            invite_form=form,
            sent_to=sent_to,
            invitations=services.pending_invitations(),
            oob_invitations=True,
        )
    found, total = services.search_users("", 1)
    return render(
        "accounts/users.html",
        users=found,
        total=total,
        q="",
        page=1,
        per_page=services.USERS_PER_PAGE,
        invite_form=form,
        invitations=services.pending_invitations(),
    )


def _user_or_404(user_id):
    return db.get_or_404(User, user_id)


@bp.route("/manage/users/<int:user_id>", methods=["GET", "POST"])
@organiser_required
def edit_user(user_id):
    """Change a user's role and networks, in place in the list (or on its own page)."""
    user = _user_or_404(user_id)
    form = forms.UserRoleForm(obj=None if request.method == "POST" else user)
    form.set_network_choices(search_networks())
    if request.method == "GET":
        form.networks.data = [n.id for n in user.networks]
    if form.validate_on_submit():
        services.update_user(
            user,
            form.role.data,
            services.networks_by_ids(form.networks.data),
            by=current_user._get_current_object(),
        )
        db.session.commit()
        if not is_htmx():
            flash(_("Saved %(email)s.", email=user.email), "success")
            return redirect(url_for("accounts.users"), 303)
        return render("accounts/_user_row.html", block="row", user=user)
    return render("accounts/user_edit.html", block="edit_row", target=None, user=user, form=form)


@bp.get("/manage/users/<int:user_id>/row")
@organiser_required
def user_row(user_id):
    """The user's row as listed (what "Cancel" puts back); the list page without htmx."""
    user = _user_or_404(user_id)
    if not is_htmx():
        return redirect(url_for("accounts.users", q=user.email), 303)
    return render("accounts/_user_row.html", block="row", user=user)


@bp.post("/manage/users/<int:user_id>/disabled")
@organiser_required
def set_disabled(user_id):
    """Disable (the user is signed out at once) or enable an account."""
    user = _user_or_404(user_id)
    disable = request.form.get("disabled") == "1"
    try:
        services.set_disabled(user, disable, by=current_user._get_current_object())
    except services.AccountError as error:
        db.session.rollback()
        abort(409, description=str(error))
    db.session.commit()
    if is_htmx():
        return render("accounts/_user_row.html", block="row", user=user)
    return redirect(url_for("accounts.users"), 303)
