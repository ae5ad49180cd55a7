"""Answers never tell whether an email address has an account."""

import pytest

from tests.conftest import (
    PASSWORD,
    audit_entries,
    counts,
    csrf_token,
    outbox,
    post_form,
    without_csrf,
)
from wenevents.accounts import services
from wenevents.accounts.models import DELEGATE

FAILURE = "The email address or the password is wrong, or the account is disabled."


def _login_page(auth, email, password):
    response = auth.login(email, password)
    # The form shows the address typed back; the rest of the page must be the same.
    return response.status_code, without_csrf(response.text).replace(email, "EMAIL")


def test_login_known_and_unknown_email_give_same_answer(auth, make_user):
    make_user("known@example.org")

    known = _login_page(auth, "known@example.org", "wrong password here")
    unknown = _login_page(auth, "unknown@example.org", "wrong password here")

    assert known[0] == unknown[0] == 200
    assert FAILURE in known[1]
    assert known == unknown


def test_login_disabled_account_with_right_password_gives_same_answer(auth, make_user):
    make_user("disabled@example.org", DELEGATE, disabled=True)

    disabled = _login_page(auth, "disabled@example.org", PASSWORD)
    unknown = _login_page(auth, "unknown@example.org", PASSWORD)

    assert disabled == unknown
    assert auth.is_signed_in() is False


def test_forgot_password_known_and_unknown_email_give_same_answer(app, new_auth, make_user):
    make_user("known@example.org")

    known = post_form(new_auth().client, "/forgot-password", {"email": "known@example.org"})
    unknown = post_form(new_auth().client, "/forgot-password", {"email": "unknown@example.org"})

    assert known.status_code == unknown.status_code == 200
    assert "If an account uses this address, we have sent it a link" in known.text
    assert without_csrf(known.text) == without_csrf(unknown.text)
    assert [m["To"] for m in outbox(app)] == ["known@example.org"]


def _forgot_unclosed(client, email):
    """POST the reset request; the response is left open, as while it is being sent."""
    token = csrf_token(client.get("/forgot-password").text)
    return client.post(
        "/forgot-password", data={"csrf_token": token, "email": email}, buffered=False
    )


def test_forgot_password_does_the_same_work_for_known_and_unknown_address(
    app, new_auth, make_user, count_queries, monkeypatch
):
    """By construction, not by a stopwatch: until the answer has gone, a known and an
    unknown address run the same statements and the same functions (none that look the
    address up); the lookup, token, audit entry and mail all come after."""
    make_user("known@example.org")
    looked_up = []
    find_user = services.find_user
    monkeypatch.setattr(
        services, "find_user", lambda email: looked_up.append(email) or find_user(email)
    )
    during, after = {}, {}

    for address in ("known@example.org", "unknown@example.org"):
        client = new_auth().client
        before, mails = counts(), len(outbox(app))
        with count_queries() as statements:
            response = _forgot_unclosed(client, address)
        during[address] = (
            statements,
            list(looked_up),
            counts() == before,
            len(outbox(app)) - mails,
        )
        response.close()  # the server has sent the answer: the work runs now
        after[address] = (list(looked_up), len(outbox(app)) - mails)
        looked_up.clear()

    assert during["known@example.org"] == during["unknown@example.org"] == ([], [], True, 0)
    assert after["known@example.org"] == (["known@example.org"], 1)
    assert after["unknown@example.org"] == (["unknown@example.org"], 0)
    [entry] = audit_entries("password.reset_requested")
    assert entry.ip == "127.0.0.1"


@pytest.mark.parametrize(("hours", "said"), [(1, "for 1 hour."), (24, "for 24 hours.")])
def test_forgot_password_answer_says_hours_in_the_right_plural(app, new_auth, hours, said):
    app.config["RESET_HOURS"] = hours

    answer = post_form(new_auth().client, "/forgot-password", {"email": "nobody@example.org"})

    assert f"The link works once, {said}</p>" in answer.text
