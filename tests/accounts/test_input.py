"""Hostile input: 10,000-character fields, NUL bytes and invalid UTF-8 get a message at the
field (or a 400 page saying what is wrong), never a 500, and nothing is stored."""

from urllib.parse import quote_from_bytes

import pytest

from tests.conftest import (
    PASSWORD,
    counts,
    csrf_token,
    field_error,
    link_in,
    outbox,
    path_of,
    send_invitation,
)
from wenevents.accounts.models import DELEGATE, Token
from wenevents.extensions import db

LONG = "a" * 10_000
NOT_TEXT = "This contains characters that are not valid text."
CSRF_MESSAGE = "This form has expired or was not sent from this site."
# A NUL byte anywhere in a form is refused whole, before any form reads it (web.py).
NUL_REFUSED = "What was sent contains a character that is not allowed (such as a NUL byte)."


def _urlencoded(fields):
    """A form body from raw bytes: values are sent as given, not percent-encoded."""
    return b"&".join(name.encode() + b"=" + value for name, value in fields.items())


def _multipart(fields):
    boundary = b"wenevents-test-boundary"
    parts = [
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n' + value + b"\r\n"
        for name, value in fields.items()
    ]
    body = b"".join(parts) + b"--" + boundary + b"--\r\n"
    return body, f"multipart/form-data; boundary={boundary.decode()}"


def _post_raw(client, page, path, fields, multipart=False):
    """POST ``fields`` (bytes values) with the CSRF token of ``page``."""
    fields = {"csrf_token": csrf_token(client.get(page).text).encode(), **fields}
    if multipart:
        body, content_type = _multipart(fields)
    else:
        body, content_type = _urlencoded(fields), "application/x-www-form-urlencoded"
    return client.post(path, data=body, content_type=content_type)


def _encode(value):
    return quote_from_bytes(value.encode()).encode()


# Sign-in --------------------------------------------------------------------------------

LOGIN_CASES = [
    # The field shows its first problem; the next shows once that one is fixed.
    ("email", LONG, "Field cannot be longer than 320 characters."),
    ("password", LONG, "Field cannot be longer than 1024 characters."),
]


@pytest.mark.parametrize("field, value, message", LOGIN_CASES, ids=["long-email", "long-pw"])
def test_login_hostile_field_shows_message_at_field(client, make_user, field, value, message):
    make_user("org@example.org")
    fields = {"email": _encode("org@example.org"), "password": _encode(PASSWORD)}
    fields[field] = _encode(value)
    before = counts()

    response = _post_raw(client, "/login", "/login", fields)

    assert response.status_code == 200
    assert field_error(response.text, field) == message
    assert counts() == before


@pytest.mark.parametrize(
    "field, value", [("email", "org\x00@example.org"), ("password", PASSWORD + "\x00")]
)
def test_login_nul_byte_is_refused_whole(client, make_user, field, value):
    make_user("org@example.org")
    fields = {"email": _encode("org@example.org"), "password": _encode(PASSWORD)}
    fields[field] = _encode(value)
    before = counts()

    response = _post_raw(client, "/login", "/login", fields)

    assert response.status_code == 400
    assert NUL_REFUSED in response.text
    assert counts() == before


def test_login_invalid_utf8_is_bad_request(client, make_user):
    make_user("org@example.org")
    before = counts()

    response = _post_raw(
        client, "/login", "/login", {"email": b"org\xff\xfe@example.org", "password": b"x\xff\xfe"}
    )

    assert response.status_code == 400
    assert "What was sent contains bytes that are not valid text." in response.text
    assert counts() == before


def test_login_invalid_utf8_in_multipart_shows_message_at_field(client, make_user):
    make_user("org@example.org")
    before = counts()

    response = _post_raw(
        client,
        "/login",
        "/login",
        {"email": b"org\xff\xfe@example.org", "password": PASSWORD.encode()},
        multipart=True,
    )

    assert response.status_code == 200
    assert field_error(response.text, "email") == NOT_TEXT
    assert counts() == before


# Forgot password ------------------------------------------------------------------------

FORGOT_CASES = [
    (
        _encode(LONG),
        False,
        200,
        "Field cannot be longer than 320 characters.",
    ),
    (_encode("org\x00@example.org"), False, 400, None),
    (b"org\xff\xfe@example.org", False, 400, None),
    (b"org\xff\xfe@example.org", True, 200, NOT_TEXT),
]


@pytest.mark.parametrize(
    "value, multipart, status, message",
    FORGOT_CASES,
    ids=["long", "nul", "invalid-utf8", "invalid-utf8-multipart"],
)
def test_forgot_password_hostile_email_is_refused_and_sends_nothing(
    app, client, make_user, value, multipart, status, message
):
    make_user("org@example.org")
    before = counts()

    response = _post_raw(
        client, "/forgot-password", "/forgot-password", {"email": value}, multipart
    )

    assert response.status_code == status
    assert field_error(response.text, "email") == message
    assert "we have sent it a link" not in response.text
    assert counts() == before
    assert outbox(app) == []


# Accepting an invitation ----------------------------------------------------------------

NAME_CASES = [
    (
        _encode(LONG),
        False,
        200,
        "Field cannot be longer than 200 characters.",
    ),
    (_encode("Ana\x00Silva"), False, 400, None),
    (b"Ana \xff\xfe Silva", False, 400, None),
    (b"Ana \xff\xfe Silva", True, 200, NOT_TEXT),
]


@pytest.mark.parametrize(
    "name, multipart, status, message",
    NAME_CASES,
    ids=["long", "nul", "invalid-utf8", "invalid-utf8-multipart"],
)
def test_invitation_accept_hostile_name_is_refused_and_stores_nothing(
    app, auth, new_auth, make_user, name, multipart, status, message
):
    make_user("org@example.org")
    auth.login("org@example.org")
    send_invitation(auth.client, "invitee@example.org", DELEGATE)
    invitee = new_auth().client
    invitee.get(path_of(link_in(outbox(app)[0])))
    before = counts()

    response = _post_raw(
        invitee,
        "/invitations/accept",
        "/invitations/accept",
        {"name": name, "password": _encode(PASSWORD), "confirm": _encode(PASSWORD)},
        multipart,
    )

    assert response.status_code == status
    assert field_error(response.text, "name") == message
    assert counts() == before
    assert db.session.query(Token).one().used_at is None


def test_invitation_accept_nul_in_password_is_refused_whole(app, auth, new_auth, make_user):
    make_user("org@example.org")
    auth.login("org@example.org")
    send_invitation(auth.client, "invitee@example.org", DELEGATE)
    invitee = new_auth().client
    invitee.get(path_of(link_in(outbox(app)[0])))
    before = counts()
    password = _encode(PASSWORD + "\x00")

    response = _post_raw(
        invitee,
        "/invitations/accept",
        "/invitations/accept",
        {"name": b"Ana Silva", "password": password, "confirm": password},
    )

    assert response.status_code == 400
    assert NUL_REFUSED in response.text
    assert counts() == before
