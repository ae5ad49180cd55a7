"""Sign-in attempts are limited per account (whatever the address) and per address; the
client address comes from X-Forwarded-For only behind a trusted proxy."""

import time

import pytest

from tests.conftest import PASSWORD, audit_entries, without_csrf

WINDOW = 6  # seconds: "9 per 6 second" (room for a loaded machine)
FAILURE = "The email address or the password is wrong, or the account is disabled."


@pytest.mark.parametrize(
    "app_config",
    [{"LOGIN_LIMIT_PER_ACCOUNT": f"9 per {WINDOW} second", "TRUSTED_PROXY_COUNT": 1}],
)
def test_login_wrong_passwords_from_many_addresses_are_limited_per_account(auth, make_user):
    make_user("org@example.org")
    started = time.monotonic()

    responses, last_counted = [], None
    for n in range(1, 21):
        responses.append(
            auth.login(
                "org@example.org",
                f"wrong password number {n}",
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            )
        )
        if n == 9:
            last_counted = time.monotonic()  # the window is counted from here
    right_during_lockout = auth.login(
        "org@example.org", PASSWORD, headers={"X-Forwarded-For": "203.0.113.99"}
    )
    blocked_for = time.monotonic() - started

    assert [r.status_code for r in responses] == [200] * 9 + [429] * 11
    assert FAILURE in responses[0].text
    assert {without_csrf(r.text) for r in responses[:9]} == {without_csrf(responses[0].text)}
    assert all(1 <= int(r.headers["Retry-After"]) <= WINDOW for r in responses[9:])
    assert all("Too many attempts" in r.text for r in responses[9:])
    assert right_during_lockout.status_code == 429
    assert blocked_for < WINDOW  # else the window ended during the test: counts are moot
    assert len(audit_entries("login.failure")) == 9

    # Under load the guesses take a while: wait a window after the last one counted.
    time.sleep(max(0, WINDOW + 0.2 - (time.monotonic() - last_counted)))
    after = auth.login("org@example.org", PASSWORD, headers={"X-Forwarded-For": "203.0.113.1"})

    assert after.status_code == 303
    assert auth.is_signed_in() is True


@pytest.mark.parametrize("app_config", [{"LOGIN_LIMIT_PER_ACCOUNT": "3 per minute"}])
def test_login_successes_do_not_count_toward_account_limit(auth, make_user):
    make_user("org@example.org")

    statuses = []
    for _ in range(5):
        statuses.append(auth.login("org@example.org").status_code)
        auth.logout()

    assert statuses == [303] * 5


@pytest.mark.parametrize("app_config", [{"LOGIN_LIMIT_PER_IP": "3 per minute"}])
def test_login_attempts_from_one_address_are_limited_across_accounts(auth):
    statuses = [
        auth.login(f"person{n}@example.org", "wrong password here").status_code for n in range(1, 5)
    ]

    assert statuses == [200, 200, 200, 429]


@pytest.mark.parametrize(
    "app_config, forwarded, expected_ip",
    [
        ({"TRUSTED_PROXY_COUNT": 1}, "203.0.113.7", "203.0.113.7"),
        ({"TRUSTED_PROXY_COUNT": 1}, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        ({"TRUSTED_PROXY_COUNT": 0}, "203.0.113.7", "127.0.0.1"),
    ],
)
def test_client_address_from_x_forwarded_for_only_behind_trusted_proxy(
    auth, forwarded, expected_ip
):
    auth.login("nobody@example.org", "wrong password here", headers={"X-Forwarded-For": forwarded})

    assert [entry.ip for entry in audit_entries("login.failure")] == [expected_ip]


@pytest.mark.parametrize(
    "app_config", [{"TRUSTED_PROXY_COUNT": 0, "LOGIN_LIMIT_PER_IP": "3 per minute"}]
)
def test_x_forwarded_for_without_trusted_proxy_does_not_dodge_address_limit(auth):
    statuses = [
        auth.login(
            f"person{n}@example.org",
            "wrong password here",
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        ).status_code
        for n in range(1, 5)
    ]

    assert statuses == [200, 200, 200, 429]
