"""Organisers browse the audit log."""

from datetime import date

from flask import Blueprint, request

from wenevents.audit import services
from wenevents.htmx import render
from wenevents.permissions import organiser_required
from wenevents.text import bounded_int

bp = Blueprint("audit", __name__, url_prefix="/manage/audit")


def _day(name):
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/")
@organiser_required
def index():
    """Entries newest first, filtered by action, actor and dates, fifty a page."""
    filters = {
        "action": request.args.get("action", "")[:60],
        "actor": request.args.get("actor", "")[:320],
        "day_from": _day("from"),
        "day_to": _day("to"),
    }
    page = max(1, min(request.args.get("page", 1, type=bounded_int) or 1, 100_000))
    entries, total = services.search(**filters, page=page)
    return render(
        "audit/index.html",
        block="results",
        target="audit-results",
        entries=entries,
        total=total,
        page=page,
        per_page=services.PAGE_SIZE,
        actions=services.actions(),
        **filters,
    )
