"""Real concurrent HTTP requests against a threaded server, on SQLite and on PostgreSQL
(WENEVENTS_TEST_DATABASE_URL): the last seats are never given twice, nothing is lost,
the waiting list keeps its order, and one address is one registration."""

import hashlib
import http.client
import itertools
import logging
import re
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from tests.conftest import PASSWORD
from tests.registration.conftest import form_data, registration_of, registrations
from wenevents.accounts import passwords
from wenevents.accounts.models import DELEGATE, LoginSession, User
from wenevents.audit.models import AuditEntry
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.registration.models import (
    SUBMITTED,
    UNCONFIRMED,
    WAITLISTED,
    Registration,
    RegistrationEvent,
)

WORKERS = 50
TIMEOUT = 60  # seconds a single request may take before the test gives up on it
# A new account chooses its password on the confirm page.
CHOSEN = {"password": PASSWORD, "confirm": PASSWORD}
_CSRF = re.compile(r'name="csrf_token"[^>]*\bvalue="([^"]+)"')


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """These tests time the seat lock, not scrypt: each new account chooses its password on
    confirming, and 200 full-cost hashes would be 20 s of CPU on their own. A cheap scrypt
    here; the password is checked and stored exactly as otherwise."""
    monkeypatch.setattr(
        passwords, "hash_password", lambda p: generate_password_hash(p, method="scrypt:1024:8:1")
    )


@pytest.fixture
def live_server(app):
    """The test's app served by a real threaded HTTP server: ``(host, port)``."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[:2]
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def server_log(caplog):
    """Everything the server and the app logged at WARNING or above (500s, tracebacks)."""
    caplog.set_level(logging.WARNING)
    return caplog


class Browser:
    """One person's browser: its own cookies, a new connection per request."""

    def __init__(self, address):
        self.address = address
        self.cookies = {}

    def request(self, method, path, form=None, headers=None):
        connection = http.client.HTTPConnection(*self.address, timeout=TIMEOUT)
        try:
            headers = {"Connection": "close", **(headers or {})}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            body = None
            if form is not None:
                body = urlencode(form, doseq=True)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.headers, text
        finally:
            connection.close()

    def csrf_token(self, page):
        match = _CSRF.search(page)
        assert match, "no CSRF token in the page"
        return match.group(1)


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _person(meeting, email, given_name, **values):
    return Registration(
        meeting_id=meeting.id,
        email=email,
        given_name=given_name,
        family_name="Example",
        organisation="Customs Service",
        country_code="PA",
        participation_role="observer",
        arrival_date=meeting.start_date - timedelta(days=1),
        departure_date=meeting.end_date,
        **values,
    )


def _unconfirmed(meeting, n, token):
    """Registered, its confirmation link (with this raw token) not yet followed."""
    registration = _person(
        meeting,
        f"person{n:03d}@example.org",
        f"Person{n:03d}",
        status=UNCONFIRMED,
        confirm_token_hash=_digest(token),
    )
    registration.events.append(RegistrationEvent(from_status="", to_status=UNCONFIRMED))
    return registration


def _seated(meeting, n):
    return _person(
        meeting, f"seated{n:03d}@example.org", "Seated", status=SUBMITTED, confirmed_at=utcnow()
    )


# (a) The last ten seats ---------------------------------------------------------------------

CAPACITY = 50
FREE = 10
PEOPLE = 200


@pytest.mark.parametrize("settings_overrides", [{"capacity": CAPACITY}])
def test_two_hundred_confirm_at_once_for_the_last_ten_seats(app, meeting, live_server, server_log):
    db.session.add_all(_seated(meeting, n) for n in range(CAPACITY - FREE))
    tokens = [f"t{n:03d}-{secrets.token_urlsafe(24)}" for n in range(PEOPLE)]
    db.session.add_all(_unconfirmed(meeting, n, token) for n, token in enumerate(tokens))
    db.session.commit()
    meeting_id = meeting.id
    barrier = threading.Barrier(WORKERS, timeout=TIMEOUT)

    def confirm(token):
        browser = Browser(live_server)
        status, headers, _ = browser.request("GET", f"/registrations/confirm/{token}")
        assert (status, headers["Location"]) == (303, "/registrations/confirm"), status
        status, _headers, page = browser.request("GET", "/registrations/confirm")
        assert status == 200, status
        token_field = browser.csrf_token(page)
        barrier.wait()  # every worker's POST leaves at the same moment
        started = time.monotonic()
        status, headers, text = browser.request(
            "POST", "/registrations/confirm", form={"csrf_token": token_field, **CHOSEN}
        )
        elapsed = time.monotonic() - started
        mine = browser.request("GET", headers.get("Location", "/")) if status == 303 else None
        return status, headers.get("Location"), text, elapsed, mine

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(confirm, tokens))
    duration = time.monotonic() - started
    slowest = max(elapsed for _s, _l, _t, elapsed, _m in results)
    print(f"\n{PEOPLE} confirmations in {duration:.1f} s; slowest POST {slowest:.2f} s")

    db.session.expire_all()
    answers = [status for status, *_ in results]
    assert 500 not in answers
    assert "database is locked" not in " ".join(text for _s, _l, text, _e, _m in results)
    assert "database is locked" not in server_log.text
    assert [r.getMessage() for r in server_log.records if r.levelno >= logging.ERROR] == []
    assert answers == [303] * PEOPLE
    assert {location for _s, location, *_ in results} == {f"/{meeting.acronym}/registration"}
    # Each person is signed in and sees their registration.
    assert [mine[0] for *_rest, mine in results] == [200] * PEOPLE

    people = [r for r in registrations(meeting) if r.email.startswith("person")]
    assert len(people) == PEOPLE
    by_status = {}
    for registration in people:
        by_status.setdefault(registration.status, []).append(registration)
    assert {status: len(found) for status, found in by_status.items()} == {
        SUBMITTED: FREE,
        WAITLISTED: PEOPLE - FREE,
    }
    seats = db.session.scalar(
        select(func.count()).where(
            Registration.meeting_id == meeting_id, Registration.status == SUBMITTED
        )
    )
    assert seats == CAPACITY

    # The waiting list's order is strict, and it is the order the seats were handed out in:
    # everyone seated confirmed before anyone waiting.
    waiting = sorted(by_status[WAITLISTED], key=lambda r: r.waitlisted_at)
    times = [r.waitlisted_at for r in waiting]
    assert None not in times
    assert all(earlier < later for earlier, later in itertools.pairwise(times))
    assert [r.id for r in waiting] == [
        r.id for r in sorted(by_status[WAITLISTED], key=lambda r: r.confirmed_at)
    ]
    assert max(r.confirmed_at for r in by_status[SUBMITTED]) < min(r.confirmed_at for r in waiting)
    # Nothing lost: every one confirmed once, with an account, a history step and a mail.
    for registration in people:
        assert registration.confirmed_at is not None
        assert registration.confirm_token_hash is None
        assert registration.user is not None and registration.user.role == DELEGATE
        steps = [(e.from_status, e.to_status) for e in registration.events]
        assert steps == [("", UNCONFIRMED), (UNCONFIRMED, registration.status)]
    assert db.session.scalar(select(func.count()).select_from(User)) == PEOPLE
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == PEOPLE


# (b) One address, twenty times at once ------------------------------------------------------

TWICE = 20
ROUNDS = 3  # separate addresses, each sent TWICE times at once: a race missed once is rare


@pytest.fixture
def same_address_bursts(app, meeting, live_server):
    """Each of ROUNDS addresses registered TWICE times at once by separate browsers:
    ``{address: [(status, headers, text), …]}`` and the time it took."""
    addresses = [f"same{n}@example.org" for n in range(ROUNDS)]
    barrier = threading.Barrier(TWICE, timeout=TIMEOUT)

    forms = {
        a: [form_data(meeting, email=a, given_name=f"Try{n}") for n in range(TWICE)]
        for a in addresses
    }

    def register(address, n):
        browser = Browser(live_server)
        status, _headers, page = browser.request("GET", f"/{meeting.acronym}/register")
        assert status == 200, status
        token = browser.csrf_token(page)
        barrier.wait()
        return browser.request(
            "POST",
            f"/{meeting.acronym}/register",
            form={**forms[address][n], "csrf_token": token},
        )

    started = time.monotonic()
    results = {}
    with ThreadPoolExecutor(max_workers=TWICE) as pool:
        for address in addresses:
            results[address] = list(pool.map(register, [address] * TWICE, range(TWICE)))
    duration = time.monotonic() - started
    print(f"\n{ROUNDS} x {TWICE} registrations of one address in {duration:.1f} s")
    db.session.expire_all()
    return results, duration


def test_same_address_twenty_times_at_once_is_one_registration(meeting, same_address_bursts):
    results, _duration = same_address_bursts

    for address in results:
        [registration] = [r for r in registrations(meeting) if r.email == address]
        assert registration.status == UNCONFIRMED
    assert len(registrations(meeting)) == ROUNDS


def test_same_address_twenty_times_at_once_answers_200_every_time(same_address_bursts, server_log):
    results, _duration = same_address_bursts

    for address, answers in results.items():
        assert [status for status, *_ in answers] == [200] * TWICE, address
        assert all("Check your email" in text for _s, _h, text in answers)
    assert "database is locked" not in server_log.text
    assert [r.getMessage() for r in server_log.records if r.levelno >= logging.ERROR] == []


# (c) One confirmation, pressed many times at once (a double click, a reload) -----------------

PRESSES = 20
CONFIRM_ROUNDS = 6  # separate registrations: on SQLite one round alone may miss the race


@pytest.fixture
def confirmation_bursts(app, meeting, live_server):
    """Each of CONFIRM_ROUNDS registrations confirmed PRESSES times at once from one
    browser session: ``{email: [(status, headers, text), …]}``."""
    barrier = threading.Barrier(PRESSES, timeout=TIMEOUT)
    results = {}
    with ThreadPoolExecutor(max_workers=PRESSES) as pool:
        for n in range(CONFIRM_ROUNDS):
            token = secrets.token_urlsafe(24)
            db.session.add(_unconfirmed(meeting, n, token))
            db.session.commit()
            browser = Browser(live_server)
            browser.request("GET", f"/registrations/confirm/{token}")
            _status, _headers, page = browser.request("GET", "/registrations/confirm")
            csrf = browser.csrf_token(page)

            cookies = dict(browser.cookies)

            def press(_n, cookies=cookies, csrf=csrf):
                tab = Browser(live_server)  # the same session, as a double click sends it
                tab.cookies = dict(cookies)
                barrier.wait()
                return tab.request(
                    "POST", "/registrations/confirm", form={"csrf_token": csrf, **CHOSEN}
                )

            results[f"person{n:03d}@example.org"] = list(pool.map(press, range(PRESSES)))
    db.session.expire_all()
    return results


def test_one_confirmation_pressed_many_times_at_once_confirms_once(meeting, confirmation_bursts):
    for email, answers in confirmation_bursts.items():
        assert 303 in [status for status, *_ in answers], email
        registration = registration_of(meeting, email)
        assert registration.status == SUBMITTED
        assert [(e.from_status, e.to_status) for e in registration.events] == [
            ("", UNCONFIRMED),
            (UNCONFIRMED, SUBMITTED),
        ]
    assert db.session.scalar(select(func.count()).select_from(User)) == CONFIRM_ROUNDS
    # Each account's first password was set once, by one of the presses.
    chosen = db.session.scalars(
        select(AuditEntry.target_id).where(AuditEntry.action == "password.choose")
    ).all()
    assert len(chosen) == len(set(chosen)) == CONFIRM_ROUNDS


def test_one_confirmation_pressed_many_times_at_once_never_answers_500(
    confirmation_bursts, server_log
):
    for email, answers in confirmation_bursts.items():
        assert sorted({status for status, *_ in answers}) in ([303], [303, 400]), email
    assert [r.getMessage() for r in server_log.records if r.levelno >= logging.ERROR] == []
