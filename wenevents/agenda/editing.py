"""Rules of the draft agenda: numbering, ordering, times and the warnings beside them."""

from sqlalchemy import bindparam, select

from wenevents.agenda.models import Session
from wenevents.extensions import db


def renumber(meeting):
    """Number the meeting's sessions 1, 2, 3… in the order they happen.

    Called after every insert, delete or move, so numbers never have gaps. Written with
    plain UPDATEs, which leave ``version`` alone: a renumbering is not an edit, and must
    not make another organiser's open form stale. Two passes, because the unique
    (meeting, number) constraint would reject a swap done in one.
    """
    db.session.flush()
    rows = db.session.execute(
        select(Session.id, Session.number)
        .where(Session.meeting_id == meeting.id)
        .order_by(Session.day, Session.starts_at, Session.number, Session.id)
    ).all()
    if [number for _id, number in rows] == list(range(1, len(rows) + 1)):
        return
    table = Session.__table__
    statement = table.update().where(table.c.id == bindparam("sid"))
    db.session.execute(statement, [{"sid": sid, "number": -sid} for sid, _n in rows])
    db.session.execute(
        statement, [{"sid": sid, "number": n} for n, (sid, _old) in enumerate(rows, start=1)]
    )
    db.session.expire_all()
