"""The organisers' completeness page, reminders to focal points, and the deadline."""

import html
import re

import pytest

from tests.conftest import audit_entries, csrf_token, field_error, outbox
from tests.uploads import conftest as uploads
from tests.uploads.conftest import PDF, upload
from wenevents.extensions import db
from wenevents.networks.models import FocalPoint

PAGE = "/manage/gm/materials/completeness"


def states(page, row_id):
    row = re.search(rf'<tr id="{row_id}".*?</tr>', page, re.S).group(0)
    return re.findall(r'class="state state-(\w+)"', row)


def test_completeness_is_for_organisers(client, auth, people, world):
    assert client.get(PAGE).status_code == 302
    auth.login("fp@naweg.example.org")
    assert client.get(PAGE).status_code == 403


def test_completeness_shows_in_late_and_missing_per_language(
    app, organiser, world, people, new_auth
):
    world.meeting.materials_languages = "en,fr,es"
    db.session.commit()
    focal = new_auth()
    focal.login("fp@naweg.example.org")
    upload(focal.client, "gm", f"sheet-{world.naweg.id}", [(PDF, "sheet_en.pdf")])
    world.meeting.materials_deadline = uploads.datetime_in_past()
    db.session.commit()
    upload(focal.client, "gm", f"sheet-{world.naweg.id}", [(PDF + b"fr", "sheet_fr.pdf")])
    upload(focal.client, "gm", f"slides-{world.item_a.id}", [(PDF, "talk.pdf")])

    page = organiser.get(PAGE).text

    assert states(page, f"network-{world.naweg.id}") == ["in", "late", "missing"]
    assert states(page, f"network-{world.latf.id}") == ["missing", "missing", "missing"]
    presentations = re.findall(r"<td>Work of (\w+)</td>.*?</tr>", page, re.S)
    assert presentations == ["NAWEG", "LATF"]
    # Every expected language counts: NAWEG's slides are in English only.
    assert re.findall(r"<td>(\d of \d)</td>", page) == ["0 of 1", "0 of 1"]


def test_completeness_counts_only_the_languages_the_meeting_expects(
    app, organiser, world, people, new_auth
):
    focal = new_auth()
    focal.login("fp@naweg.example.org")
    upload(focal.client, "gm", f"sheet-{world.naweg.id}", [(PDF, "sheet_en.pdf")])
    upload(organiser, "gm", f"sheet-{world.latf.id}", [(PDF, "hoja_es.pdf")], language="es")
    upload(focal.client, "gm", f"slides-{world.item_a.id}", [(PDF + b"fr", "talk_fr.pdf")])

    page = organiser.get(PAGE).text

    # English only (the default): French and Spanish files are listed, never missing.
    assert re.findall(r'<th scope="col">Sheet, (\w+)</th>', page) == ["English"]
    assert states(page, f"network-{world.naweg.id}") == ["in"]
    assert states(page, f"network-{world.latf.id}") == ["missing"]
    latf = re.search(rf'<tr id="network-{world.latf.id}".*?</tr>', page, re.S).group(0)
    also = re.search(r'<span class="also-in">.*?</span>', latf).group(0)
    assert re.sub(r"<[^>]+>", "", also) == "Also: Spanish v1"
    # Slides in French only: English is still missing.
    assert "0 of 1" in page
    assert 'class="row-missing"' in re.search(r"<tr[^>]*>\s*<td>Work of NAWEG", page).group(0)


def test_organiser_sets_the_languages_materials_are_expected_in(app, organiser, world):
    token = csrf_token(organiser.get(PAGE).text)

    response = organiser.post(
        "/manage/gm/materials/languages", data={"csrf_token": token, "languages": ["es", "en"]}
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"{PAGE}#languages-notice"
    db.session.expire_all()
    assert world.meeting.materials_languages == "en,es"
    [entry] = audit_entries("materials.languages")
    assert (entry.summary, entry.details) == (
        "gm: materials expected in en, es",
        {"before": ["en"], "after": ["en", "es"]},
    )
    page = organiser.get(PAGE).text
    notice = re.search(
        r'<p class="message message-success" id="languages-notice"[^>]*>(.*?)</p>', page
    )
    assert notice.group(1) == "Materials are expected in: English, Spanish."
    # Inside the languages section, after its heading: where the redirect lands.
    assert (
        page.index('id="languages-heading"') < notice.start() < page.index('id="earlier-heading"')
    )
    assert re.findall(r'<th scope="col">Sheet, (\w+)</th>', page) == ["English", "Spanish"]
    checked = re.findall(r'id="languages-(\w+)" checked', page)
    assert checked == ["en", "es"]
    # Shown once.
    assert 'id="languages-notice"' not in organiser.get(PAGE).text


@pytest.mark.parametrize(
    ("languages", "message"),
    [
        ([], "Choose at least one language."),
        (["en", "de"], "'de' is not a valid choice for this field."),
    ],
)
def test_bad_languages_get_a_message_and_change_nothing(app, organiser, world, languages, message):
    token = csrf_token(organiser.get(PAGE).text)

    response = organiser.post(
        "/manage/gm/materials/languages", data={"csrf_token": token, "languages": languages}
    )

    assert response.status_code == 422
    assert field_error(response.text, "languages") == message
    db.session.expire_all()
    assert world.meeting.materials_languages == "en"
    assert audit_entries("materials.languages") == []


def test_languages_are_for_organisers(app, client, auth, world, people):
    auth.login("fp@naweg.example.org")
    token = csrf_token(client.get("/gm/materials/upload").text)

    response = client.post(
        "/manage/gm/materials/languages", data={"csrf_token": token, "languages": ["fr"]}
    )

    assert response.status_code == 403
    db.session.expire_all()
    assert world.meeting.materials_languages == "en"


def test_reminder_names_the_missing_languages_when_several_are_expected(
    app, organiser, world, people, new_auth
):
    world.meeting.materials_languages = "en,fr"
    db.session.commit()
    focal = new_auth()
    focal.login("fp@naweg.example.org")
    upload(focal.client, "gm", f"sheet-{world.naweg.id}", [(PDF, "sheet_en.pdf")])

    remind(organiser, world.naweg.id)

    [message] = outbox(app)
    body = message.get_content()
    assert "- the information sheet of North America WEG (French)\n" in body
    assert '- slides for "Work of NAWEG" (session 1) (English, French)\n' in body


def remind(client, network_id, htmx=False):
    token = csrf_token(client.get(PAGE).text)
    headers = {"HX-Request": "true", "HX-Target": f"network-{network_id}"} if htmx else {}
    return client.post(
        f"/manage/gm/materials/remind/{network_id}", data={"csrf_token": token}, headers=headers
    )


def directory(world, people):
    """NAWEG's directory: Ana (no account), Nina (the focal point account, mailed once)
    and Dee (an account, a delegate's: it cannot upload NAWEG's sheet)."""
    db.session.add_all(
        [
            FocalPoint(name="Ana", email="Ana@Naweg.example.org", networks=[world.naweg]),
            FocalPoint(name="Nina", email="FP@naweg.example.org", networks=[world.naweg]),
            FocalPoint(name="Dee", email="delegate@example.org", networks=[world.naweg]),
        ]
    )
    db.session.commit()


def test_reminder_mails_only_focal_point_accounts_and_is_logged(app, organiser, world, people):
    directory(world, people)

    response = remind(organiser, world.naweg.id, htmx=True)

    assert response.status_code == 200
    assert response.text.startswith(f'<tr id="network-{world.naweg.id}"')
    message = re.search(
        r'<p class="message message-success" role="status">(.*?)</p>', response.text
    )
    assert html.unescape(message.group(1)) == (
        "Reminder sent to 1 focal point address of NAWEG. 2 focal points in the directory "
        "have no "
        "account that can upload for NAWEG and were not mailed: invite them from the "
        "reminder's preview."
    )
    messages = outbox(app)
    assert [m["To"] for m in messages] == ["fp@naweg.example.org"]
    body = messages[0].get_content()
    assert "the information sheet of North America WEG" in body
    assert 'slides for "Work of NAWEG" (session 1)' in body
    assert "http://localhost/gm/materials/upload" in body
    [entry] = audit_entries("materials.reminder")
    assert entry.summary == "gm: reminder to NAWEG (1 address)"
    assert (entry.details["recipients"], entry.details["not_mailed"]) == (1, 2)
    assert entry.actor.email == "org@example.org"


def test_reminder_preview_says_who_is_not_mailed_and_offers_to_invite(
    app, organiser, world, people
):
    directory(world, people)

    page = organiser.get(f"/manage/gm/materials/remind/{world.naweg.id}").text

    mailed = re.search(r'id="mailed-heading".*?<ul class="addresses">(.*?)</ul>', page, re.S)
    assert re.findall(r"<li>(.*?)</li>", mailed.group(1)) == ["fp@naweg.example.org"]
    unreached = re.search(r'id="unreached-heading".*?<ul class="addresses">(.*?)</ul>', page, re.S)
    lines = [
        re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", li))).strip()
        for li in re.findall(r"<li>(.*?)</li>", unreached.group(1), re.S)
    ]
    assert lines == [
        "Ana (Ana@Naweg.example.org): no account. Invite Ana",
        "Dee (delegate@example.org): their account does not act for NAWEG. Change Dee’s account",
    ]
    links = re.findall(r'<a href="([^"]+)">Invite Ana</a>', page)
    assert links == [
        f"/manage/users?invite=Ana@Naweg.example.org&amp;network={world.naweg.id}#invite-heading"
    ]
    assert "Send the reminder to 1 address" in page
    assert outbox(app) == []


def test_invitation_link_of_the_preview_fills_in_the_form(app, organiser, world, people):
    page = organiser.get(
        f"/manage/users?invite=Ana%40Naweg.example.org&network={world.naweg.id}"
    ).text

    form = re.search(r'<form id="invite-form".*?</form>', page, re.S).group(0)
    assert re.search(r'<input[^>]*id="email"[^>]*value="([^"]*)"', form).group(1) == (
        "Ana@Naweg.example.org"
    )
    assert re.findall(r'<option selected value="(\w+)">', form) == ["focal_point"]
    checked = re.findall(r'<input type="checkbox"[^>]* value="(\d+)" checked>', form)
    assert checked == [str(world.naweg.id)]
    assert outbox(app) == []


@pytest.mark.parametrize("network", ["abc", "99999", "-1", "1" * 30])
def test_invitation_link_with_a_bad_network_fills_in_the_address_only(
    app, organiser, world, people, network
):
    response = organiser.get(f"/manage/users?invite=ana%40example.org&network={network}")

    assert response.status_code == 200
    form = re.search(r'<form id="invite-form".*?</form>', response.text, re.S).group(0)
    assert 'value="ana@example.org"' in form
    assert re.findall(r'<input type="checkbox"[^>]* checked>', form) == []


def test_reminder_to_focal_points_without_an_account_sends_nothing(app, organiser, world, people):
    people["latf"].is_disabled = True
    db.session.add(FocalPoint(name="Lia", email="lia@latf.example.org", networks=[world.latf]))
    db.session.commit()

    response = remind(organiser, world.latf.id)

    assert response.status_code == 303
    assert response.headers["Location"] == f"{PAGE}#network-{world.latf.id}-notice"
    page = organiser.get(PAGE).text
    notice = re.search(rf'<p class="message message-error" id="network-{world.latf.id}-notice"'
                       r'[^>]*>(.*?)</p>', page)  # fmt: skip
    assert html.unescape(notice.group(1)) == (
        "LATF has no focal point with an account: nothing was sent. 1 focal point in the "
        "directory has no account that can upload for LATF and was not mailed: invite them "
        "from the reminder's preview."
    )
    assert outbox(app) == []
    assert audit_entries("materials.reminder") == []


def test_reminder_for_a_network_not_in_the_meeting_is_404(app, organiser, world):
    from tests.factories import make_network

    other = make_network()
    assert remind(organiser, other.id).status_code == 404
    assert outbox(app) == []


def test_reminder_needs_an_organiser(app, client, auth, world, people):
    auth.login("fp@naweg.example.org")
    token = csrf_token(client.get("/gm/materials/upload").text)

    response = client.post(
        f"/manage/gm/materials/remind/{world.naweg.id}", data={"csrf_token": token}
    )

    assert response.status_code == 403
    assert outbox(app) == []


def test_deadline_is_set_in_the_meetings_time_zone(app, organiser, world):
    token = csrf_token(organiser.get(PAGE).text)

    response = organiser.post(
        "/manage/gm/materials/deadline",
        data={"csrf_token": token, "deadline": "2023-11-14T17:00"},
    )

    assert response.status_code == 303
    db.session.expire_all()
    # 17:00 in Panama (UTC-05:00) is 22:00 UTC.
    assert world.meeting.materials_deadline.isoformat() == "2023-11-14T22:00:00"
    [entry] = audit_entries("materials.deadline")
    assert entry.details["after"] == "2023-11-14T22:00:00"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("tomorrow", "Not a valid datetime value."),
        ("1850-01-01T10:00", "Give a date between 2000 and 2100."),
    ],
)
def test_bad_deadline_gets_message_and_changes_nothing(app, organiser, world, value, message):
    token = csrf_token(organiser.get(PAGE).text)

    response = organiser.post(
        "/manage/gm/materials/deadline", data={"csrf_token": token, "deadline": value}
    )

    assert response.status_code == 422
    assert field_error(response.text, "deadline") == message
    db.session.expire_all()
    assert world.meeting.materials_deadline is None


# -- Who may download, from the completeness page -------------------------------------------


def access_rows(page):
    """``{title (language): (who, hidden)}`` as the access table shows them."""
    table = re.search(r'<table class="table access-table">.*?<tbody>(.*?)</tbody>', page, re.S)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S):
        label = re.search(r"<label[^>]*>(.*?)</label>", row).group(1)
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        rows[html.unescape(label)] = (html.unescape(cells[2]), cells[3])
    return rows


@pytest.fixture
def files(app, organiser, world):
    """The report, NAWEG's sheet and both presentations' slides, uploaded by the organiser."""
    upload(organiser, "gm", "report", [(PDF, "report.pdf")])
    upload(organiser, "gm", f"sheet-{world.naweg.id}", [(PDF, "sheet.pdf")])
    upload(organiser, "gm", f"slides-{world.item_a.id}", [(PDF, "a.pdf")])
    upload(organiser, "gm", f"slides-{world.item_b.id}", [(PDF, "b.pdf")])
    db.session.expire_all()
    return {d.kind + (f"-{d.agenda_item_id}" if d.agenda_item_id else ""): d
            for d in world.meeting.documents}  # fmt: skip


def set_bulk_access(client, ids, htmx=False, **data):
    token = csrf_token(client.get(PAGE).text)
    headers = {"HX-Request": "true", "HX-Target": "access"} if htmx else {}
    return client.post(
        "/manage/gm/materials/access",
        data={"csrf_token": token, "documents": [str(i) for i in ids], **data},
        headers=headers,
    )


def test_organiser_sets_access_of_several_files_at_once(app, organiser, world, files):
    slides_a, slides_b = files[f"slides-{world.item_a.id}"], files[f"slides-{world.item_b.id}"]
    chosen = [files["report"].id, slides_a.id, slides_b.id]

    response = set_bulk_access(organiser, chosen, access="participants", embargo="on")

    assert response.status_code == 303
    assert response.headers["Location"] == f"{PAGE}#access-notice"
    db.session.expire_all()
    assert [(d.kind, d.access, d.embargoed) for d in world.meeting.documents] == [
        ("report", "participants", False),
        ("information_sheet", "public", False),
        ("slides", "participants", True),
        ("slides", "participants", True),
    ]
    entries = audit_entries("materials.access")
    assert [(e.target_id, e.details) for e in entries] == [
        (str(files["report"].id), {"before": ["public", False], "after": ["participants", False]}),
        (str(slides_a.id), {"before": ["public", False], "after": ["participants", True]}),
        (str(slides_b.id), {"before": ["public", False], "after": ["participants", True]}),
    ]
    page = organiser.get(PAGE).text
    notice = re.search(
        r'<p class="message message-success" id="access-notice"[^>]*>(.*?)</p>', page
    )
    assert notice.group(1) == "Saved for 3 files."
    assert access_rows(page)["Work of NAWEG (NAWEG) (English)"] == (
        "Participants (focal points, approved delegates)",
        "Yes",
    )


def test_one_file_and_only_what_was_chosen_changes(app, organiser, world, files):
    slides_a = files[f"slides-{world.item_a.id}"]
    slides_a.access, slides_a.embargoed = "organisers", True
    db.session.commit()

    response = set_bulk_access(organiser, [slides_a.id], embargo="off")

    assert response.status_code == 303
    db.session.expire_all()
    assert (slides_a.access, slides_a.embargoed) == ("organisers", False)
    [entry] = audit_entries("materials.access")
    assert entry.details == {"before": ["organisers", True], "after": ["organisers", False]}


def test_bulk_access_with_htmx_answers_with_the_section_and_its_message(
    app, organiser, world, files
):
    response = set_bulk_access(
        organiser, [files["report"].id, files["information_sheet"].id], htmx=True,
        access="public",
    )  # fmt: skip

    assert response.status_code == 200
    assert response.text.lstrip().startswith(
        '<section id="access" aria-labelledby="access-heading">'
    )
    notice = re.search(
        r'<p class="message message-success" id="access-notice"[^>]*>', response.text
    )
    assert notice.group(0).endswith(' role="status" tabindex="-1" autofocus>')
    assert "Nothing changed: the selected files were so already." in response.text
    assert audit_entries("materials.access") == []


@pytest.mark.parametrize(
    ("ids", "data", "field", "message"),
    [
        ([], {"access": "public"}, "documents", "Select at least one file."),
        (["abc"], {"access": "public"}, "documents",
         "Invalid choice(s): one or more data inputs could not be coerced."),
        (["999999"], {"access": "public"}, "documents",
         "'999999' is not a valid choice for this field."),
        (None, {}, "bulk-access", "Choose who may download, or whether slides are hidden."),
        (None, {"access": "everyone"}, "bulk-access", "Not a valid choice."),
        (None, {"embargo": "maybe"}, "bulk-embargo", "Not a valid choice."),
    ],
)  # fmt: skip
def test_bad_bulk_access_gets_a_message_and_changes_nothing(
    app, organiser, world, files, ids, data, field, message
):
    ids = [files["report"].id] if ids is None else ids

    response = set_bulk_access(organiser, ids, **data)

    assert response.status_code == 422
    assert field_error(response.text, field) == message
    db.session.expire_all()
    assert {(d.access, d.embargoed) for d in world.meeting.documents} == {("public", False)}
    assert audit_entries("materials.access") == []


def test_file_of_another_meeting_cannot_be_chosen(app, organiser, world, files):
    from tests.factories import make_document, make_meeting

    other = make_document(make_meeting(acronym="other"), kind="report", title="Other report")

    response = set_bulk_access(organiser, [other.id], access="organisers")

    assert response.status_code == 422
    db.session.expire_all()
    assert other.access == "public"


def test_bulk_access_is_for_organisers(app, client, auth, world, people, files):
    auth.logout()
    auth.login("fp@naweg.example.org")
    token = csrf_token(client.get("/gm/materials/upload").text)

    response = client.post(
        "/manage/gm/materials/access",
        data={"csrf_token": token, "documents": [str(files["report"].id)], "access": "organisers"},
    )

    assert response.status_code == 403
    db.session.expire_all()
    assert files["report"].access == "public"


def test_reminder_to_one_address_says_so_in_the_singular(app, organiser, world, people):
    response = remind(organiser, world.naweg.id, htmx=True)

    assert response.status_code == 200
    assert "Reminder sent to 1 focal point address of NAWEG." in response.text


def remind_everyone(client):
    token = csrf_token(client.get(PAGE).text)
    return client.post("/manage/gm/materials/remind-all", data={"csrf_token": token})


def test_reminder_to_every_network_queues_one_batch_and_logs_each(app, organiser, world, people):
    people["latf"].is_disabled = True
    db.session.commit()

    response = remind_everyone(organiser)

    assert response.status_code == 303
    assert response.headers["Location"] == f"{PAGE}#networks-notice"
    page = organiser.get(PAGE).text
    notice = re.search(r'id="networks-notice"[^>]*>(.*?)</p>', page).group(1)
    assert html.unescape(notice) == (
        "Reminders queued for 1 network (1 addresses). No focal point with an account, so "
        "not reminded: LATF."
    )
    assert [m["To"] for m in outbox(app)] == ["fp@naweg.example.org"]
    assert [e.summary for e in audit_entries("materials.reminder")] == [
        "gm: reminder to NAWEG (1 address)"
    ]


def test_reminder_to_every_network_skips_complete_ones_and_says_when_none_is_left(
    app, organiser, world, people, new_auth
):
    focal = new_auth()
    focal.login("fp@naweg.example.org")
    upload(focal.client, "gm", f"sheet-{world.naweg.id}", [(PDF, "sheet_en.pdf")])
    upload(focal.client, "gm", f"slides-{world.item_a.id}", [(PDF, "talk.pdf")])
    assert "Remind the 1 network with something missing" in organiser.get(PAGE).text

    remind_everyone(organiser)
    assert [m["To"] for m in outbox(app)] == ["fp@latf.example.org"]

    upload(organiser, "gm", f"sheet-{world.latf.id}", [(PDF, "sheet.pdf")])
    upload(organiser, "gm", f"slides-{world.item_b.id}", [(PDF, "talk.pdf")])
    page = organiser.get(PAGE).text
    assert "with something missing" not in page
    remind_everyone(organiser)
    notice = re.search(r'id="networks-notice"[^>]*>(.*?)</p>', organiser.get(PAGE).text)
    assert notice.group(1) == "Every network has sent everything: no reminder was needed."
    assert len(outbox(app)) == 1


def test_reminder_to_every_network_needs_an_organiser_and_a_token(app, client, auth, world, people):
    auth.login("fp@naweg.example.org")
    token = csrf_token(client.get("/gm/materials/upload").text)

    refused = client.post("/manage/gm/materials/remind-all", data={"csrf_token": token})

    assert refused.status_code == 403
    assert outbox(app) == []
