"""Answers never tell whether an email address has an account."""

from tests.accounts.conftest import PASSWORD, outbox, post_form, without_csrf
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
