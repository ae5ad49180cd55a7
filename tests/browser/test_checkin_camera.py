"""Check-in with the phone's camera, in Chromium, whose Linux build has no BarcodeDetector:
the vendored decoder (jsQR) reads the badge's QR code from the camera's frames. The camera
is Chromium's fake one, playing a video of the badge's QR code."""

from datetime import date

import pytest
from playwright.sync_api import expect
from reportlab.graphics.barcode import qrencoder
from sqlalchemy import select

from tests.browser import conftest as browser
from tests.factories import make_registration
from wenevents.accounts.models import User
from wenevents.extensions import db
from wenevents.meetings.models import Meeting
from wenevents.registration import badges
from wenevents.registration.models import CheckinHelper

pytestmark = pytest.mark.browser
WIDTH, HEIGHT, MODULE = 640, 480, 8


def qr_video(text, path):
    """A one-frame YUV4MPEG2 video (Chromium's fake camera plays it in a loop) of ``text``
    as a QR code, black on white."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    count = code.getModuleCount()
    left, top = (WIDTH - count * MODULE) // 2, (HEIGHT - count * MODULE) // 2
    luma = bytearray(b"\xeb" * (WIDTH * HEIGHT))
    for row in range(count):
        for column in range(count):
            if code.isDark(row, column):
                for y in range(top + row * MODULE, top + (row + 1) * MODULE):
                    start = y * WIDTH + left + column * MODULE
                    luma[start : start + MODULE] = b"\x10" * MODULE
    chroma = b"\x80" * (WIDTH * HEIGHT // 4)
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"FRAME\n" + bytes(luma) + chroma + chroma)


@pytest.fixture(scope="module")
def door(live_app, passwords):
    with live_app.app_context():
        meeting = db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))
        meeting.start_date = meeting.end_date = date.today()
        helper = db.session.scalar(select(User).filter_by(email="delegate@example.org"))
        db.session.add(CheckinHelper(meeting_id=meeting.id, user_id=helper.id))
        person = make_registration(
            meeting, status="approved", given_name="Kofi", family_name="Mensah"
        )
        db.session.commit()
        token = badges.badge_token(person)
    return passwords["delegate@example.org"], token


def test_helper_scans_a_badge_with_the_camera(
    playwright, browser_type_launch_args, live_url, door, tmp_path
):
    password, token = door
    video = tmp_path / "badge.y4m"
    qr_video(token, video)
    args = [
        *browser_type_launch_args["args"],
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    chromium = playwright.chromium.launch(
        executable_path=browser_type_launch_args["executable_path"], args=args
    )
    try:
        context = chromium.new_context(viewport={"width": 390, "height": 844}, base_url=live_url)
        context.grant_permissions(["camera"], origin=live_url)
        page = context.new_page()
        browser.sign_in(page, live_url, "delegate@example.org", password, key="Enter")
        page.goto(live_url + "/gmwen4/check-in/")
        browser.wait_for_htmx(page)
        assert page.evaluate("'BarcodeDetector' in window") is False

        page.get_by_role("button", name="Scan with the camera").press("Enter")

        expect(page.locator("#checkin-said")).to_have_text(
            "Kofi Mensah is checked in.", timeout=20000
        )
    finally:
        chromium.close()
