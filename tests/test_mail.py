"""Outgoing mail: queued with the change that causes it, delivered by the worker with
retries, never lost to a mail server that refuses for a while or a worker that dies, and
followed by organisers on the Mail page."""

import asyncio
import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import HTMX, csrf_token, deliver, free_port, outbox
from wenevents import mail
from wenevents.audit.models import AuditEntry
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.mail import delivery, services, worker
from wenevents.mail.models import FAILED, QUEUED, SENDING, SENT, MailAttempt, OutgoingMail


class Server:
    """An SMTP server (aiosmtpd) whose reply to each message the test decides:
    ``reply(message)`` gives "250 …", "451 …" or "550 …"; ``hold`` keeps a message
    waiting (the server has it, the sender has no answer yet)."""

    def __init__(self):
        self.received, self.reply, self.hold = [], lambda _message: "250 OK", None
        self.holding = threading.Event()

    async def handle_DATA(self, _server, _session, envelope):  # aiosmtpd calls this name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        answer = self.reply(message)
        if answer.startswith("250"):
            self.received.append((envelope.rcpt_tos, message))
        if self.hold is not None and self.hold(message):
            self.holding.set()
            await asyncio.sleep(30)
        return answer


@pytest.fixture
def server():
    from aiosmtpd.controller import Controller

    handler = Server()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def smtp(app, server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5)
    return server


class Clock:
    """The worker's clock, moved by the test."""

    def __init__(self):
        # A moment ahead: what the test queues next is due at once.
        self.now = utcnow() + timedelta(seconds=1)

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(delivery, "utcnow", clock)
    return clock


def queue(app, to="person@example.org", subject="Registration approved", commit=True):
    with app.test_request_context():
        queued = mail.queue(to, subject, "password_reset", link="http://localhost/x", hours=2)
        if commit:
            db.session.commit()
        return queued.id if commit else None


def statuses():
    db.session.expire_all()
    rows = db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id))
    return [(m.recipient, m.status, m.attempts) for m in rows]


# Queue and transaction ------------------------------------------------------------------


def test_mail_subject_with_line_breaks_is_sent_on_one_line(app):
    queue(app, subject="Reminder: 4th Global Meeting\r\nBcc: victim@example.org\n\u202eslides")

    [message] = outbox(app)
    assert message["Subject"] == "Reminder: 4th Global Meeting Bcc: victim@example.org slides"
    assert message["Bcc"] is None


def test_mail_queued_in_a_transaction_that_rolls_back_is_never_sent(app):
    queue(app, commit=False)
    db.session.rollback()

    assert deliver(app) == 0
    assert statuses() == []
    assert outbox(app) == []


def test_mail_is_stored_queued_until_the_worker_delivers_it(app):
    mail_id = queue(app)

    assert statuses() == [("person@example.org", QUEUED, 0)]
    assert deliver(app) == 1
    stored = db.session.get(OutgoingMail, mail_id)
    assert (stored.status, stored.attempts, stored.last_error) == (SENT, 1, "")
    assert stored.sent_at is not None
    # Delivered: the body, with its single-use link, is not kept.
    assert stored.content is None
    assert [(t.outcome, t.error) for t in stored.tries] == [("sent", "")]
    assert deliver(app) == 0
    [message] = outbox(app)
    assert message["Message-ID"] == stored.message_id


def test_mail_delivered_twice_to_the_outbox_folder_is_one_file(app):
    mail_id = queue(app)
    stored = db.session.get(OutgoingMail, mail_id)
    content = stored.content
    deliver(app)
    # A worker that died after writing and before recording writes the same file again.
    stored.status, stored.content = QUEUED, content
    db.session.commit()
    deliver(app)

    assert len(outbox(app)) == 1


# A mail server that refuses ---------------------------------------------------------------


def test_mail_server_refusing_for_ten_minutes_delays_mail_and_loses_none(app, smtp, clock):
    start = clock.now
    smtp.reply = lambda _m: (
        "451 4.3.0 Try again later" if clock.now < start + timedelta(minutes=10) else "250 OK"
    )
    for number in range(5):
        queue(app, to=f"delegate{number}@example.org")

    minutes = 0
    while smtp.received == [] or len(smtp.received) < 5:
        deliver(app)
        assert [s for _to, s, _n in statuses() if s == FAILED] == []
        clock.advance(seconds=30)
        minutes += 0.5
        assert minutes < 30, "not delivered within 30 minutes"

    assert sorted(to for [to], _message in smtp.received) == [
        f"delegate{number}@example.org" for number in range(5)
    ]
    assert {s for _to, s, _n in statuses()} == {SENT}
    # 0 s, 30 s, 1.5, 3.5, 7.5 minutes refused, then the try at 15.5 minutes goes through.
    assert [n for _to, _s, n in statuses()] == [6, 6, 6, 6, 6]
    first = db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)).first()
    assert [t.outcome for t in first.tries] == ["retry"] * 5 + ["sent"]
    assert first.tries[0].error == "451 4.3.0 Try again later"
    # Refused, nothing arrived; once accepted, each message arrived once.
    assert len({m["Message-ID"] for _to, m in smtp.received}) == 5


def test_mail_waits_double_after_each_failure_up_to_an_hour(app, clock):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    mail_id = queue(app)
    waits = []
    for _ in range(9):
        deliver(app)
        db.session.expire_all()
        stored = db.session.get(OutgoingMail, mail_id)
        waits.append((stored.next_attempt_at - clock.now).total_seconds())
        clock.now = stored.next_attempt_at

    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert stored.status == QUEUED
    assert stored.last_error.startswith("ConnectionRefusedError")


def test_mail_tried_max_attempts_times_is_failed_and_kept_for_sending_again(app, clock):
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2, MAIL_MAX_ATTEMPTS=3
    )
    mail_id = queue(app)
    for _ in range(3):
        deliver(app)
        clock.advance(hours=1)

    stored = db.session.get(OutgoingMail, mail_id)
    assert (stored.status, stored.attempts) == (FAILED, 3)
    assert [t.outcome for t in stored.tries] == ["retry", "retry", FAILED]
    assert stored.kept
    assert deliver(app) == 0


def test_mail_refused_for_good_is_failed_at_once_with_the_servers_words(app, smtp):
    smtp.reply = lambda _m: "550 5.1.1 No such mailbox"
    mail_id = queue(app, to="nobody@example.org")

    deliver(app)

    stored = db.session.get(OutgoingMail, mail_id)
    assert (stored.status, stored.attempts) == (FAILED, 1)
    assert stored.last_error == "550 5.1.1 No such mailbox"
    assert smtp.received == []


# Workers --------------------------------------------------------------------------------


def test_mail_two_workers_at_once_deliver_each_message_once(app, smtp):
    for number in range(40):
        queue(app, to=f"delegate{number}@example.org")
    tried = []

    def work():
        with app.app_context():
            tried.append(delivery.deliver_due())
            db.session.remove()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(60)

    assert sum(tried) == 40
    assert len(smtp.received) == 40
    assert len({m["Message-ID"] for _to, m in smtp.received}) == 40
    assert db.session.scalar(select(db.func.count()).select_from(MailAttempt)) == 40


def test_mail_claimed_by_a_worker_that_died_is_taken_again_after_its_lease(app, clock):
    mail_id = queue(app)
    with app.app_context():
        assert delivery.claim_next() == mail_id  # claimed, then the worker "dies"

    assert deliver(app) == 0
    assert statuses() == [("person@example.org", SENDING, 1)]
    clock.advance(seconds=app.config["MAIL_LEASE_SECONDS"] + 1)
    assert deliver(app) == 1
    assert statuses() == [("person@example.org", SENT, 2)]


def _worker(app, port):
    env = {
        **os.environ,
        "WENEVENTS_DATABASE_URL": app.config["DATABASE_URL"],
        "WENEVENTS_INSTANCE_PATH": app.instance_path,
        "WENEVENTS_SECRET_KEY": "test-secret-key",
        "WENEVENTS_PUBLIC_URL": "http://localhost",
        "WENEVENTS_MAIL_SERVER": "127.0.0.1",
        "WENEVENTS_MAIL_PORT": str(port),
        "WENEVENTS_MAIL_LEASE_SECONDS": "1",
        "WENEVENTS_MAIL_POLL_SECONDS": "0.1",
    }
    command = [sys.executable, "-c", "from wenevents.cli import main; main()", "worker"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait(check, timeout=20):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_worker_killed_while_sending_delivers_every_mail_after_restart_under_one_id(app, smtp):
    for number in range(5):
        queue(app, to=f"delegate{number}@example.org")
    # The third message reaches the server, which holds its answer: the worker is killed
    # while it waits, not knowing whether the message went.
    smtp.hold = lambda m: m["To"] == "delegate2@example.org" and not smtp.holding.is_set()
    first = _worker(app, smtp.port)
    try:
        assert smtp.holding.wait(30)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    assert [s for _to, s, _n in statuses()] == [SENT, SENT, SENDING, QUEUED, QUEUED]

    second = _worker(app, smtp.port)
    try:
        _wait(lambda: {s for _to, s, _n in statuses()} == {SENT})
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(10) == 0

    queued = {m.recipient: m.message_id for m in db.session.scalars(select(OutgoingMail))}
    arrived = [(to, m["Message-ID"]) for [to], m in smtp.received]
    # Every mail arrived; the one in doubt arrived twice under its one Message-ID, which
    # mail programs show once. No other arrived twice.
    assert sorted(set(arrived)) == sorted(queued.items())
    assert sorted(to for to, _id in arrived) == sorted(
        [f"delegate{n}@example.org" for n in range(5)] + ["delegate2@example.org"]
    )


def test_worker_runs_its_daily_jobs_once_a_day(app):
    ran = []
    worker.every_day(app, "test.job", lambda: ran.append(1))
    last_run = {}

    worker._step(app, last_run)
    worker._step(app, last_run)

    assert ran == [1]


def test_worker_with_the_database_gone_for_a_round_keeps_going(app, monkeypatch, caplog):
    queue(app)
    calls = []

    def broken(**_options):
        calls.append(1)
        raise RuntimeError("connection lost")

    monkeypatch.setattr(worker, "deliver_due", broken)
    worker._step(app, {})
    monkeypatch.undo()
    worker._step(app, {})

    assert calls == [1]
    assert "delivering mail failed" in caplog.text
    assert statuses() == [("person@example.org", SENT, 1)]


def test_prune_bodies_drops_failed_bodies_after_the_keep_days_only(app, clock):
    old, new = queue(app, to="old@example.org"), queue(app, to="new@example.org")
    db.session.execute(
        db.update(OutgoingMail).values(status=FAILED, created_at=utcnow() - timedelta(days=31))
    )
    db.session.get(OutgoingMail, new).created_at = utcnow() - timedelta(days=29)
    db.session.commit()

    with app.app_context():
        services.prune_bodies()
        db.session.commit()

    db.session.expire_all()
    assert db.session.get(OutgoingMail, old).content is None
    assert db.session.get(OutgoingMail, new).content is not None


# The Mail page ----------------------------------------------------------------------------


def _failed(app, to="nobody@example.org"):
    mail_id = queue(app, to=to)
    stored = db.session.get(OutgoingMail, mail_id)
    stored.status, stored.attempts, stored.last_error = FAILED, 20, "550 5.1.1 No such mailbox"
    db.session.commit()
    return mail_id


def test_mail_page_lists_messages_with_status_and_error(app, organiser_client):
    _failed(app)
    queue(app, to="waiting@example.org", subject="Waiting")

    page = organiser_client.get("/manage/mail/").text

    assert "2 messages" in page
    assert "nobody@example.org" in page
    assert "550 5.1.1 No such mailbox" in page
    assert "20 attempts" in page
    assert "waiting@example.org" in page
    assert page.count(">Send again<") == 1


def test_mail_page_filters_by_status_and_text(app, organiser_client):
    _failed(app)
    queue(app, to="waiting@example.org", subject="Waiting")

    failed = organiser_client.get("/manage/mail/?status=failed").text
    found = organiser_client.get("/manage/mail/?q=WAITING").text
    unknown = organiser_client.get("/manage/mail/?status=bogus&page=x").text

    assert "1 message<" in failed and "waiting@example.org" not in failed
    assert "1 message<" in found and "nobody@example.org" not in found
    assert "2 messages" in unknown


def test_mail_page_fragment_for_htmx_and_whole_page_otherwise(app, organiser_client):
    queue(app)
    headers = {**HTMX, "HX-Target": "mail-results"}

    fragment = organiser_client.get("/manage/mail/?status=queued", headers=headers).text
    page = organiser_client.get("/manage/mail/?status=queued").text

    assert fragment.lstrip().startswith('<div id="mail-results"')
    assert page.lstrip().startswith("<!doctype html>")


@pytest.mark.parametrize("role", ["delegate", "focal_point"])
def test_mail_page_refused_to_everyone_but_organisers(app, sign_in_as, client, role):
    _failed(app)
    other = sign_in_as(f"{role}@example.org", role=role)

    assert other.get("/manage/mail/").status_code == 403
    assert client.get("/manage/mail/").status_code == 302
    token = csrf_token(other.get("/account").text)
    assert other.post("/manage/mail/1/resend", data={"csrf_token": token}).status_code == 403
    assert statuses()[0][1] == FAILED


def test_mail_send_again_queues_a_failed_message_and_records_it(app, organiser_client):
    mail_id = _failed(app)
    token = csrf_token(organiser_client.get("/manage/mail/").text)

    response = organiser_client.post(
        f"/manage/mail/{mail_id}/resend?status=failed", data={"csrf_token": token}
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/manage/mail/?status=failed"
    assert statuses() == [("nobody@example.org", QUEUED, 0)]
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mail.resend"))
    assert entry.summary == "Registration approved to nobody@example.org"
    assert deliver(app) == 1
    assert statuses() == [("nobody@example.org", SENT, 1)]


def test_mail_send_again_with_htmx_swaps_the_row(app, organiser_client):
    mail_id = _failed(app)
    token = csrf_token(organiser_client.get("/manage/mail/").text)

    response = organiser_client.post(
        f"/manage/mail/{mail_id}/resend", data={"csrf_token": token}, headers=HTMX
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="mail-{mail_id}">')
    assert "Queued again." in response.text
    assert ">Send again<" not in response.text


def test_mail_send_again_refused_for_sent_unknown_and_without_token(app, organiser_client):
    sent = queue(app)
    deliver(app)
    token = csrf_token(organiser_client.get("/manage/mail/").text)
    failed = _failed(app)

    assert (
        organiser_client.post(f"/manage/mail/{sent}/resend", data={"csrf_token": token}).status_code
        == 409
    )
    assert (
        organiser_client.post("/manage/mail/999999/resend", data={"csrf_token": token}).status_code
        == 404
    )
    assert organiser_client.post(f"/manage/mail/{failed}/resend").status_code == 400
    assert [s for _to, s, _n in statuses()] == [SENT, FAILED]


def test_mail_page_warns_when_no_worker_delivers(app, organiser_client):
    mail_id = queue(app)
    db.session.get(OutgoingMail, mail_id).next_attempt_at = utcnow() - timedelta(minutes=6)
    db.session.commit()

    assert "no worker is delivering it" in organiser_client.get("/manage/mail/").text
    deliver(app)
    assert "no worker is delivering it" not in organiser_client.get("/manage/mail/").text


def test_mail_page_queries_do_not_grow_with_messages(app, organiser_client, count_queries):
    _failed(app)
    with count_queries() as few:
        organiser_client.get("/manage/mail/")
    for number in range(30):
        _failed(app, to=f"n{number}@example.org")
    with count_queries() as many:
        organiser_client.get("/manage/mail/")

    assert len(many) == len(few)


def test_mail_page_pages_fifty_at_a_time_keeping_the_filter(app, organiser_client):
    for number in range(51):
        _failed(app, to=f"n{number}@example.org")

    first = organiser_client.get("/manage/mail/?status=failed").text
    second = organiser_client.get("/manage/mail/?status=failed&page=2").text

    assert first.count('<tr id="mail-') == 50
    assert 'href="/manage/mail/?page=2&amp;status=failed&amp;q="' in first
    assert second.count('<tr id="mail-') == 1
    assert "n0@example.org" in second
