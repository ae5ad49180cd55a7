"""Organisers follow outgoing mail (queued, sent, failed, with the error) and send again."""

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _

from wenevents.extensions import db
from wenevents.htmx import finish, render
from wenevents.mail import services
from wenevents.mail.models import FAILED, QUEUED, SENDING, SENT, STATUSES, OutgoingMail
from wenevents.permissions import organisers_only
from wenevents.text import bounded_int

bp = Blueprint("mail", __name__, url_prefix="/manage/mail")
organisers_only(bp)

TEMPLATE = "mail/messages.html"


def _labels():
    return {QUEUED: _("Queued"), SENDING: _("Sending"), SENT: _("Sent"), FAILED: _("Failed")}


def _query():
    """The list's filters as its URL has them."""
    filters = _filters()
    return {"status": filters["status"], "q": filters["text"]}


def _filters():
    status = request.args.get("status", "")
    return {
        "status": status if status in STATUSES else "",
        "text": request.args.get("q", "")[:320].strip(),
    }


@bp.get("/")
def index():
    """Messages newest first, filtered by status and by address or subject, fifty a page."""
    filters = _filters()
    page = max(1, min(request.args.get("page", 1, type=bounded_int) or 1, 100_000))
    messages, total = services.search(**filters, page=page)
    return render(
        TEMPLATE,
        block="results",
        target="mail-results",
        messages=messages,
        total=total,
        page=page,
        per_page=services.PAGE_SIZE,
        counts=services.counts(),
        overdue=services.overdue(),
        statuses=STATUSES,
        labels=_labels(),
        resendable=services.resendable,
        **filters,
    )


@bp.post("/<int:mail_id>/resend")
def resend(mail_id):
    """Queue a failed or sent message again; htmx swaps its row, a plain form comes back
    to the list with a message."""
    mail = db.session.get(OutgoingMail, mail_id) or abort(404)
    if not services.resendable(mail):
        abort(409)
    services.resend(mail)
    db.session.commit()
    return finish(
        _("Queued again for %(address)s.", address=mail.recipient),
        url_for(".index", **{k: v for k, v in _query().items() if v}),
        fragment=lambda: render(
            TEMPLATE,
            block="row",
            message=mail,
            queued=True,
            labels=_labels(),
            resendable=services.resendable,
        ),
    )
