"""Sign-in, sign-out, password reset, accepting an invitation, one's account, its data and
closing it (the organisers' user pages, on the same blueprint: manage.py)."""

import json

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from wenevents import languages
from wenevents.accounts import forms, invitations, personal_data, services
from wenevents.accounts.models import INVITE, RESET
from wenevents.clock import utcnow
from wenevents.extensions import db, limiter
from wenevents.htmx import finish, render
from wenevents.security import export_limit, link_invalid, safe_next, stash_token
from wenevents.web import acting_user

bp = Blueprint("accounts", __name__)


@bp.app_context_processor
def _role_labels():
    return {"role_labels": forms.ROLE_LABELS}


def _guesses_per_account(key_func):
    """Wrong passwords counted per account, whatever address they come from, and shared
    by the sign-in form and *My account* (its current password): one budget per account.
    Only failures count."""
    return limiter.shared_limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
        scope="login-account",
        methods=["POST"],
        key_func=key_func,
        deduct_when=lambda _response: g.get("login_failed", False),
    )


def _account_key(email):
    return "login:" + services.normalise_email(email)[:320]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
@_guesses_per_account(lambda: _account_key(request.form.get("email", "")))
def login():
    """Sign in with email and password; the same answer for unknown and known addresses."""
    form = forms.LoginForm()
    failed = False
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user:
            services.sign_in(user)
            return redirect(safe_next(request.args.get("next")), 303)
        db.session.commit()  # the failed attempt's audit entry
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
    return finish(_("You are signed out."), url_for("meetings.home"))


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
            db.session.commit()
            session.pop("reset_token", None)
            return finish(_("Your password is changed. Sign in with it now."), url_for(".login"))
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
            user = invitations.accept_invitation(token, form.name.data, form.password.data)
        except services.AccountError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            session.pop("invite_token", None)
            # An emailed link never signs in an account with a password (it may be an
            # organiser's): the new password does, once, here.
            message = _(
                "Welcome, %(name)s. Your account is ready: sign in with your new password.",
                name=user.name,
            )
            return finish(message, url_for(".login", next=url_for(".account")))
    return render(
        "accounts/accept_invitation.html", form=form, token=token, name=invitations.series_name()
    )


@bp.route("/account", methods=["GET", "POST"])
@login_required
@_guesses_per_account(lambda: _account_key(getattr(current_user, "email", "")))
def account():
    """One's own account: role, networks, and changing the password. An account without
    a password (see registration.confirm) is offered a link to choose one instead."""
    user = acting_user()
    if not user.password_hash:
        return render("accounts/account.html", form=None)
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current.data, form.password.data)
        except services.AccountError as error:
            db.session.commit()  # a wrong current password is audited
            g.login_failed = error.field == "current"
            field = form.current if error.field == "current" else form.password
            field.errors.append(str(error))
        else:
            # Every session ended, this one too; start a fresh one for this browser (and
            # commit the new password with it).
            services.sign_in(user)
            message = _("Your password is changed. Other devices are signed out.")
            return finish(message, url_for(".account"))
    return render("accounts/account.html", form=form)


@bp.post("/account/notices")
@login_required
def notices():
    """Receive, or not, the mail that tells of agenda changes that concern one."""
    form = forms.NoticesForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_change_notices(acting_user(), form.change_notices.data)
    db.session.commit()
    message = (
        _("You will be mailed when a published change to an agenda concerns you.")
        if form.change_notices.data
        else _("You will no longer be mailed of agenda changes.")
    )
    return finish(message, url_for(".account", _anchor="notices-heading"))


@bp.post("/account/password-link")
@login_required
@limiter.limit(lambda: current_app.config["RESET_LIMIT"])
def password_link():
    """Mail oneself a link to choose a password: a session opened by an emailed link (no
    password known) must not be enough to set one, the mailbox decides."""
    services.request_reset(current_user.email)
    message = _(
        "We are sending a link to %(email)s: open it to choose your password.",
        email=current_user.email,
    )
    return finish(message, url_for(".account"))


@bp.get("/account/my-data.json")
@login_required
@export_limit
def my_data():
    """Everything the site holds about oneself, as a JSON file; audited."""
    data = personal_data.export(acting_user())
    db.session.commit()
    response = current_app.response_class(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n",
        mimetype="application/json",
    )
    name = f"wenevents-my-data-{utcnow():%Y%m%d}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.route("/account/close", methods=["GET", "POST"])
@login_required
@_guesses_per_account(lambda: _account_key(getattr(current_user, "email", "")))
def close_account():
    """Close one's account, with one's password, after a page that says what goes and what
    stays; everything that stands in the way is said first."""
    user = acting_user()
    form = forms.CloseAccountForm()
    reasons = personal_data.close_blockers(user)
    if user.password_hash and not reasons and form.validate_on_submit():
        try:
            personal_data.close_account(user, form.password.data)
        except services.AccountError as error:
            db.session.commit()  # a wrong password is audited
            g.login_failed = error.field == "password"
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            logout_user()
            session.clear()
            return finish(_("Your account is closed. Thank you."), url_for("meetings.home"))
    status = 422 if form.errors else (409 if request.method == "POST" else 200)
    return render("accounts/close.html", form=form, reasons=reasons), status


@bp.get("/language/<code>")
def choose_language(code):
    """The language switch: remember the choice (the cookie; the account, for someone
    signed in) and show the page it was chosen on in that language."""
    if code not in languages.LANGUAGES:
        abort(404)
    target = safe_next(request.args.get("next", ""), default="/")
    response = redirect(languages.language_path(code, target), code=303)
    response.set_cookie(
        languages.COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure,
        httponly=True,
    )
    if current_user.is_authenticated and current_user.language != code:
        current_user.language = code
        db.session.commit()
    return response
