"""Long forms other than registration start with the same error summary after a failed
submit: the invitation and My account (the macro is shared, see
tests/registration/test_error_summary.py)."""

from tests.conftest import post_form, send_invitation
from tests.registration.test_error_summary import field_ids, summary


def test_failed_invitation_starts_with_summary_linking_the_address(client, organiser):
    response = send_invitation(client, "not an address", "organiser")

    heading, links, tabindex = summary(response.text)
    assert (heading, tabindex) == ("There is 1 problem", "-1")
    assert [href for href, _text in links] == ["#email"]
    assert "email" in field_ids(response.text)


def test_failed_password_change_starts_with_summary_linking_the_field(client, organiser):
    data = {"current": "wrong password", "password": "short", "confirm": "other"}

    response = post_form(client, "/account", data)

    heading, links, _tabindex = summary(response.text)
    assert response.status_code == 200
    assert (heading, links) == (
        "There is 1 problem",
        [("#confirm", "Repeat the new password: The two passwords differ.")],
    )
    assert "confirm" in field_ids(response.text)


def test_account_page_before_a_submit_has_no_summary(client, organiser):
    assert summary(client.get("/account").text) is None
