"""A download that broke off resumes where it stopped (Range with If-Range), for every
stored file, and yields the same bytes as a whole one: the SHA-256 the upload recorded."""

import hashlib

import pytest
from sqlalchemy import select

from wenevents.extensions import db
from wenevents.meetings.models import Meeting
from wenevents.uploads.models import Document


@pytest.fixture
def report(demo):
    meeting = db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))
    return db.session.scalar(
        select(Document).filter_by(meeting=meeting, kind="report", language="en")
    )


def test_download_resumed_after_a_break_matches_the_whole(client, report):
    url = f"/gmwen4/materials/{report.id}"
    whole = client.get(url)
    cut = 1000

    first = client.get(url, headers={"Range": f"bytes=0-{cut - 1}"})
    rest = client.get(url, headers={"Range": f"bytes={cut}-", "If-Range": whole.headers["ETag"]})

    assert whole.headers["Accept-Ranges"] == "bytes"
    assert (first.status_code, rest.status_code) == (206, 206)
    size = report.current.size
    assert first.headers["Content-Range"] == f"bytes 0-{cut - 1}/{size}"
    assert rest.headers["Content-Range"] == f"bytes {cut}-{size - 1}/{size}"
    resumed = first.data + rest.data
    assert resumed == whole.data
    assert hashlib.sha256(resumed).hexdigest() == report.current.sha256


def test_download_resumed_after_the_file_changed_starts_again(client, report):
    # If-Range with an ETag the file no longer has: the whole new file, never a mix.
    url = f"/gmwen4/materials/{report.id}"

    answer = client.get(url, headers={"Range": "bytes=1000-", "If-Range": '"an-old-etag"'})

    assert answer.status_code == 200
    assert hashlib.sha256(answer.data).hexdigest() == report.current.sha256


def test_download_range_past_the_end_is_refused(client, report):
    size = report.current.size

    answer = client.get(f"/gmwen4/materials/{report.id}", headers={"Range": f"bytes={size}-"})

    assert answer.status_code == 416
    assert answer.headers["Content-Range"] == f"bytes */{size}"
