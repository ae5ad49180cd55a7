"""The benchmark runs end to end: database, gunicorn, timings, table."""

import re
import subprocess
import sys


def test_bench_smoke_prints_table():
    # A subprocess: the migrations reconfigure logging and gunicorn must really start.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.bench",
            "--requests",
            "5",
            "--scales",
            "1",
            "--no-servers",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for page in ("/gmwen4/", "/gmwen4/schedule"):
        queries = set()
        for prefix in ("", "/fr", "/es"):
            # scale, page, p50, p95, req/s, then an integer query count and the size in bytes.
            row = (
                rf"^\s*1x\s+{re.escape(prefix + page)}\s+[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(\d+)\s*$"
            )
            match = re.search(row, result.stdout, re.MULTILINE)
            assert match, result.stdout
            assert int(match.group(2)) > 0
            queries.add(int(match.group(1)))
        # The French and Spanish pages cost what the English one does.
        assert len(queries) == 1 and queries.pop() > 0


def test_ceiling_serves_the_page_and_the_projects_static_files(tmp_path, monkeypatch):
    import gzip
    import importlib

    from werkzeug.test import Client

    page = tmp_path / "page.gz"
    page.write_bytes(gzip.compress(b"<title>t</title>", mtime=0))
    monkeypatch.setenv("BENCH_CEILING_FILE", str(page))
    ceiling = importlib.reload(importlib.import_module("benchmarks.ceiling"))
    client = Client(ceiling.app)

    answer = client.get("/gmwen4/schedule")
    assert (answer.status_code, answer.data) == (200, page.read_bytes())
    style = client.get("/static/css/site.css")
    assert style.status_code == 200
    assert style.headers["Content-Type"] == "text/css"
    assert gzip.decompress(style.data) == (ceiling._STATIC / "css" / "site.css").read_bytes()
    for outside in ("/static/../pyproject.toml", "/static/nothing.css", "/static/css"):
        assert client.get(outside).status_code == 404
