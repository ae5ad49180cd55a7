"""Every public page passes the Nu HTML checker (npm's vnu-jar, run once for all pages)."""

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.factories import canonical
from wenevents.agenda import services as agenda_services

VNU = Path(__file__).resolve().parent.parent / "node_modules/vnu-jar/build/dist/vnu.jar"

PUBLIC_PAGES = [
    "/",
    "/editions",
    "/gmwen4/",
    "/gmwen1/",
    "/gmwen4/schedule",
    "/gmwen4/schedule?day=all",
    "/gmwen4/schedule/text",
    "/fr/gmwen4/schedule/text",
    "/gmwen4/pack",
    "/gmwen4/schedule?network=asean-wen&day=all",
    "/gmwen4/schedule?tz=Asia/Tokyo&day=all",
    "/gmwen4/schedule?tz=Mars/Olympus",
    "/gmwen4/schedule?network=no-such-network",
    "/gmwen1/schedule",
    "/gmwen4/sessions/1",
    "/gmwen4/changelog",
    "/gmwen4/sessions/2?tz=Europe/Paris",
    "/gmwen4/sessions/4",
    "/networks/",
    "/networks/?q=africa",
    "/networks/?q=zzz",
    "/networks/asean-wen",
    "/no-such-page",
]


EDITOR = "/manage/gmwen4/agenda/"
SIGNED_IN_PAGES = [
    "/account",
    "/manage/users",
    "/manage/audit/",
    "/networks/naweg/edit",
    "/gmwen4/my-meeting",
    EDITOR,
    "/manage/gmwen4/registrations/badges",
    "/gmwen4/check-in/?q=a",
    "/manage/gmwen4/letters/",
    "/manage/gmwen4/letters/text/es",
]
SIGN_IN_PAGES = ["/login", "/forgot-password", "/verify", "/verify/AAAAA-BBBBB"]


def check(pages, tmp_path):
    """Validate ``{path: html bytes}`` in one run of the checker; return its complaints."""
    if not VNU.exists() or not shutil.which("java"):
        pytest.fail("The HTML checker needs `npm ci` (vnu-jar) and Java: run `make test`.")
    files = {}
    for n, (path, body) in enumerate(pages.items()):
        page = tmp_path / f"page{n}.html"
        page.write_bytes(body)
        files[str(page)] = path

    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json",
         *files],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [f"{files[m['url'].removeprefix('file:')]}: {m['message']}" for m in messages]


# Pages as they look while the meeting runs (now and next), at 11:20 in Panama on day one.
LIVE_PAGES = ["/gmwen4/schedule", "/gmwen4/schedule?day=all&tz=Europe/Paris", "/gmwen4/sessions/2"]
LIVE_AT = datetime(2023, 11, 21, 16, 20, tzinfo=UTC)


def test_public_pages_pass_nu_html_checker(client, demo, tmp_path, monkeypatch):
    pages = {path: client.get(canonical(path)).data for path in PUBLIC_PAGES}
    monkeypatch.setattr(agenda_services, "now_utc", lambda: LIVE_AT)
    live = {f"{path} (live)": client.get(canonical(path)).data for path in LIVE_PAGES}
    assert all(b"marker-now" in body for body in live.values())
    pages.update(live)
    problems = check(pages, tmp_path)
    assert problems == [], "\n".join(problems)


def test_sign_in_and_organiser_pages_pass_nu_html_checker(client, demo, tmp_path):
    from wenevents import demo as demo_data

    pages = {path: client.get(path).data for path in SIGN_IN_PAGES}
    password = dict((e, p) for e, _r, p in demo_data.reset_demo_passwords())
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text)
    client.post(
        "/login",
        data={"csrf_token": token[1], "email": "organiser@example.org",
              "password": password["organiser@example.org"]},
    )  # fmt: skip
    pages.update({path: client.get(path).data for path in SIGNED_IN_PAGES})
    assert b"Sign out" in pages["/account"]
    # The agenda editor with a new item's form open (the first session's), as without htmx.
    opener = re.search(r'href="(/manage/gmwen4/agenda/sessions/\d+/items)#', pages[EDITOR].decode())
    pages["the agenda editor, adding an item"] = client.get(opener[1]).data
    assert b'name="csrf_token"' in pages["the agenda editor, adding an item"]
    problems = check(pages, tmp_path)
    assert problems == [], "\n".join(problems)
