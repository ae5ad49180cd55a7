"""The pages of issue #7 pass the Nu HTML checker: series, directory, network page with its
focal points, and the organisers' meetings, networks, focal points and import pages (with
errors shown, as after a bad submission)."""

import io
import re

from sqlalchemy import select

from tests.conftest import csrf_token
from tests.factories import make_registration
from tests.test_html_validity import check
from wenevents import demo as demo_data
from wenevents.extensions import db
from wenevents.meetings.models import Meeting
from wenevents.registration.models import APPROVED, SUBMITTED

PUBLIC = ["/series/gmwen", "/editions", "/gmwen4/", "/gmwen2/", "/networks/naweg"]
SIGNED_IN = [
    "/directory", "/directory?q=naweg&region=North+America", "/networks/naweg",
    "/manage/meetings/", "/manage/meetings/new", "/manage/meetings/gmwen4/edit",
    "/manage/meetings/gmwen4/clone", "/manage/meetings/gmwen4/delete",
    "/manage/meetings/series/1", "/manage/networks/", "/manage/networks/1",
    "/manage/networks/1/delete", "/manage/focal-points/", "/manage/focal-points/new",
    "/manage/focal-points/1", "/manage/focal-points/1/delete", "/manage/focal-points/import",
]  # fmt: skip


def sign_in(client, email):
    passwords = {e: p for e, _r, p in demo_data.reset_demo_passwords()}
    token = csrf_token(client.get("/login").text)
    client.post("/login", data={"csrf_token": token, "email": email, "password": passwords[email]})


def test_issue_7_pages_pass_nu_html_checker(app, client, demo, tmp_path):
    pages = {f"anonymous {path}": client.get(path).data for path in PUBLIC}
    sign_in(client, "organiser@example.org")
    pages.update({path: client.get(path).data for path in SIGNED_IN})
    token = csrf_token(client.get("/manage/meetings/new").text)
    pages["new meeting with errors"] = client.post(
        "/manage/meetings/new", data={"csrf_token": token, "acronym": "login", "title": ""}
    ).data
    pages["clone with errors"] = client.post(
        "/manage/meetings/gmwen4/clone", data={"csrf_token": token, "c4-acronym": "gmwen4"}
    ).data
    pages["import preview"] = client.post(
        "/manage/focal-points/import",
        data={"csrf_token": token, "file": (io.BytesIO(
            b"name,email,networks,phone\nAna,ana@example.org,NAWEG,\n"
            b"Ben,bad,ZZZ,call me\nnaweg.focal1@example.org,,,\n"
        ), "x.csv")},
        content_type="multipart/form-data",
    ).data  # fmt: skip
    assert re.search(rb'class="import-error"', pages["import preview"])
    problems = check(pages, tmp_path)
    assert problems == [], "\n".join(problems)


def test_directory_for_a_delegate_passes_nu_html_checker(app, client, demo, tmp_path):
    """Before approval (what opens when) and after (the directory itself)."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
    meeting.registration_settings.participants_list = "participants"
    registration = make_registration(meeting, email="delegate@example.org", status=SUBMITTED)
    sign_in(client, "delegate@example.org")
    paths = ["/directory", "/networks/sawen", "/gmwen4/participants", "/gmwen4/materials"]
    pages = {f"submitted {path}": client.get(path).data for path in paths}
    registration.status = APPROVED
    db.session.commit()
    pages.update({f"approved {path}": client.get(path).data for path in paths})

    assert b"The directory opens to participants" in pages["submitted /directory"]
    assert b"sawen.focal1@example.org" in pages["approved /directory"]
    problems = check(pages, tmp_path)
    assert problems == [], "\n".join(problems)
