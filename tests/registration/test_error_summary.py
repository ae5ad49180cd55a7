"""After a failed submit the form starts with a summary of its problems, each a link to the
field in error (by its id), that takes focus (tabindex -1; static/js/forms.js focuses it)."""

import re

from lxml import html as lxml_html

from tests.registration.conftest import register_page


def summary(page):
    """``(heading, [(href, text), …], tabindex)`` of the error summary, or None."""
    tree = lxml_html.fromstring(page)
    found = tree.xpath("//*[@data-error-summary]")
    if not found:
        return None
    box = found[0]
    links = [(a.get("href"), re.sub(r"\s+", " ", a.text_content()).strip()) for a in box.iter("a")]
    return box.findtext("h2"), links, box.get("tabindex")


def field_ids(page):
    return set(lxml_html.fromstring(page).xpath("//input/@id | //select/@id | //textarea/@id"))


def test_failed_registration_starts_with_summary_linking_each_field(client, meeting, register):
    response = register(client, given_name="", email="not an address", country_code="XX")

    assert response.status_code == 200
    heading, links, tabindex = summary(response.text)
    assert heading == "There are 3 problems"
    assert tabindex == "-1"
    assert [href for href, _text in links] == ["#given_name", "#email", "#country_code"]
    assert {href[1:] for href, _text in links} <= field_ids(response.text)
    assert links[0][1] == "Given name: This field is required."


def test_failed_registration_summary_comes_before_the_first_field(client, meeting, register):
    response = register(client, family_name="")

    form = response.text[response.text.index("<form") :]
    assert form.index("data-error-summary") < form.index('id="title"')
    assert summary(response.text)[:2] == (
        "There is 1 problem",
        [("#family_name", "Family name: This field is required.")],
    )


def test_registration_form_before_a_submit_has_no_summary(client, meeting):
    response = client.get(register_page(meeting))

    assert response.status_code == 200
    assert summary(response.text) is None


def test_invalid_field_is_marked_and_described_by_its_error(client, meeting, register):
    response = register(client, email="not an address")

    tree = lxml_html.fromstring(response.text)
    email = tree.get_element_by_id("email")
    assert (email.get("aria-invalid"), email.get("aria-describedby")) == (
        "true",
        "email-help email-error",
    )
