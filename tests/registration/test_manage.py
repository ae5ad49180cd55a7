"""The organisers' registrations page: search, filters, sort, pages, bulk decisions with
counts that follow, the detail page, and exports that never carry a formula."""

import csv
import io
import itertools
import re
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, audit_entries, csrf_token, field_error
from tests.factories import make_network
from tests.registration.conftest import events_of
from wenevents.accounts.models import DELEGATE, FOCAL_POINT
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.registration.models import (
    APPROVED,
    DECLINED,
    ENDORSED,
    REJECTED,
    SUBMITTED,
    UNCONFIRMED,
    WAITLISTED,
    Question,
    Registration,
    RegistrationEvent,
)
from wenevents.spreadsheets import safe_cell

HOSTILE = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "  =1", "＝1"]
_serial = itertools.count(1)


def build(meeting, status=SUBMITTED, **values):
    """A registration straight in the database (no mail), with a two-step history."""
    n = next(_serial)
    fields = {
        "meeting_id": meeting.id,
        "email": f"person{n}@example.org",
        "given_name": f"Given{n}",
        "family_name": f"Family{n}",
        "organisation": "Customs Service",
        "country_code": "PA",
        "network_id": meeting.networks[0].id,
        "participation_role": "network_delegate",
        "arrival_date": date(2023, 11, 20),
        "departure_date": date(2023, 11, 22),
        "status": status,
        **values,
    }
    registration = Registration(**fields)
    registration.events.append(RegistrationEvent(to_status=UNCONFIRMED))
    registration.events.append(
        RegistrationEvent(from_status=UNCONFIRMED, to_status=status, note="Address confirmed")
    )
    if status == ENDORSED:
        registration.endorsed_at = utcnow()
    if status == WAITLISTED:
        registration.waitlisted_at = utcnow()
    db.session.add(registration)
    return registration


def add(meeting, status=SUBMITTED, **values):
    registration = build(meeting, status, **values)
    db.session.commit()
    return registration


def add_many(meeting, count):
    """``count`` registrations spread over statuses, both networks, observers, countries."""
    statuses = [SUBMITTED, ENDORSED, APPROVED, WAITLISTED, REJECTED]
    networks = [meeting.networks[0].id, meeting.networks[1].id, None]
    countries = ["PA", "FR", "KE"]
    for i in range(count):
        build(
            meeting,
            statuses[i % 5],
            network_id=networks[i % 3],
            country_code=countries[i % 3],
            participation_role="observer" if i % 2 else "network_delegate",
        )
    db.session.commit()


def url(meeting, path=""):
    return f"/manage/{meeting.acronym}/registrations/{path}"


def htmx(client, meeting, target="registration-results"):
    token = csrf_token(client.get(url(meeting)).text)
    return {"HX-Request": "true", "HX-Target": target, "X-CSRFToken": token}


def listed(page):
    """The registration ids of the rows shown, in order."""
    return [int(i) for i in re.findall(r'<tr id="registration-(\d+)"', page)]


def count_shown(page, status):
    match = re.search(rf'<li id="count-{status}">.*?<strong class="count">(\d+)</strong>', page)
    assert match, f"no count for {status}"
    return int(match.group(1))


def post_bulk(client, meeting, action, ids, headers=None, **data):
    token = csrf_token(client.get(url(meeting)).text)
    form = {"csrf_token": token, "action": action, "ids": [str(i) for i in ids], **data}
    return client.post(url(meeting, "bulk"), data=form, headers=headers)


def status_of(registration_id):
    return db.session.get(Registration, registration_id).status


# Who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [FOCAL_POINT, DELEGATE])
def test_non_organisers_get_403_everywhere_and_it_is_audited(
    client, make_user, auth, meeting, role
):
    registration = add(meeting, ENDORSED)
    make_user("someone@example.org", role, networks=meeting.networks[:1])
    auth.login("someone@example.org", PASSWORD)
    token = csrf_token(client.get("/account").text)

    answers = [
        client.get(url(meeting)),
        client.get(url(meeting, f"{registration.id}")),
        client.get(url(meeting, "export.csv")),
        client.get(url(meeting, "export.xlsx")),
        client.post(
            url(meeting, "bulk"),
            data={"csrf_token": token, "action": "approve", "ids": str(registration.id)},
        ),
    ]

    assert [a.status_code for a in answers] == [403] * 5
    assert len(audit_entries("access.denied")) == 5
    assert audit_entries("registration.export") == []
    assert status_of(registration.id) == ENDORSED
    assert b"Customs Service" not in b"".join(a.data for a in answers)


def test_anonymous_is_sent_to_sign_in(client, meeting):
    response = client.get(url(meeting, "export.csv"))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_unknown_meeting_is_404(client, organiser):
    assert client.get("/manage/nosuchmeeting/registrations/").status_code == 404


# The list ------------------------------------------------------------------------------


def test_search_matches_name_email_and_organisation_as_one_types(client, organiser, meeting):
    ana = add(meeting, given_name="Ana", family_name="Silva")
    by_mail = add(meeting, email="anabel@example.org")
    by_org = add(meeting, organisation="Banana Republic Customs")
    other = add(meeting, given_name="Bo", family_name="Li")

    page = client.get(url(meeting), query_string={"q": "ana"}).text
    fragment = client.get(
        url(meeting), query_string={"q": "ANA silva"}, headers=htmx(client, meeting)
    ).text

    assert sorted(listed(page)) == sorted([ana.id, by_mail.id, by_org.id])
    assert other.id not in listed(page)
    assert "3 registrations matching “ana”" in page
    # The htmx answer is the results alone, every word matched somewhere.
    assert fragment.lstrip().startswith('<div id="registration-results"')
    assert "<html" not in fragment
    assert listed(fragment) == [ana.id]


def cells(page, registration_id):
    """The text of each cell of a registration's row, tags removed."""
    row = re.search(rf'<tr id="registration-{registration_id}">(.*?)</tr>', page, re.S)[1]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def test_list_rows_show_each_column_and_a_dash_without_network(client, organiser, meeting):
    delegate = add(
        meeting,
        given_name="Ana",
        family_name="Silva <b>",
        organisation="Customs & Border",
        country_code="KE",
        created_at=datetime(2023, 10, 2, 8, 5, 9),
    )
    observer = add(
        meeting,
        given_name="Bo",
        family_name="Li",
        network_id=None,
        participation_role="observer",
        status=APPROVED,
        created_at=datetime(2023, 10, 3, 17, 0),
    )

    page = client.get(url(meeting)).text

    assert cells(page, delegate.id) == [
        "Select Ana Silva &lt;b&gt;",
        f"Ana Silva &lt;b&gt; {delegate.email}",
        "Customs &amp; Border",
        "Kenya",
        meeting.networks[0].acronym,
        "Network delegate",
        "Submitted",
        "2023-10-02 08:05",
    ]
    assert cells(page, observer.id)[4:] == ["—", "Observer", "Approved", "2023-10-03 17:00"]
    assert '<time datetime="2023-10-02T08:05:09Z">' in page


def test_search_treats_like_wildcards_as_text(client, organiser, meeting):
    percent = add(meeting, organisation="100% Wildlife")
    underscore = add(meeting, email="a_b@example.org")
    add(meeting, organisation="Plain")

    assert listed(client.get(url(meeting), query_string={"q": "%"}).text) == [percent.id]
    assert listed(client.get(url(meeting), query_string={"q": "_"}).text) == [underscore.id]


def test_filters_by_status_network_country_and_role(client, organiser, meeting):
    first, second = meeting.networks
    a = add(meeting, ENDORSED, network_id=first.id, country_code="KE")
    b = add(meeting, SUBMITTED, network_id=second.id, participation_role="observer")
    c = add(meeting, SUBMITTED, network_id=None, country_code="FR", participation_role="media")

    def ids(**query):
        return sorted(listed(client.get(url(meeting), query_string=query).text))

    assert ids() == sorted([a.id, b.id, c.id])
    assert ids(status="submitted") == sorted([b.id, c.id])
    assert ids(network=str(second.id)) == [b.id]
    assert ids(network="none") == [c.id]
    assert ids(country="KE") == [a.id]
    assert ids(role="media") == [c.id]
    assert ids(status="submitted", role="observer") == [b.id]
    # Values that are not choices count as no filter.
    assert ids(status="bogus", network="99999", country="ZZ", sort="evil", page="x") == sorted(
        [a.id, b.id, c.id]
    )


def test_sorts_and_directions(client, organiser, meeting):
    first, second = meeting.networks
    b = add(meeting, family_name="beta", network_id=second.id)
    a = add(meeting, family_name="Alpha", network_id=None)
    c = add(meeting, family_name="Gamma", network_id=first.id)

    def ids(**query):
        return listed(client.get(url(meeting), query_string=query).text)

    assert ids() == [b.id, a.id, c.id]  # registered first, first
    assert ids(dir="desc") == [c.id, a.id, b.id]
    assert ids(sort="name") == [a.id, b.id, c.id]  # case does not matter
    assert ids(sort="name", dir="desc") == [c.id, b.id, a.id]
    by_network = sorted([(first.acronym.lower(), c.id), (second.acronym.lower(), b.id)])
    assert ids(sort="network") == [i for _k, i in by_network] + [a.id]  # observers last
    assert ids(sort="network", dir="desc")[-1] == a.id


def test_pages_of_fifty_keep_the_filter(client, organiser, meeting):
    add_many(meeting, 60)
    every = listed(client.get(url(meeting), query_string={"sort": "name"}).text)
    page2 = client.get(url(meeting), query_string={"sort": "name", "page": 2}).text

    assert len(every) == 50
    assert len(listed(page2)) == 10
    assert not set(every) & set(listed(page2))
    assert "Page 2 of 2" in page2
    assert f'href="/manage/{meeting.acronym}/registrations/?page=1&amp;sort=name"' in page2


def test_counts_per_status_and_network(client, organiser, meeting):
    first = meeting.networks[0]
    add(meeting, APPROVED, network_id=first.id)
    add(meeting, ENDORSED, network_id=first.id)
    add(meeting, WAITLISTED, network_id=first.id)
    add(meeting, SUBMITTED, network_id=None)

    page = client.get(url(meeting), query_string={"q": "nobody"}).text

    assert listed(page) == []
    assert "No registration matches." in page
    # The counts are the meeting's, whatever the filter.
    assert count_shown(page, "approved") == 1
    assert count_shown(page, "submitted") == 1
    assert count_shown(page, "rejected") == 0
    network = re.search(rf'<li id="network-count-{first.id}">(.*?)</li>', page, re.S).group(1)
    assert '<strong class="count">3</strong>' in network
    assert "(2 seats)" in network
    observers = re.search(r'<li id="network-count-none">(.*?)</li>', page, re.S).group(1)
    assert '<strong class="count">1</strong>' in observers


def test_list_query_count_does_not_grow_with_rows(client, organiser, meeting, count_queries):
    def queries(**query):
        client.get(url(meeting), query_string=query)  # warm: a sign-in touch, caches
        with count_queries() as statements:
            assert client.get(url(meeting), query_string=query).status_code == 200
        return len(statements)

    add_many(meeting, 5)
    few = queries(), queries(q="given", sort="network")
    add_many(meeting, 55)
    many = queries(), queries(q="given", sort="network")

    assert few == many
    assert many[0] <= 8


# Bulk decisions --------------------------------------------------------------------------


def test_bulk_approve_with_htmx_updates_rows_and_counts(client, organiser, meeting):
    endorsed = [add(meeting, ENDORSED) for _ in range(3)]
    submitted = add(meeting, SUBMITTED)  # the network has not endorsed it: skipped
    page = client.get(url(meeting)).text
    assert count_shown(page, "approved") == 0

    response = post_bulk(
        client,
        meeting,
        "approve",
        [r.id for r in endorsed] + [submitted.id],
        headers=htmx(client, meeting),
    )

    assert response.status_code == 200
    text = response.text
    assert text.lstrip().startswith('<div id="registration-results"')
    assert 'id="registration-counts" class="registration-counts"' in text
    assert 'data-hx-swap-oob="true"' in text
    assert count_shown(text, "approved") == 3
    assert count_shown(text, "endorsed") == 0
    assert count_shown(text, "submitted") == 1
    flash = re.search(r'<div id="flash" data-hx-swap-oob="innerHTML">(.*?)</div>', text, re.S)
    assert flash
    assert (
        f"3 approved; 1 skipped: {submitted.name} — The network has not endorsed this "
        "registration yet." in flash.group(1)
    )
    assert [status_of(r.id) for r in endorsed] == [APPROVED] * 3
    assert status_of(submitted.id) == SUBMITTED
    assert len(audit_entries("registration.approve")) == 3


def test_bulk_without_javascript_comes_back_to_the_same_filtered_list(client, organiser, meeting):
    endorsed = [add(meeting, ENDORSED) for _ in range(2)]
    add(meeting, ENDORSED)  # not selected

    response = post_bulk(
        client, meeting, "approve", [r.id for r in endorsed], status="endorsed", page="1"
    )

    assert response.status_code == 303
    assert response.headers["Location"] == url(meeting) + "?status=endorsed"
    page = client.get(response.headers["Location"]).text
    assert "2 approved" in page
    assert "skipped" not in page
    assert len(listed(page)) == 1
    assert count_shown(page, "approved") == 2


def test_bulk_reject_needs_a_reason(client, organiser, meeting):
    rows = [add(meeting, SUBMITTED), add(meeting, APPROVED)]
    ids = [r.id for r in rows]

    refused = post_bulk(client, meeting, "reject", ids, headers=htmx(client, meeting), reason=" ")

    assert refused.status_code == 422
    assert field_error(refused.text, "bulk-reason") == (
        "Give the reason for the rejection: the person is told."
    )
    # The selection is kept for the second try.
    assert all(f'id="select-{i}" name="ids" value="{i}" checked' in refused.text for i in ids)
    assert [status_of(i) for i in ids] == [SUBMITTED, APPROVED]

    without_js = post_bulk(client, meeting, "reject", ids)
    assert without_js.status_code == 422
    assert "<html" in without_js.text
    assert field_error(without_js.text, "bulk-reason")

    done = post_bulk(
        client, meeting, "reject", ids, headers=htmx(client, meeting), reason="No visa"
    )
    assert done.status_code == 200
    assert "2 rejected" in done.text
    assert count_shown(done.text, "rejected") == 2
    assert [db.session.get(Registration, i).reason for i in ids] == ["No visa"] * 2


def test_bulk_needs_a_selection(client, organiser, meeting):
    add(meeting, ENDORSED)
    response = post_bulk(client, meeting, "approve", [], headers=htmx(client, meeting))
    assert response.status_code == 422
    assert "Select at least one registration." in response.text


def test_bulk_waitlist_then_promote(client, organiser, make_registration_meeting):
    # Promotion by hand: with automatic promotion, a seat freed by the second move would
    # at once go back to the first one waiting.
    meeting = make_registration_meeting(auto_promote=False)
    rows = [add(meeting, SUBMITTED), add(meeting, APPROVED), add(meeting, REJECTED)]
    ids = [r.id for r in rows]

    moved = post_bulk(client, meeting, "waitlist", ids, headers=htmx(client, meeting))

    assert "2 moved to the waiting list; 1 skipped:" in moved.text
    assert count_shown(moved.text, "waitlisted") == 2
    assert [status_of(i) for i in ids] == [WAITLISTED, WAITLISTED, REJECTED]

    promoted = post_bulk(client, meeting, "promote", ids[:2], headers=htmx(client, meeting))
    assert "2 promoted" in promoted.text
    assert count_shown(promoted.text, "waitlisted") == 0
    assert count_shown(promoted.text, "submitted") == 2


def test_promote_skips_when_no_seat_is_free(client, organiser, make_registration_meeting):
    meeting = make_registration_meeting(capacity=1)
    add(meeting, APPROVED)
    waiting = add(meeting, WAITLISTED)

    response = post_bulk(client, meeting, "promote", [waiting.id])

    assert response.status_code == 303
    page = client.get(response.headers["Location"]).text
    assert "0 promoted; 1 skipped:" in page
    assert "No seat is free for this registration (capacity or quota)." in page
    assert status_of(waiting.id) == WAITLISTED


def test_select_all_on_the_page_works_without_javascript(client, organiser, meeting):
    rows = [add(meeting, ENDORSED) for _ in range(3)]
    other_meeting_row = add(meeting, ENDORSED, meeting_id=_other_meeting(meeting).id)
    page = client.get(url(meeting), query_string={"status": "endorsed"}).text
    page_ids = re.search(r'name="page_ids" value="([^"]*)"', page).group(1)
    assert page_ids == ",".join(str(r.id) for r in rows)
    assert 'id="select-all" name="all" value="1"' in page

    response = post_bulk(
        client,
        meeting,
        "approve",
        [],
        all="1",
        page_ids=f"{page_ids},{other_meeting_row.id}",
        status="endorsed",
    )

    assert response.status_code == 303
    assert [status_of(r.id) for r in rows] == [APPROVED] * 3
    assert status_of(other_meeting_row.id) == ENDORSED


def test_select_all_with_htmx_ticks_every_row(client, organiser, meeting):
    rows = [add(meeting, ENDORSED) for _ in range(2)]
    page = client.get(url(meeting)).text
    toggle = re.search(r'id="select-all" name="all" value="1"\s+data-hx-get="([^"]+)"', page)
    assert toggle

    ticked = client.get(toggle.group(1).replace("&amp;", "&"), headers=htmx(client, meeting))

    for r in rows:
        assert f'id="select-{r.id}" name="ids" value="{r.id}" checked' in ticked.text
    # Ticked, it has no name: the rows carry the selection, so unticking one counts.
    assert re.search(r'id="select-all" checked\s+data-hx-get="[^"]*"', ticked.text)


def _other_meeting(meeting):
    from tests.factories import make_meeting

    return make_meeting(networks=[make_network()])


# The detail page -------------------------------------------------------------------------


def test_detail_shows_fields_answers_and_history(client, organiser, meeting):
    question = Question(meeting_id=meeting.id, kind="yes_no", label="Do you need a visa?")
    day = Question(meeting_id=meeting.id, kind="date", label="Visa appointment", position=2)
    db.session.add_all([question, day])
    db.session.commit()
    registration = add(
        meeting,
        ENDORSED,
        title="Dr",
        position="Chief inspector",
        dietary="Vegetarian",
        answers={str(question.id): "yes", str(day.id): "2023-10-02"},
    )

    page = client.get(url(meeting, f"{registration.id}")).text

    assert f"<h1>Dr {registration.name}</h1>" in page
    for text in ("Chief inspector", "Vegetarian", "Panama", meeting.networks[0].acronym):
        assert text in page
    assert "Do you need a visa?</dt><dd>Yes</dd>" in page
    assert "Visa appointment</dt><dd>Monday 2 October 2023</dd>" in page
    assert page.count('<li id="event-') == 2
    assert "Address confirmed" in page
    assert 'value="approve"' in page and 'value="promote"' not in page


def test_detail_actions_come_back_to_the_detail(client, organiser, meeting):
    registration = add(meeting, ENDORSED)

    response = post_bulk(client, meeting, "approve", [registration.id], back="detail")

    assert response.status_code == 303
    assert response.headers["Location"] == url(meeting, f"{registration.id}")
    page = client.get(response.headers["Location"]).text
    assert "1 approved" in page
    assert "Endorsed → <strong>Approved</strong>, by org@example.org" in page
    assert events_of(registration)[-1].actor_email == "org@example.org"

    refused = post_bulk(client, meeting, "reject", [registration.id], back="detail")
    assert refused.status_code == 303
    page = client.get(refused.headers["Location"]).text
    assert "Give the reason for the rejection: the person is told." in page
    assert status_of(registration.id) == APPROVED


def test_detail_of_another_meetings_registration_is_404(client, organiser, meeting):
    elsewhere = add(meeting, meeting_id=_other_meeting(meeting).id)
    assert client.get(url(meeting, f"{elsewhere.id}")).status_code == 404


# Exports --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [*HOSTILE, "  +1", "\n=1", "﹦1", "＠x", "－1", "＋1"])
def test_safe_cell_neutralises_formula_starts(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["Ana", "", "a=b", "1+1", "ana@example.org", 12, 1.5, date(2023, 11, 20), True]
)
def test_safe_cell_keeps_the_rest(value):
    assert safe_cell(value) == value


def _hostile_rows(meeting):
    rows = [add(meeting, APPROVED, organisation=value) for value in HOSTILE]
    add(meeting, SUBMITTED, organisation="Not approved")
    return rows


def test_csv_export_neutralises_formulas_and_is_audited(client, organiser, meeting):
    rows = _hostile_rows(meeting)

    response = client.get(url(meeting, "export.csv"), query_string={"status": "approved"})

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response.headers["Cache-Control"]
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    header, body = table[0], table[1:]
    organisation, given = header.index("Organisation"), header.index("Given name")
    arrival = header.index("Arrival")
    assert [r[organisation] for r in body] == ["'" + v for v in HOSTILE]
    assert [r[given] for r in body] == [r.given_name for r in rows]  # plain text as it is
    assert {r[arrival] for r in body} == {"2023-11-20"}
    entries = audit_entries("registration.export")
    assert len(entries) == 1
    assert entries[0].details == {
        "format": "csv",
        "filters": {"status": "approved"},
        "rows": len(HOSTILE),
    }
    assert entries[0].actor_email == "org@example.org"


def test_xlsx_export_neutralises_formulas_and_keeps_dates(client, organiser, meeting):
    rows = _hostile_rows(meeting)

    response = client.get(url(meeting, "export.xlsx"), query_string={"status": "approved"})

    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cells = list(sheet.iter_rows())
    header = [c.value for c in cells[0]]
    body = cells[1:]
    organisation, given = header.index("Organisation"), header.index("Given name")
    arrival = header.index("Arrival")
    assert [r[organisation].value for r in body] == ["'" + v for v in HOSTILE]
    assert [r[given].value for r in body] == [r.given_name for r in rows]
    assert not any(c.data_type == "f" for row in cells for c in row)
    assert all(r[arrival].is_date for r in body)
    assert {r[arrival].value for r in body} == {datetime(2023, 11, 20)}
    entries = audit_entries("registration.export")
    assert [(e.details["format"], e.details["rows"]) for e in entries] == [("xlsx", len(HOSTILE))]


def test_export_takes_every_page_of_the_filter(client, organiser, meeting):
    add_many(meeting, 60)
    response = client.get(url(meeting, "export.csv"), query_string={"network": "none"})
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    expected = db.session.scalar(
        select(db.func.count())
        .select_from(Registration)
        .where(Registration.meeting_id == meeting.id, Registration.network_id.is_(None))
    )
    assert len(table) - 1 == expected == 20


# The pages pass the HTML checker -------------------------------------------------------------


def test_pages_pass_the_html_checker(client, organiser, meeting, tmp_path):
    from tests.test_html_validity import check

    registration = add(meeting, ENDORSED, answers={})
    add(meeting, WAITLISTED)
    pages = {
        "list": client.get(url(meeting)).data,
        "list, all ticked": client.get(url(meeting), query_string={"select": "all"}).data,
        "list, empty": client.get(url(meeting), query_string={"q": "nobody"}).data,
        "list, error": post_bulk(client, meeting, "reject", [registration.id]).data,
        "detail": client.get(url(meeting, f"{registration.id}")).data,
    }
    problems = check(pages, tmp_path)
    assert problems == [], "\n".join(problems)


# In a real browser (htmx, the Content-Security-Policy, axe) -------------------------------


@pytest.mark.browser
def test_in_a_browser_search_select_all_and_approve_update_in_place(
    new_context, live_app, live_url
):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    from tests.browser.test_accessibility import describe
    from wenevents import demo
    from wenevents.registration.queries import meeting_by_acronym

    with live_app.app_context():
        password = dict((e, p) for e, _r, p in demo.reset_demo_passwords())["organiser@example.org"]
        meeting = meeting_by_acronym("gmwen4")
        for n in range(3):
            build(meeting, ENDORSED, given_name="Browser", family_name=f"Tester{n}")
        build(meeting, SUBMITTED, given_name="Other", family_name="Person")
        db.session.commit()
    # The site's own CSP stays on: any inline script or style would be refused and logged.
    context = new_context()
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    page.goto(live_url + "/login")
    page.get_by_label("Email address").fill("organiser@example.org")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_url + "/")
    page.goto(live_url + "/manage/gmwen4/registrations/")
    approved_before = int(page.locator("#count-approved .count").inner_text())

    page.get_by_label("Find by name, email address or organisation").fill("browser")
    expect(page.locator("#registration-results tbody tr")).to_have_count(3)
    expect(page).to_have_url(re.compile(r"\?q=browser"))
    page.get_by_label("Select all 3 registrations on this page").check()
    expect(page.locator("#registration-results tbody input[name=ids]:checked")).to_have_count(3)
    page.get_by_role("button", name="Approve").click()

    expect(page.locator("#flash")).to_contain_text("3 approved")
    expect(page.locator("#count-approved .count")).to_have_text(str(approved_before + 3))
    expect(page.locator("#registration-results tbody tr .status-approved")).to_have_count(3)
    page.get_by_label("Status", exact=True).select_option("endorsed")
    expect(page.locator("#registration-results")).to_contain_text("No registration matches.")
    expect(page).to_have_url(re.compile(r"status=endorsed"))
    assert refused == []

    # Without JavaScript: the same page, by plain forms and redirects.
    plain = new_context(java_script_enabled=False, storage_state=context.storage_state())
    page = plain.new_page()
    page.goto(live_url + "/manage/gmwen4/registrations/?q=other")
    page.get_by_label("Select the 1 registration on this page").check()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#flash")).to_contain_text(
        "0 approved; 1 skipped: Other Person — The network has not endorsed this registration yet."
    )
    expect(page).to_have_url(re.compile(r"\?q=other$"))

    axe_page = new_context(bypass_csp=True, storage_state=context.storage_state()).new_page()
    found = {}
    for path in ("/manage/gmwen4/registrations/?q=browser", "/manage/gmwen4/registrations/1"):
        axe_page.goto(live_url + path)
        found[path] = describe(Axe().run(axe_page).response["violations"])
    assert {path: text for path, text in found.items() if text} == {}


def test_summary_names_at_most_five_people_a_reason(app):
    from wenevents.registration.manage import summary_of

    with app.test_request_context():
        text, category = summary_of("approve", 1, [(f"P{i}", "Why.") for i in range(7)])
        nothing, bad = summary_of("reject", 0, [("Ana", "No.")])

    assert text == "1 approved; 7 skipped: P0, P1, P2, P3, P4 and 2 others — Why."
    assert category == "info"
    assert (nothing, bad) == ("0 rejected; 1 skipped: Ana — No.", "error")


# Approving without the network's endorsement ------------------------------------------------


def override_url(meeting, registration):
    return f"/manage/{meeting.acronym}/registrations/{registration.id}/approve-without-endorsement"


def detail_url(meeting, registration):
    return f"/manage/{meeting.acronym}/registrations/{registration.id}"


def test_organiser_approves_without_the_endorsement_with_a_reason(client, meeting, organiser):
    registration = add(meeting)
    page = client.get(detail_url(meeting, registration)).text
    assert "Approve without the network’s endorsement" in page

    response = client.post(
        override_url(meeting, registration),
        data={"csrf_token": csrf_token(page), "reason": "Focal point unreachable for 3 weeks"},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == detail_url(meeting, registration)
    registration = db.session.get(Registration, registration.id)
    assert registration.status == APPROVED
    last = events_of(registration)[-1]
    assert (last.from_status, last.to_status, last.actor_email) == (
        SUBMITTED,
        APPROVED,
        "org@example.org",
    )
    assert last.note == (
        "Approved without the network's endorsement: Focal point unreachable for 3 weeks"
    )
    [entry] = audit_entries("registration.approve_override")
    assert entry.target_id == str(registration.id)
    assert entry.actor_email == "org@example.org"
    assert entry.details["reason"] == "Focal point unreachable for 3 weeks"
    shown = client.get(response.headers["Location"]).text
    assert "Approved without the network&#39;s endorsement; the reason is recorded." in shown
    assert "by org@example.org — Approved without the network&#39;s endorsement: " in shown


@pytest.mark.parametrize("reason", ["", "   "])
def test_override_without_a_reason_is_refused_at_the_field(client, meeting, organiser, reason):
    registration = add(meeting)
    page = client.get(detail_url(meeting, registration)).text

    response = client.post(
        override_url(meeting, registration), data={"csrf_token": csrf_token(page), "reason": reason}
    )

    assert response.status_code == 422
    assert field_error(response.text, "override-reason") == (
        "Give the reason for approving without the network's endorsement."
    )
    assert db.session.get(Registration, registration.id).status == SUBMITTED
    assert audit_entries("registration.approve_override") == []


@pytest.mark.parametrize("status", [ENDORSED, DECLINED, WAITLISTED, APPROVED])
def test_override_of_a_registration_not_awaiting_endorsement_is_refused(
    client, meeting, organiser, status
):
    registration = add(meeting, status)
    page = client.get(detail_url(meeting, registration)).text
    assert "approve-without-endorsement" not in page

    response = client.post(
        override_url(meeting, registration), data={"csrf_token": csrf_token(page), "reason": "x"}
    )

    assert response.status_code == 303
    assert db.session.get(Registration, registration.id).status == status
    assert (
        "Only a registration awaiting its network&#39;s endorsement can be approved this way."
        in client.get(response.headers["Location"]).text
    )


def test_override_of_another_meetings_registration_is_404(
    client, meeting, organiser, make_registration_meeting
):
    other = make_registration_meeting()
    registration = add(other)
    page = client.get(detail_url(meeting, add(meeting))).text

    response = client.post(
        override_url(meeting, registration), data={"csrf_token": csrf_token(page), "reason": "x"}
    )

    assert response.status_code == 404
    assert db.session.get(Registration, registration.id).status == SUBMITTED


@pytest.mark.parametrize("role", [DELEGATE, FOCAL_POINT])
def test_override_by_a_delegate_or_focal_point_is_refused_and_audited(
    client, meeting, make_user, auth, role
):
    registration = add(meeting)
    networks = [meeting.networks[0]] if role == FOCAL_POINT else []
    make_user("someone@example.org", role, networks=networks)
    auth.login("someone@example.org", PASSWORD)
    token = csrf_token(client.get("/account").text)

    response = client.post(
        override_url(meeting, registration), data={"csrf_token": token, "reason": "I say so"}
    )

    assert response.status_code == 403
    assert db.session.get(Registration, registration.id).status == SUBMITTED
    assert audit_entries("registration.approve_override") == []
    assert len(audit_entries("access.denied")) == 1


def test_observer_needs_no_override(client, meeting, organiser):
    registration = add(meeting, network_id=None, participation_role="observer")

    page = client.get(detail_url(meeting, registration)).text

    assert "approve-without-endorsement" not in page


def test_focal_point_sees_the_registration_approved_without_their_endorsement(
    app, client, meeting, organiser, make_user
):
    registration = add(meeting)
    page = client.get(detail_url(meeting, registration)).text
    client.post(
        override_url(meeting, registration),
        data={"csrf_token": csrf_token(page), "reason": "No answer for weeks"},
    )
    make_user("fp@example.org", FOCAL_POINT, networks=[meeting.networks[0]])
    focal = app.test_client()
    focal.post(
        "/login",
        data={
            "csrf_token": csrf_token(focal.get("/login").text),
            "email": "fp@example.org",
            "password": PASSWORD,
        },
    )

    html = focal.get(f"/{meeting.acronym}/network-registrations").text

    row = re.search(rf'<tr id="registration-{registration.id}">.*?</tr>', html, re.S)[0]
    assert "Approved</span><br>" in row
    assert "Approved by the organisers without your network’s endorsement." in row
