"""Every public page passes the Nu HTML checker (npm's vnu-jar, run once for all pages)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

VNU = Path(__file__).resolve().parent.parent / "node_modules/vnu-jar/build/dist/vnu.jar"
# htmx's attributes are the only messages we ignore: the checker knows no hx-* attributes.
HTMX_ATTRIBUTE = r".*Attribute .hx-[a-z:-]+. not allowed.*"

PUBLIC_PAGES = [
    "/",
    "/editions",
    "/gmwen4/",
    "/gmwen1/",
    "/gmwen4/schedule",
    "/gmwen1/schedule",
    "/gmwen4/sessions/1",
    "/gmwen4/sessions/4",
    "/networks/",
    "/networks/?q=africa",
    "/networks/?q=zzz",
    "/networks/asean-wen",
    "/no-such-page",
]


def test_public_pages_pass_nu_html_checker(client, demo, tmp_path):
    if not VNU.exists() or not shutil.which("java"):
        pytest.fail("The HTML checker needs `npm ci` (vnu-jar) and Java: run `make test`.")
    files = []
    for n, path in enumerate(PUBLIC_PAGES):
        page = tmp_path / f"page{n}.html"
        page.write_bytes(client.get(path).data)
        files.append(str(page))

    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json",
         "--filterpattern", HTMX_ATTRIBUTE, *files],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    problems = [
        f"{PUBLIC_PAGES[files.index(m['url'].removeprefix('file:'))]}: {m['message']}"
        for m in messages
    ]
    assert problems == []
