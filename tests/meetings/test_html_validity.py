"""The pages of issue #7 pass the Nu HTML checker: series, directory, network page with its
focal points, and the organisers' meetings, networks, focal points and import pages (with
errors shown, as after a bad submission)."""

import io
import re

from tests.accounts.conftest import csrf_token
from tests.test_html_validity import check
from wenevents import demo as demo_data

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
    sign_in(client, "delegate@example.org")
    pages = {path: client.get(path).data for path in ["/directory", "/networks/sawen"]}

    problems = check(pages, tmp_path)
    assert problems == [], "\n".join(problems)
