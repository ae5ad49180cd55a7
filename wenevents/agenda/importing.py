"""Importing an agenda from a frab-compatible ``schedule.json`` (pretalx, frab, ours).

Two steps, so nothing is written until an organiser has seen what will happen:

1. ``preview(meeting, data)`` reads the file into a *plan*: plain JSON data saying which
   sessions and items would be created, and ``notes`` on everything that could not be
   mapped (talks outside the meeting's dates, unknown networks, speaker details, links and
   attachments, overlaps…). Bad input raises ``ImportProblem`` with a message for the
   person. The page carries the plan to the next step signed (``sign``/``unsign``), so the
   browser can neither change it nor replay it for another meeting or person.
2. ``apply(meeting, plan, by)`` adds the sessions and items to the meeting's *draft*
   (nothing is public until the next release), renumbers and audits; the caller commits.

How a file becomes sessions: schedule_file.py reads it, import_plan.py groups its talks.

A draft that already has sessions keeps them: imported sessions are added beside them and
every session is numbered again in time order. Nothing is replaced or deleted, so no
uploaded slides can lose their presentation. ``apply`` refuses a plan made when the draft
had other sessions (a second click on "Import", or a colleague's edit in between).
"""

from datetime import date, time

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from wenevents.agenda import editing, import_plan, schedule_file
from wenevents.agenda.import_plan import day_label
from wenevents.agenda.models import AgendaItem, Session
from wenevents.agenda.schedule_file import ImportProblem
from wenevents.audit.services import record
from wenevents.extensions import db
from wenevents.locks import lock_meeting

MAX_BYTES = schedule_file.MAX_BYTES  # callers read at most one byte more
MAX_TOKEN = 400_000  # characters of the signed plan
PREVIEW_MAX_AGE = 3600  # seconds a preview may be confirmed
_SALT = "wenevents.agenda-import"


def _draft_rows(meeting):
    """The draft's sessions, for the fingerprint, the next number and overlaps."""
    return db.session.execute(
        select(
            Session.id, Session.number, Session.title, Session.day, Session.starts_at,
            Session.ends_at, Session.room,
        )
        .where(Session.meeting_id == meeting.id)
        .order_by(Session.id)
    ).all()  # fmt: skip


def _fingerprint(rows):
    return [len(rows), max((r.id for r in rows), default=0)]


def preview(meeting, data):
    """The plan for importing ``data`` (bytes) into ``meeting``'s draft; writes nothing."""
    rows = _draft_rows(meeting)
    return {
        "meeting": meeting.id,
        "draft": _fingerprint(rows),
        **import_plan.plan_sessions(meeting, data, rows),
    }


# -- Carrying the plan to the confirmation ----------------------------------------------


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def sign(plan, user):
    """The plan as a tamper-proof token for the confirmation form."""
    token = _serializer().dumps({"plan": plan, "user": user.id if user else None})
    # The form that carries it back must stay within MAX_FORM_MEMORY_SIZE.
    if len(token) > MAX_TOKEN:
        raise ImportProblem(_("This file is too large to import at once; import it in parts."))
    return token


def unsign(token, meeting, user):
    """The plan a token carries, if this person made it for this meeting within the hour."""
    expired = ImportProblem(
        _("This preview has expired or is not valid. Upload the file again."), status=400
    )
    try:
        payload = _serializer().loads(token or "", max_age=PREVIEW_MAX_AGE)
    except BadSignature:
        raise expired from None
    plan = payload.get("plan") if isinstance(payload, dict) else None
    if (
        not isinstance(plan, dict)
        or plan.get("meeting") != meeting.id
        or payload.get("user") != (user.id if user else None)
    ):
        raise expired
    return plan


# -- Writing it -------------------------------------------------------------------------


def apply(meeting, plan, by=None):
    """Add the plan's sessions and items to the draft (flushed; the caller commits once);
    ``(sessions, items)``.

    Under the meeting's lock, held until that commit: of two confirmations sent at once (a
    double click), the second waits, then finds the draft changed and is refused.
    """
    lock_meeting(meeting.id)
    rows = _draft_rows(meeting)
    if plan["meeting"] != meeting.id or plan["draft"] != _fingerprint(rows):
        raise ImportProblem(
            _("The draft agenda has changed since this preview, or the file was imported "
              "already. Upload the file again to see what an import would do now."),
            status=409,
        )  # fmt: skip
    networks = {n.id: n for n in meeting.networks}
    number = max((r.number for r in rows), default=0)
    items = 0
    for planned in plan["sessions"]:
        number += 1  # after every existing number; renumber() puts them in time order
        session = Session(
            meeting_id=meeting.id,
            number=number,
            title=planned["title"],
            day=date.fromisoformat(planned["day"]),
            starts_at=time.fromisoformat(planned["starts_at"]),
            ends_at=time.fromisoformat(planned["ends_at"]),
            room=planned["room"],
            chair=planned["chair"],
            is_public=planned["is_public"],
            description=planned["description"],
            objectives=planned["objectives"],
            translations=planned.get("translations") or {},
        )
        for position, planned_item in enumerate(planned["items"]):
            network_id = planned_item["network_id"]
            if network_id is not None and network_id not in networks:
                raise ImportProblem(
                    _("A network of this preview is no longer part of the meeting. Upload the "
                      "file again."),
                    status=409,
                )  # fmt: skip
            session.items.append(
                AgendaItem(
                    kind=planned_item["kind"],
                    title=planned_item["title"],
                    presenters=planned_item["presenters"],
                    duration_minutes=planned_item["duration_minutes"],
                    network=networks.get(network_id),
                    position=position,
                    translations=planned_item.get("translations") or {},
                )
            )
            items += 1
        db.session.add(session)
    editing.renumber(meeting)
    count = len(plan["sessions"])
    source = plan["source"]["title"] or _("a schedule file")
    record(
        "agenda.imported",
        f"{meeting.acronym}: {count} sessions, {items} items imported from {source}",
        target=meeting,
        actor=by,
        sessions=count,
        items=items,
        source=source[:200],
    )
    db.session.flush()
    return count, items


# -- Saying what a plan does, as text (the command line) ----------------------------------


def count_sessions(n):
    return ngettext("%(num)d session", "%(num)d sessions", n)


def count_items(n):
    return ngettext("%(num)d item", "%(num)d items", n)


def describe(plan, meeting):
    """The preview as lines of text."""
    lines = [
        _("Import “%(title)s” (%(events)s) into the draft agenda of %(meeting)s.",
          title=plan["source"]["title"], meeting=meeting.acronym,
          events=ngettext("%(num)d event", "%(num)d events", plan["source"]["events"])),
    ]  # fmt: skip
    kept = plan["draft"][0]
    if kept:
        lines.append(kept_note(kept))
    lines.append(
        _("To create: %(sessions)s with %(items)s.",
          sessions=count_sessions(len(plan["sessions"])), items=count_items(plan["items"]))
    )  # fmt: skip
    for s in plan["sessions"]:
        where = f"  {s['room']}" if s["room"] else ""
        closed = "" if s["is_public"] else f" ({_('closed')})"
        lines.append(
            f"  {day_label(s['day'])} {s['starts_at']}–{s['ends_at']}{where}  {s['title']}{closed}"
        )
        if s["chair"]:
            lines.append(f"      {_('Chair')}: {s['chair']}")
        for item in s["items"]:
            extra = [item["network"], item["presenters"]]
            if item["duration_minutes"]:
                extra.append(_("%(n)d min", n=item["duration_minutes"]))
            details = ", ".join(x for x in extra if x)
            line = f"    - {item['kind']}: {item['title']}"
            lines.append(f"{line} ({details})" if details else line)
    if plan["notes"]:
        lines.append(_("Not imported, and warnings:"))
        lines += [f"  - {note}" for note in plan["notes"]]
    return lines


def kept_note(count):
    return ngettext(
        "The draft already has %(num)d session: it is kept, the imported sessions are added "
        "beside it, and all are numbered again in time order.",
        "The draft already has %(num)d sessions: they are kept, the imported sessions are "
        "added beside them, and all are numbered again in time order.",
        count,
    )
