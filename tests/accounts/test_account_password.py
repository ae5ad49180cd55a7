"""*My account*: a wrong current password is audited and limited per account, in the same
budget as failed sign-ins (whoever sits at an unattended session may be guessing it)."""

import pytest

from tests.conftest import (
    OTHER_PASSWORD,
    PASSWORD,
    audit_entries,
    csrf_token,
    field_error,
)
from wenevents.accounts import passwords
from wenevents.accounts.models import DELEGATE, User
from wenevents.extensions import db

LIMIT = {"LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes"}
WRONG = "This is not your current password."


def _change(client, current, new=OTHER_PASSWORD):
    token = csrf_token(client.get("/account").text)
    return client.post(
        "/account",
        data={"csrf_token": token, "current": current, "password": new, "confirm": new},
    )


@pytest.fixture
def person(make_user, auth):
    user = make_user("person@example.org", DELEGATE)
    auth.login("person@example.org")
    return user


@pytest.mark.parametrize("app_config", [LIMIT])
def test_wrong_current_passwords_are_limited_per_account_and_audited(auth, person):
    responses = [_change(auth.client, f"wrong guess number {n}") for n in range(5)]
    right = _change(auth.client, PASSWORD)

    assert [r.status_code for r in responses] == [200, 200, 200, 429, 429]
    assert field_error(responses[0].text, "current") == WRONG
    assert all("Too many attempts" in r.text for r in responses[3:])
    assert all(int(r.headers["Retry-After"]) > 0 for r in responses[3:])
    assert right.status_code == 429
    assert passwords.verify(db.session.get(User, person.id).password_hash, PASSWORD)
    entries = audit_entries("password.change_failure")
    assert [(e.actor_email, e.target_id, e.summary) for e in entries] == [
        ("person@example.org", str(person.id), "Wrong current password")
    ] * 3


@pytest.mark.parametrize("app_config", [LIMIT])
def test_wrong_current_passwords_and_failed_sign_ins_share_one_budget(auth, new_auth, person):
    elsewhere = new_auth()
    elsewhere.login("person@example.org", "a wrong sign-in guess")
    elsewhere.login("person@example.org", "another wrong sign-in guess")

    last = _change(auth.client, "a wrong current password")
    blocked = elsewhere.login("person@example.org", PASSWORD)

    assert last.status_code == 200
    assert blocked.status_code == 429


@pytest.mark.parametrize("app_config", [LIMIT])
def test_only_wrong_current_passwords_count(auth, person):
    """A weak new password is the person's own mistake, not a guess: it never locks."""
    weak = [_change(auth.client, PASSWORD, new="short") for _ in range(4)]
    changed = _change(auth.client, PASSWORD)

    assert [r.status_code for r in weak] == [200] * 4
    assert field_error(weak[0].text, "password") == "Use at least 12 characters."
    assert changed.status_code == 303
    assert audit_entries("password.change_failure") == []


@pytest.mark.parametrize("app_config", [LIMIT])
def test_another_accounts_budget_is_its_own(auth, new_auth, make_user, person):
    for n in range(3):
        _change(auth.client, f"wrong guess number {n}")
    make_user("other@example.org", DELEGATE)
    other = new_auth()

    assert other.login("other@example.org").status_code == 303
    assert _change(other.client, PASSWORD).status_code == 303
