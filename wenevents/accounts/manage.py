"""Organisers' user pages: every user, searchable; invitations; roles and networks,
edited in place; disabling an account. Same blueprint as views.py (``accounts.users``…)."""

from flask import abort, current_app, request, url_for
from flask_babel import gettext as _

from wenevents.accounts import forms, invitations, services
from wenevents.accounts.models import FOCAL_POINT, User
from wenevents.accounts.views import bp
from wenevents.extensions import db, limiter
from wenevents.htmx import finish, is_htmx, render
from wenevents.permissions import organiser_required
from wenevents.text import bounded_int
from wenevents.web import acting_user, page_arg


@bp.get("/manage/users")
@organiser_required
def users():
    """Every user, searchable as one types; invite a person; pending invitations."""
    q = request.args.get("q", "")
    found, total = services.search_users(q, page_arg())
    invite_form = _prefilled_invite_form(invitations.networks_on_offer())
    return render(
        "accounts/users.html",
        block="results",
        target="user-results",
        users=found,
        total=total,
        q=q,
        page=page_arg(),
        per_page=services.USERS_PER_PAGE,
        invite_form=invite_form,
        invitations=invitations.pending_invitations(),
    )


def _prefilled_invite_form(networks):
    """The invitation form, filled in from ``?invite=ADDRESS&network=ID`` (a link such as
    a materials reminder's preview makes for a focal point without an account): a focal
    point of that network. Nothing is sent until the organiser submits it."""
    form = forms.InviteForm().set_network_choices(networks)
    address = request.args.get("invite", "")
    if address and len(address) <= 320 and form.email.data is None:
        form.email.data = address.strip()
        network = request.args.get("network", type=bounded_int)
        if network is not None and any(n.id == network for n in networks):
            form.role.data = FOCAL_POINT
            form.networks.data = [network]
    return form


@bp.post("/manage/users/invite")
@organiser_required
@limiter.limit(lambda: current_app.config["INVITE_LIMIT"])
def invite():
    """Send an invitation; errors come back at the fields of the same form."""
    networks = invitations.networks_on_offer()
    form = forms.InviteForm().set_network_choices(networks)
    if form.validate_on_submit():
        try:
            invitations.invite(
                form.email.data,
                form.role.data,
                invitations.networks_by_ids(form.networks.data),
                by=acting_user(),
            )
        except services.AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            sent_to = services.normalise_email(form.email.data)
            blank = forms.InviteForm(formdata=None).set_network_choices(networks)
            return finish(
                _("Invitation sent to %(email)s.", email=sent_to),
                url_for(".users"),
                lambda: _invite_form(blank, sent_to),
            )
    if is_htmx():
        return _invite_form(form)
    found, total = services.search_users("", 1)
    return render(
        "accounts/users.html",
        users=found,
        total=total,
        q="",
        page=1,
        per_page=services.USERS_PER_PAGE,
        invite_form=form,
        invitations=invitations.pending_invitations(),
    )


def _invite_form(form, sent_to=None):
    """The invitation form again, with the pending invitations swapped out of band."""
    return render(
        "accounts/users.html",
        block="invite",
        invite_form=form,
        sent_to=sent_to,
        invitations=invitations.pending_invitations(),
        oob_invitations=True,
    )


def _user_or_404(user_id):
    return db.get_or_404(User, user_id)


@bp.route("/manage/users/<int:user_id>", methods=["GET", "POST"])
@organiser_required
def edit_user(user_id):
    """Change a user's role and networks, in place in the list (or on its own page)."""
    user = _user_or_404(user_id)
    form = forms.UserRoleForm(obj=None if request.method == "POST" else user)
    form.set_network_choices(invitations.networks_on_offer())
    if request.method == "GET":
        form.networks.data = [n.id for n in user.networks]
    if form.validate_on_submit():
        services.update_user(
            user,
            form.role.data,
            invitations.networks_by_ids(form.networks.data),
            by=acting_user(),
        )
        db.session.commit()
        return finish(
            _("Saved %(email)s.", email=user.email),
            url_for(".users"),
            lambda: render("accounts/_user_row.html", block="row", user=user),
        )
    return render("accounts/user_edit.html", block="edit_row", target=None, user=user, form=form)


@bp.get("/manage/users/<int:user_id>/row")
@organiser_required
def user_row(user_id):
    """The user's row as listed (what "Cancel" puts back); the list page without htmx."""
    user = _user_or_404(user_id)
    return finish(
        None,
        url_for(".users", q=user.email),
        lambda: render("accounts/_user_row.html", block="row", user=user),
    )


@bp.post("/manage/users/<int:user_id>/disabled")
@organiser_required
def set_disabled(user_id):
    """Disable (the user is signed out at once) or enable an account."""
    user = _user_or_404(user_id)
    disable = request.form.get("disabled") == "1"
    try:
        services.set_disabled(user, disable, by=acting_user())
    except services.AccountError as error:
        db.session.rollback()
        abort(409, description=str(error))
    db.session.commit()
    return finish(
        None, url_for(".users"), lambda: render("accounts/_user_row.html", block="row", user=user)
    )
