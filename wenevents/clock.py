"""The clock every domain stores by."""

from datetime import UTC, datetime


def utcnow():
    """Naive UTC, as stored: SQLite keeps no zone, so every timestamp is UTC by convention."""
    return datetime.now(UTC).replace(tzinfo=None)
