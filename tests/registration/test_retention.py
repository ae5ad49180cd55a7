"""Personal data, only as long as needed: a meeting's registrations go ``retention_months``
after its last day (names, contact and travel details, answers and their files on disk,
history, the mail no registration needs any more), anonymous counts per network, country
and status stay; the removal is idempotent, a dry run changes nothing, each removal is
audited with counts only, and the organisers' page says when."""

import hashlib
import secrets
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import audit_entries
from tests.factories import make_meeting, make_network, make_registration
from wenevents.extensions import db
from wenevents.mail.models import FAILED, QUEUED, SENT, MailAttempt, OutgoingMail
from wenevents.meetings.models import Meeting
from wenevents.registration import questions, retention
from wenevents.registration.models import (
    APPROVED,
    SUBMITTED,
    WITHDRAWN,
    Question,
    Registration,
    RegistrationEvent,
    RegistrationSettings,
    RegistrationTally,
)

# The meetings of make_meeting end on 22 November 2023: twelve months on, 22 November 2024.
AFTER_RETENTION = datetime(2025, 1, 15, 12, 0)


@pytest.fixture
def past(app):
    """A meeting past its retention (12 months after 22 November 2023) with two networks."""
    networks = [make_network(acronym="NAWEG"), make_network(acronym="SAWEN")]
    meeting = make_meeting(acronym="past4", networks=networks)
    meeting.registration_settings = RegistrationSettings()
    db.session.commit()
    return meeting


@pytest.fixture
def current(app):
    """A meeting whose registrations are kept until 2027."""
    meeting = make_meeting(
        acronym="next5", start_date=date(2026, 11, 24), end_date=date(2026, 11, 25)
    )
    meeting.registration_settings = RegistrationSettings()
    db.session.commit()
    return meeting


def stored_file(app, content=b"%PDF-1.4 nomination letter"):
    """A file answer's record, its file written in the registrations' upload folder."""
    folder = questions.files_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.pdf"
    (folder / name).write_bytes(content)
    return {
        "file": name,
        "name": "letter.pdf",
        "type": "application/pdf",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


def letter_question(meeting):
    question = Question(meeting_id=meeting.id, position=1, kind="file", label="Letter")
    db.session.add(question)
    db.session.commit()
    return question


def mail(recipient, status=SENT, subject="Your registration"):
    row = OutgoingMail(
        message_id=f"<{secrets.token_hex(8)}@example.org>",
        recipient=recipient,
        subject=subject,
        template="registration_approved",
        content=b"Subject: x\r\n\r\nbody",
        status=status,
    )
    db.session.add(row)
    db.session.flush()
    db.session.add(MailAttempt(mail_id=row.id, outcome="sent"))
    db.session.commit()
    return row


@pytest.fixture
def world(app, past, current):
    """Three registrations of ``past`` (two NAWEG delegates from Panama, approved, one of
    them with a file answer and a history; an observer from the UK who withdrew), one of
    ``current`` with a file, and mail to each address."""
    naweg = past.networks[0]
    letter = letter_question(past)
    answer = stored_file(app)
    ana = make_registration(
        past, email="ana@example.org", given_name="Ana", family_name="Zyxwquist",
        network=naweg, country_code="PA", status=SUBMITTED,
        answers={str(letter.id): answer, "999": "Meet me at gate 4"},
    )  # fmt: skip
    ana.move(APPROVED, note="Welcome, Ana Zyxwquist")
    make_registration(
        past, email="bea@example.org", network=naweg, country_code="PA", status=APPROVED
    )
    make_registration(past, email="cy@example.org", country_code="GB", status=WITHDRAWN)
    # Cy registers again for the next meeting: their mail stays until that one goes.
    later = letter_question(current)
    kept_answer = stored_file(app, b"%PDF-1.4 kept")
    make_registration(
        current, email="cy@example.org", country_code="GB",
        answers={str(later.id): kept_answer},
    )  # fmt: skip
    mails = {
        "ana_sent": mail("ana@example.org"),
        "ana_failed": mail("ana@example.org", FAILED),
        "ana_queued": mail("ana@example.org", QUEUED),
        "cy_sent": mail("cy@example.org"),
        "other": mail("someone.else@example.org"),
    }
    db.session.commit()
    return {"answer": answer, "kept_answer": kept_answer, "mails": mails}


def registrations_of(meeting):
    return db.session.scalars(
        select(Registration).where(Registration.meeting_id == meeting.id)
    ).all()


def tallies_of(meeting):
    rows = db.session.scalars(
        select(RegistrationTally).where(RegistrationTally.meeting_id == meeting.id)
    ).all()
    return {
        (t.network.acronym if t.network else None, t.country_code, t.status): t.count for t in rows
    }


def file_exists(answer):
    return (questions.files_folder() / answer["file"]).is_file()


def mail_ids():
    return set(db.session.scalars(select(OutgoingMail.id)))


# -- What goes, what stays ------------------------------------------------------------------


def test_purge_due_removes_registrations_of_meetings_past_retention_only(app, past, current, world):
    done = retention.purge_due(now=AFTER_RETENTION)

    assert done == [retention.Removal("past4", date(2024, 11, 22), 3, 1, 2)]
    assert registrations_of(past) == []
    assert db.session.scalar(select(func.count(RegistrationEvent.id))) == 0
    assert not file_exists(world["answer"])
    # The other meeting keeps everything.
    [kept] = registrations_of(current)
    assert (kept.email, kept.country_code) == ("cy@example.org", "GB")
    assert file_exists(world["kept_answer"])
    assert tallies_of(current) == {}
    meeting = db.session.get(Meeting, past.id)
    assert meeting.personal_data_removed_at == AFTER_RETENTION
    assert db.session.get(Meeting, current.id).personal_data_removed_at is None


def test_purge_due_keeps_counts_per_network_country_and_status(app, past, world):
    retention.purge_due(now=AFTER_RETENTION)

    assert tallies_of(past) == {("NAWEG", "PA", APPROVED): 2, (None, "GB", WITHDRAWN): 1}


def test_purge_due_deletes_mail_over_to_addresses_no_registration_needs(app, past, world):
    mails = {name: row.id for name, row in world["mails"].items()}

    retention.purge_due(now=AFTER_RETENTION)

    left = mail_ids()
    assert mails["ana_sent"] not in left and mails["ana_failed"] not in left
    # Still being delivered; registered elsewhere; someone else.
    assert {mails["ana_queued"], mails["cy_sent"], mails["other"]} <= left
    # The deleted mail's attempts went with it.
    assert db.session.scalar(select(func.count(MailAttempt.id))) == 3


def test_purge_due_twice_changes_nothing_the_second_time(app, past, world):
    retention.purge_due(now=AFTER_RETENTION)
    tallies, mails = tallies_of(past), mail_ids()

    again = retention.purge_due(now=datetime(2025, 2, 1))

    assert again == []
    assert tallies_of(past) == tallies
    assert mail_ids() == mails
    assert len(audit_entries("registration.purge")) == 1
    assert db.session.get(Meeting, past.id).personal_data_removed_at == AFTER_RETENTION


def test_purge_due_adds_later_registrations_to_the_counts_kept(app, past, world):
    retention.purge_due(now=AFTER_RETENTION)
    make_registration(past, network=past.networks[0], country_code="PA", status=APPROVED)

    retention.purge_due(now=datetime(2025, 2, 1))

    assert tallies_of(past) == {("NAWEG", "PA", APPROVED): 3, (None, "GB", WITHDRAWN): 1}
    assert registrations_of(past) == []


def test_purge_due_dry_run_says_what_would_go_and_changes_nothing(app, past, world):
    mails = mail_ids()

    done = retention.purge_due(now=AFTER_RETENTION, dry_run=True)

    assert done == [retention.Removal("past4", date(2024, 11, 22), 3, 1, 2)]
    assert len(registrations_of(past)) == 3
    assert db.session.scalar(select(func.count(RegistrationEvent.id))) == 1
    assert file_exists(world["answer"])
    assert mail_ids() == mails
    assert tallies_of(past) == {}
    assert audit_entries("registration.purge") == []
    assert db.session.get(Meeting, past.id).personal_data_removed_at is None


def test_purge_due_audits_counts_only(app, past, world):
    retention.purge_due(now=AFTER_RETENTION)

    [entry] = audit_entries("registration.purge")
    assert entry.summary == "past4: 3 registrations, 1 files, 2 mails"
    assert entry.details == {"registrations": 3, "files": 1, "mails": 2, "retention_months": 12}
    assert (entry.actor_email, entry.target_type, entry.target_id) == ("", "meeting", str(past.id))
    written = f"{entry.summary} {entry.details}"
    assert "ana@example.org" not in written and "Zyxwquist" not in written


def test_purge_due_waits_for_the_removal_date_in_the_meetings_zone(app, past, world):
    past.retention_months = 1  # 22 December 2023, in Panama (UTC-5)
    db.session.commit()

    before = retention.purge_due(now=datetime(2023, 12, 22, 4, 59))  # 21 December, 23:59
    on_the_day = retention.purge_due(now=datetime(2023, 12, 22, 5, 0))

    assert before == []
    assert [removal.registrations for removal in on_the_day] == [3]


def test_purge_due_leaves_a_meeting_whose_retention_was_lengthened(app, past, world):
    past.retention_months = 120
    db.session.commit()

    assert retention.purge_due(now=AFTER_RETENTION) == []
    assert len(registrations_of(past)) == 3


# -- The command ----------------------------------------------------------------------------


def test_purge_personal_data_command_dry_run_prints_and_changes_nothing(runner, past, world):
    result = runner.invoke(args=["purge-personal-data", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert result.output == (
        "Would remove past4 (due 2024-11-22): 3 registrations, 1 files, 2 mails.\n"
    )
    assert len(registrations_of(past)) == 3


def test_purge_personal_data_command_removes_and_then_finds_nothing(runner, past, world):
    first = runner.invoke(args=["purge-personal-data"])
    second = runner.invoke(args=["purge-personal-data"])

    assert first.output == "Removed past4 (due 2024-11-22): 3 registrations, 1 files, 2 mails.\n"
    assert second.output == "No personal data is due for removal.\n"
    assert registrations_of(past) == []


# -- What organisers see ---------------------------------------------------------------------


def test_registrations_page_says_when_personal_data_will_be_removed(organiser_client, current):
    make_registration(current)

    page = organiser_client.get("/manage/next5/registrations/").text

    assert (
        "Personal data of 1 registration will be removed on 25 November 2027 "
        "(12 months after the meeting’s end)."
    ) in page
    assert 'href="/manage/meetings/next5/edit"' in page
    assert 'href="/next5/privacy"' in page


def test_registrations_page_says_when_removal_is_due(organiser_client, past, world):
    page = organiser_client.get("/manage/past4/registrations/").text

    assert (
        "Personal data of 3 registrations is due for removal since 22 November 2024 "
        "(12 months after the meeting’s end): the next daily run removes it."
    ) in page


def test_registrations_page_after_the_removal_shows_the_counts_kept(organiser_client, past, world):
    retention.purge_due(now=AFTER_RETENTION)

    page = organiser_client.get("/manage/past4/registrations/").text

    assert "Personal data removed on 15 January 2025; counts kept." in page
    assert "Counts kept of 3 registrations whose personal data was removed, by status" in page
    assert '<li id="kept-approved">Approved <strong class="count">2</strong></li>' in page
    assert '<li id="kept-withdrawn">Withdrawn <strong class="count">1</strong></li>' in page
    naweg = past.networks[0]
    assert f'<li id="kept-network-{naweg.id}">NAWEG <strong class="count">2</strong></li>' in page
    assert (
        '<li id="kept-network-none">None (observer) <strong class="count">1</strong></li>' in page
    )
    assert "Zyxwquist" not in page


def test_registrations_page_in_french_says_the_date(organiser_client, current):
    make_registration(current)

    page = organiser_client.get("/fr/manage/next5/registrations/").text

    assert "25 novembre 2027" in page


def test_delete_blockers_count_the_registrations_kept_as_counts(app, past, world):
    from wenevents.meetings.services import delete_blockers
    from wenevents.networks.services import delete_blockers as network_blockers

    retention.purge_due(now=AFTER_RETENTION)

    assert (
        "It keeps the counts of 3 registrations whose personal data was removed."
        in delete_blockers(db.session.get(Meeting, past.id))
    )
    assert "2 registrations name it." in network_blockers(past.networks[0])
