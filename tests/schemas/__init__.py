"""The frab schemas (and a real pretalx export) the tests validate against: c3voc's
voc/schedule files (EUPL-1.2), vendored unchanged in this folder; NOTICE.md says where
they come from and LICENCE.txt is their licence. The suite needs nothing outside its
checkout."""

from pathlib import Path

SCHEMAS = Path(__file__).resolve().parent


def schemas_dir():
    return SCHEMAS
