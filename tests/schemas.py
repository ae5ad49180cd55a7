"""Where the frab schemas (and a real pretalx export) are: third-party reference files
(c3voc's voc/schedule, EUPL-1.2) kept beside the project, not in it.

Looked for in ``WENEVENTS_SCHEMAS_DIR``, then ``../shared/schemas`` beside this checkout,
then ``/work/shared/schemas`` (a clone made elsewhere on the machine). Tests that need them
fail with this message rather than pass without checking anything.
"""

import os
from pathlib import Path

import pytest

_CANDIDATES = [
    os.environ.get("WENEVENTS_SCHEMAS_DIR", ""),
    str(Path(__file__).resolve().parents[2] / "shared" / "schemas"),
    "/work/shared/schemas",
]


def schemas_dir():
    for candidate in filter(None, _CANDIDATES):
        path = Path(candidate)
        if (path / "schedule.xml.xsd").is_file():
            return path
    pytest.fail(
        "The frab schemas were not found: set WENEVENTS_SCHEMAS_DIR to a folder with "
        "schedule.xml.xsd, schedule.schema.json and example-pretalx-democon.schedule.json."
    )
