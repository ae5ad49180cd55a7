"""One lock per meeting, for the writers that must not interleave on it: seats
(registration), new files and versions (uploads), agenda imports, publishing.

The lock lives in the database, so it holds across threads, worker processes and
machines, and it ends with the transaction (commit or rollback), never later:

- SQLite: ``BEGIN IMMEDIATE`` takes the database's write lock before anything is read, so
  what is read next cannot be stale (a deferred transaction would fail with "database is
  locked" when it first writes, instead of waiting). A transaction that has written
  already holds that lock. SQLite has one writer at a time anyway; this makes it the
  first thing a writer waits for.
- PostgreSQL: ``SELECT … FOR NO KEY UPDATE`` on the meeting's row; another writer of the
  same meeting waits there, and (read committed) then reads what the first committed.
  Writers of other meetings do not wait, nor does an insert that merely refers to the
  meeting (its foreign key check takes KEY SHARE, which NO KEY UPDATE lets through and
  plain FOR UPDATE would not).

Take it with nothing pending in the session, before reading what the decision depends on.
"""

from contextlib import contextmanager

from sqlalchemy import column, select, table

from wenevents.extensions import db

# The table by name: the base layer does not import a domain's models.
_MEETINGS = table("meetings", column("id"))


def lock_meeting(meeting_id):
    """Take the meeting's lock; it is held until the transaction ends.

    For writers whose service commits (or rolls back) itself; ``meeting_lock`` is the
    same as a ``with`` block.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        db.session.execute(
            select(_MEETINGS.c.id)
            .where(_MEETINGS.c.id == meeting_id)
            .with_for_update(key_share=True)
        ).first()


@contextmanager
def meeting_lock(meeting_id):
    """``with meeting_lock(meeting.id): …`` — the block runs holding the meeting's lock.

    The block (or its caller) commits; an exception inside rolls everything back, which
    also releases the lock at once rather than when the request ends.
    """
    lock_meeting(meeting_id)
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
