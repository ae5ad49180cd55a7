"""The printable schedule: a PDF with one page a day."""

import base64
import re
import zlib
from datetime import date, time

import pytest

from tests.factories import make_item, make_meeting, make_network, make_session, publish_agenda
from wenevents.agenda import pdf

PAGE = re.compile(rb"/Type /Page\b")


def pages_in(data):
    return len(PAGE.findall(data))


def page_text(data):
    """Every content stream of the PDF, decompressed, as one string (for simple checks)."""
    text = b""
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        stream = stream.strip()
        if stream.endswith(b"~>"):  # ReportLab's ASCII85, then Flate
            stream = base64.a85decode(stream[:-2])
        try:
            text += zlib.decompressobj().decompress(stream)
        except zlib.error:
            text += stream
    return text


def test_schedule_pdf_is_an_inline_pdf_with_a_filename(client, demo):
    response = client.get("/gmwen4/schedule.pdf")

    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == 'inline; filename="gmwen4-schedule.pdf"'


def test_schedule_pdf_has_one_page_per_day(client, demo):
    assert pages_in(client.get("/gmwen4/schedule.pdf").data) == 2


def test_schedule_pdf_of_three_days_has_three_pages(client):
    meeting = make_meeting(start_date=date(2024, 3, 4), end_date=date(2024, 3, 6))
    make_session(meeting, day=date(2024, 3, 4))
    make_session(meeting, day=date(2024, 3, 6))  # the 5th has none, and still a page
    publish_agenda(meeting)

    assert pages_in(client.get(f"/{meeting.acronym}/schedule.pdf").data) == 3


def test_schedule_pdf_is_the_same_for_the_same_release(client, demo):
    first = client.get("/gmwen4/schedule.pdf")
    again = client.get("/gmwen4/schedule.pdf", headers={"If-None-Match": first.headers["ETag"]})

    assert client.get("/gmwen4/schedule.pdf").data == first.data
    assert again.status_code == 304


def test_schedule_pdf_embeds_dejavu_when_installed(client, demo):
    if not (pdf.FONT_DIR / "DejaVuSans.ttf").is_file():
        pytest.skip("fonts-dejavu-core is not installed")

    data = client.get("/gmwen4/schedule.pdf").data

    assert b"/FontFile2" in data
    assert b"DejaVuSans" in data


def test_schedule_pdf_falls_back_to_helvetica_without_dejavu(client, demo, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "FONT_DIR", tmp_path)

    data = client.get("/gmwen4/schedule.pdf").data

    assert data.startswith(b"%PDF-")
    assert b"/BaseFont /Helvetica" in data
    assert b"/FontFile2" not in data
    assert pages_in(data) == 2


def test_schedule_pdf_in_helvetica_holds_the_expected_text(client, demo, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "FONT_DIR", tmp_path)

    text = page_text(client.get("/gmwen4/schedule.pdf").data)

    assert b"(4th Global Meeting of Wildlife Enforcement Networks)" in text
    assert b"(Tuesday 21 November 2023)" in text
    assert b"(Wednesday 22 November 2023)" in text
    assert b"Session 4 \\226 Closed session" in text
    assert b"Exchange on ongoing cases" not in text
    assert b"Operational planning" not in text
    assert b"sole responsibility of the respective presenters." in text
    footer = rb"\(Release 1, published \d+ \w+ \d{4} at \d\d:\d\d \\\(America/Panama\\\) "
    assert len(re.findall(footer + rb"\\267 Page [12]\)", text)) == 2
    assert b"09:00\\22610:30 UTC-05:00 \\267 Plenary hall" in text


def test_schedule_pdf_survives_markup_and_characters_the_font_lacks(client):
    meeting = make_meeting(title="Réunion <b>& “WEN” 中国</b>")
    session = make_session(meeting, title="Łódź <para> & Ωmega", chair="Nguyễn Thị Ánh")
    make_item(session, title="<font name='x'>", network=make_network(), duration_minutes=10)
    publish_agenda(meeting)

    response = client.get(f"/{meeting.acronym}/schedule.pdf")

    assert response.status_code == 200
    assert pages_in(response.data) == 2


def test_printable_replaces_what_helvetica_cannot_draw():
    *_fonts, characters = pdf.fonts("/nonexistent")

    assert pdf.printable("Łódź – Nguyễn 中国 UTC−05:00 “q”", characters) == (
        "Lódz – Nguyen ?? UTC-05:00 “q”"
    )


def test_printable_keeps_what_dejavu_draws():
    if not (pdf.FONT_DIR / "DejaVuSans.ttf").is_file():
        pytest.skip("fonts-dejavu-core is not installed")
    *_fonts, characters = pdf.fonts(str(pdf.FONT_DIR))

    assert pdf.printable("Łódź Ωmega Москва UTC−05:00 中", characters) == (
        "Łódź Ωmega Москва UTC−05:00 ?"
    )


@pytest.mark.parametrize("path", ["/gmwen1/schedule.pdf", "/nosuchmeeting/schedule.pdf"])
def test_schedule_pdf_before_release_or_of_unknown_meeting_gets_404(client, demo, path):
    assert client.get(path).status_code == 404


def test_schedule_pdf_of_scaled_agenda_still_builds(client, demo):
    from wenevents import demo as demo_data

    demo_data.scale("gmwen4", sessions=80, items=600)

    response = client.get("/gmwen4/schedule.pdf")

    assert response.status_code == 200
    assert pages_in(response.data) > 2


def test_schedule_pdf_of_one_day_meeting_has_one_page(client):
    meeting = make_meeting(
        timezone="Europe/Zurich", start_date=date(2019, 8, 22), end_date=date(2019, 8, 22)
    )
    make_session(meeting, starts_at=time(14, 0), ends_at=time(15, 0))
    publish_agenda(meeting)

    assert pages_in(client.get(f"/{meeting.acronym}/schedule.pdf").data) == 1
