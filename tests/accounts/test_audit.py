"""The audit log: filters, pages of fifty, and never a secret in what it keeps."""

import json
import logging
import re
from datetime import datetime

import pytest

from tests.conftest import (
    OTHER_PASSWORD,
    PASSWORD,
    accept_invitation,
    csrf_token,
    link_in,
    outbox,
    path_of,
    post_form,
    send_invitation,
)
from wenevents.accounts.models import DELEGATE, LoginSession, Token
from wenevents.audit.models import AuditEntry
from wenevents.audit.services import PAGE_SIZE
from wenevents.extensions import db
from wenevents.mail.models import OutgoingMail

RESULTS = {"HX-Request": "true", "HX-Target": "audit-results"}


def _entry(action, actor="", at=datetime(2024, 3, 10, 12, 0), summary=""):
    return AuditEntry(action=action, actor_email=actor, at=at, summary=summary or action)


def _actions(fragment):
    return re.findall(r"<td><code>([^<]+)</code></td>", fragment)


@pytest.fixture
def entries(organiser):
    db.session.add_all(
        [
            _entry("user.create", "org@example.org", datetime(2024, 3, 1, 9, 0)),
            _entry("user.disable", "other@example.org", datetime(2024, 3, 2, 23, 59)),
            _entry("login.failure", "", datetime(2024, 3, 3, 0, 0)),
            _entry("userland.odd", "org@example.org", datetime(2024, 3, 4, 8, 0)),
            _entry("network.update", "fp@example.org", datetime(2024, 3, 5, 10, 0)),
        ]
    )
    db.session.commit()


def test_audit_filter_by_action_prefix(client, entries):
    fragment = client.get("/manage/audit/", query_string={"action": "user."}, headers=RESULTS)

    assert fragment.text.lstrip().startswith('<div id="audit-results"')
    assert _actions(fragment.text) == ["user.disable", "user.create"]
    assert "2 entries" in fragment.text


def test_audit_filter_by_exact_action(client, entries):
    fragment = client.get(
        "/manage/audit/", query_string={"action": "login.failure"}, headers=RESULTS
    ).text

    assert _actions(fragment) == ["login.failure"]


def test_audit_filter_offers_prefixes_and_actions(client, entries):
    page = client.get("/manage/audit/").text

    options = re.findall(r'<option value="([^"]*)"', page)
    assert options == [
        "",
        "login",
        "login.failure",
        "login.success",
        "network",
        "network.update",
        "user",
        "user.create",
        "user.disable",
        "userland",
        "userland.odd",
    ]


def test_audit_filter_by_actor(client, entries):
    fragment = client.get("/manage/audit/", query_string={"actor": "OTHER@"}, headers=RESULTS).text

    assert _actions(fragment) == ["user.disable"]
    assert "<td>other@example.org</td>" in fragment


def test_audit_filter_by_actor_treats_wildcards_as_text(client, entries):
    fragment = client.get("/manage/audit/", query_string={"actor": "%"}, headers=RESULTS).text

    assert _actions(fragment) == []
    assert "0 entries" in fragment


def test_audit_filter_by_dates_includes_both_days(client, entries):
    fragment = client.get(
        "/manage/audit/",
        query_string={"from": "2024-03-02", "to": "2024-03-04"},
        headers=RESULTS,
    ).text

    assert _actions(fragment) == ["userland.odd", "login.failure", "user.disable"]


def test_audit_filter_by_invalid_date_is_ignored(client, entries):
    response = client.get(
        "/manage/audit/", query_string={"from": "2024-13-45", "to": "not a day"}, headers=RESULTS
    )

    assert response.status_code == 200
    assert "6 entries" in response.text  # the five, and the organiser's sign-in


def test_audit_filters_combine(client, entries):
    fragment = client.get(
        "/manage/audit/",
        query_string={"action": "user", "actor": "org@", "to": "2024-03-03"},
        headers=RESULTS,
    ).text

    assert _actions(fragment) == ["user.create"]


def test_audit_pages_by_fifty_newest_first(client, organiser):
    db.session.add_all(
        _entry("test.entry", at=datetime(2024, 1, 1, 0, 0), summary=f"entry {n:03d}")
        for n in range(2 * PAGE_SIZE + 10)
    )
    db.session.commit()
    query = {"action": "test"}

    first = client.get("/manage/audit/", query_string=query, headers=RESULTS).text
    last = client.get("/manage/audit/", query_string={**query, "page": 3}, headers=RESULTS).text
    beyond = client.get("/manage/audit/", query_string={**query, "page": 9}, headers=RESULTS).text

    assert "110 entries" in first
    assert len(_actions(first)) == PAGE_SIZE
    assert "<td>entry 109</td>" in first  # same time: the newest id first
    assert "Page 1 of 3" in first
    assert 'href="/manage/audit/?page=2&amp;action=test&amp;actor=&amp;from=&amp;to="' in first
    assert "Newer" not in first
    assert len(_actions(last)) == 10
    assert "<td>entry 000</td>" in last
    assert "Page 3 of 3" in last
    assert "Older" not in last
    assert _actions(beyond) == []


def test_audit_records_sign_in_with_address(client, organiser):
    page = client.get("/manage/audit/", headers=RESULTS).text

    assert _actions(page) == ["login.success"]
    assert "<td>org@example.org</td>" in page
    assert "<td>127.0.0.1</td>" in page


def _session_token(app, client):
    """The raw sign-in token inside a client's (signed, not encrypted) session cookie."""
    cookie = client.get_cookie("session")
    if cookie is None:
        return None
    data = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    return data.get("_user_id")


def test_audit_tables_and_logs_hold_no_secret_after_full_flow(
    app, client, auth, new_auth, make_user, caplog
):
    caplog.set_level(logging.DEBUG)
    invitee_password, reset_password = OTHER_PASSWORD, "seven silver otters paddle home at dusk"
    wrong_password = "not the right password 42"
    secrets, cookies = {PASSWORD, invitee_password, reset_password, wrong_password}, []
    invitee = new_auth()

    def remember(*clients):
        for c in clients:
            if c.get_cookie("session"):
                cookies.append(c.get_cookie("session").value)
                secrets.add(_session_token(app, c) or "")

    make_user("org@example.org")
    auth.login("org@example.org", wrong_password)
    auth.login("nobody@example.org", wrong_password)
    auth.login("org@example.org")
    remember(client)
    secrets.add(csrf_token(client.get("/account").text))
    send_invitation(client, "new@example.org", DELEGATE)
    invite_link = link_in(outbox(app)[0])
    accept_invitation(invitee.client, invite_link, "Nina New", invitee_password)
    remember(invitee.client)
    post_form(invitee.client, "/forgot-password", {"email": "new@example.org"})
    [reset_mail] = [m for m in outbox(app) if m["Subject"] == "Reset your wenevents password"]
    reset_link = link_in(reset_mail)
    invitee.client.get(path_of(reset_link))
    remember(invitee.client)
    post_form(
        invitee.client,
        "/reset-password",
        {"password": reset_password, "confirm": reset_password},
    )
    invitee.login("new@example.org", reset_password)
    remember(invitee.client)
    post_form(
        invitee.client,
        "/account",
        {"current": reset_password, "password": invitee_password, "confirm": invitee_password},
    )
    remember(invitee.client)
    invitee.logout()
    auth.logout()
    raw_tokens = {invite_link.rsplit("/", 1)[1], reset_link.rsplit("/", 1)[1]}
    secrets |= raw_tokens | set(cookies)
    secrets.discard("")

    entries = db.session.query(AuditEntry).all()
    kept = [
        " ".join([e.action, e.summary, e.actor_email, e.target_id, e.ip, json.dumps(e.details)])
        for e in entries
    ]
    # Delivered mail keeps its address and subject, not its body (the links).
    sent = db.session.query(OutgoingMail).all()
    assert [(m.status, m.content) for m in sent] == [("sent", None), ("sent", None)]
    kept += [f"{m.recipient} {m.subject} {m.last_error}" for m in sent]
    stored_hashes = {t.token_hash for t in db.session.query(Token)} | {
        s.token_hash for s in db.session.query(LoginSession)
    }

    assert {e.action for e in entries} >= {
        "login.failure",
        "login.success",
        "user.invite",
        "user.create",
        "user.invitation_accepted",
        "password.reset_requested",
        "password.reset",
        "password.change",
        "logout",
    }
    assert len(raw_tokens) == 2
    assert len(cookies) >= 4
    leaks = [(secret, text) for secret in secrets for text in kept if secret in text]
    assert leaks == []
    assert not stored_hashes & secrets
    assert [secret for secret in secrets if secret in caplog.text] == []
    assert "mail 1 sent (invitation)" in caplog.text
