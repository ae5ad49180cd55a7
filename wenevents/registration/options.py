"""How a meeting takes registrations, as the organisers set it: the window (stored in UTC,
shown in the meeting's zone), seats, quota, endorsement, promotion, the participants list."""

from datetime import UTC

from wenevents.audit import services as audit
from wenevents.extensions import db
from wenevents.registration.models import RegistrationSettings

SETTING_FIELDS = (
    "capacity",
    "network_quota",
    "endorsement_required",
    "auto_promote",
    "travel_days",
    "participants_list",
)


def to_utc(local, meeting):
    """A wall-clock time in the meeting's zone, as stored (naive UTC)."""
    if local is None:
        return None
    return local.replace(tzinfo=meeting.tz).astimezone(UTC).replace(tzinfo=None)


def to_local(stored, meeting):
    if stored is None:
        return None
    return stored.replace(tzinfo=UTC).astimezone(meeting.tz).replace(tzinfo=None)


def save_settings(meeting, values, by):
    """Create or change a meeting's registration settings; audit what changed."""
    settings = db.session.get(RegistrationSettings, meeting.id)
    if settings is None:
        settings = RegistrationSettings(meeting_id=meeting.id)
        db.session.add(settings)
    new = {field: values[field] for field in SETTING_FIELDS}
    new["opens_at"] = to_utc(values["opens_at"], meeting)
    new["closes_at"] = to_utc(values["closes_at"], meeting)
    changed = sorted(f for f, v in new.items() if getattr(settings, f, None) != v)
    for field in changed:
        setattr(settings, field, new[field])
    audit.record(
        "registration.settings",
        meeting.acronym,
        target=meeting,
        actor=by,
        fields=changed,
    )
    return settings
