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
