"""What a received file is, by its content: the allow-list of materials.

PDF, PNG and JPEG are known by their first bytes. Office files (OOXML: PPTX, DOCX, XLSX;
OpenDocument: ODP, ODT, ODS) are ZIP containers: their entry count and unpacked size are
read from the archive's directory and checked before any entry is unpacked, then the one
small entry that names the document's type is read (capped). Macro-enabled documents,
HTML, SVG, scripts and anything else are refused, whatever the file is called.
"""

import re
import struct
import unicodedata
import zipfile
from dataclasses import dataclass

from wenevents.i18n import lazy_gettext as _l
from wenevents.storage import SIGNATURES
from wenevents.text import clean_line
from wenevents.web import megabytes


@dataclass(frozen=True)
class Kind:
    mimetype: str
    extension: str
    label: str


PDF = Kind("application/pdf", "pdf", "PDF")
PNG = Kind("image/png", "png", "PNG")
JPEG = Kind("image/jpeg", "jpg", "JPEG")
PPTX = Kind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx", "PPTX"
)
DOCX = Kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "DOCX"
)
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "XLSX")
ODP = Kind("application/vnd.oasis.opendocument.presentation", "odp", "ODP")
ODT = Kind("application/vnd.oasis.opendocument.text", "odt", "ODT")
ODS = Kind("application/vnd.oasis.opendocument.spreadsheet", "ods", "ODS")
KINDS = (PDF, PPTX, DOCX, XLSX, ODP, ODT, ODS, PNG, JPEG)
BY_EXTENSION = {kind.extension: kind for kind in KINDS}
# What the file input offers (a hint for the picker; the server decides by content).
ACCEPT = ",".join(f".{k.extension}" for k in KINDS) + ",.jpeg"

# The main part of each OOXML document type we take, in [Content_Types].xml.
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_ODF = {ODP.mimetype: ODP, ODT.mimetype: ODT, ODS.mimetype: ODS}
# A content type of this shape in an OOXML package means code inside it.
_ACTIVE = re.compile(rb"macroEnabled|vbaProject|vnd\.ms-office\.activeX|vbaData", re.I)
_CONTENT_TYPE = re.compile(rb'ContentType="([^"]+)"')
_MAX_TYPES_BYTES = 1024 * 1024
# Text that a browser would run or render: said plainly in the refusal.
_MARKUP = re.compile(rb"^\s*<", re.S)
_SCRIPT = re.compile(rb"^\s*(#!|MZ|\x7fELF)", re.S)

RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10))}
RESERVED |= {f"LPT{n}" for n in range(10)}
_UNSAFE_CHARS = re.compile(r'[<>:"/\\|?*]')


class Refused(ValueError):
    """A file not taken, with the message the person sees."""


def identify(path, head, max_entries, max_unpacked):
    """The Kind of the file at ``path`` (``head``: its first bytes); or raise Refused."""
    if not head:
        raise Refused(_l("The file is empty."))
    for mimetype, (magic, _ext) in SIGNATURES.items():
        if head.startswith(magic):
            return next(k for k in KINDS if k.mimetype == mimetype)
    if head.startswith(b"PK\x03\x04"):
        return _office(path, max_entries, max_unpacked)
    body = head.lstrip(b"\xef\xbb\xbf")
    if _MARKUP.match(body):
        raise Refused(
            _l("This file is HTML, SVG or XML, which can carry scripts: send a PDF instead.")
        )
    if _SCRIPT.match(body):
        raise Refused(_l("This file is a program or a script: these are never accepted."))
    raise Refused(
        _l(
            "This kind of file is not accepted. Send PDF, PPTX, DOCX, XLSX, ODP, ODT, ODS, "
            "PNG or JPEG."
        )
    )


def _office(path, max_entries, max_unpacked):
    """An OOXML or OpenDocument file, checked before anything in it is unpacked."""
    entries, directory_size = _zip_directory(path)
    if entries > max_entries:
        raise Refused(
            _l(
                "This archive has too many parts (%(n)d; at most %(max)d).",
                n=entries,
                max=max_entries,
            )
        )
    if directory_size > max_entries * 1024:
        raise Refused(_l("This archive's directory is too large."))
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            unpacked = sum(info.file_size for info in infos)
            if unpacked > max_unpacked:
                raise Refused(
                    _l(
                        "Unpacked, this file would take %(size)s, more than the %(max)s allowed.",
                        size=megabytes(unpacked),
                        max=megabytes(max_unpacked),
                    )
                )
            names = {info.filename: info for info in infos}
            if "[Content_Types].xml" in names:
                return _ooxml(archive, names)
            if "mimetype" in names:
                return _opendocument(archive, names)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError):
        raise Refused(
            _l("This file is damaged: it cannot be read as an Office document.")
        ) from None
    raise Refused(_l("A ZIP archive is not accepted: send each document on its own."))


def _ooxml(archive, names):
    if any(_ACTIVE.search(name.encode("utf-8", "replace")) for name in names):
        raise Refused(_macros())
    types = _read_capped(archive, names["[Content_Types].xml"])
    if _ACTIVE.search(types):
        raise Refused(_macros())
    for content_type in _CONTENT_TYPE.findall(types):
        kind = _OOXML_MAIN.get(content_type.decode("ascii", "replace"))
        if kind:
            return kind
    raise Refused(
        _l("This Office file is not a presentation, document or spreadsheet that is accepted.")
    )


def _opendocument(archive, names):
    if any(name.startswith(("Basic/", "Scripts/")) for name in names):
        raise Refused(_macros())
    mimetype = _read_capped(archive, names["mimetype"]).strip().decode("ascii", "replace")
    kind = _ODF.get(mimetype)
    if kind is None:
        raise Refused(_l("This OpenDocument file is not a presentation, text or spreadsheet."))
    return kind


def _macros():
    return _l(
        "This file contains macros or other code (for example .docm or .pptm), which are "
        "never accepted: save it as PDF, PPTX, DOCX or XLSX."
    )


def _read_capped(archive, info):
    """One entry, unpacked only while it stays small (its declared size may lie)."""
    if info.file_size > _MAX_TYPES_BYTES:
        raise Refused(_l("This file is damaged: it cannot be read as an Office document."))
    with archive.open(info) as entry:
        data = entry.read(_MAX_TYPES_BYTES + 1)
    if len(data) > _MAX_TYPES_BYTES:
        raise Refused(_l("This file is damaged: it cannot be read as an Office document."))
    return data


def _zip_directory(path):
    """(entries, directory size) from the end-of-central-directory record, read before
    Python's zipfile loads the directory itself (a huge one would cost memory)."""
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        tail_size = min(size, 65536 + 22)
        fh.seek(size - tail_size)
        tail = fh.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise Refused(_l("This file is damaged: it cannot be read as an Office document."))
    _sig, _disk, _cd_disk, _here, entries, cd_size, _offset, _comment = struct.unpack(
        "<4s4H2LH", tail[at : at + 22]
    )
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
        # ZIP64: no Office document under the size limit needs it.
        raise Refused(_l("This archive has too many parts."))
    return entries, cd_size


def clean_name(name, kind=None):
    """The name shown and offered on download: no folders, no control or direction
    characters, no characters Windows refuses, no device names, ending in ``kind``'s
    extension (added when the name says something else)."""
    # The site's rule for a line of text (text.clean_line: no bidi controls, no zero-width
    # characters, NFC), then what is a file name's own: no folders, no private-use signs.
    name = clean_line(str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) != "Co")
    name = _UNSAFE_CHARS.sub("_", name).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    if kind is not None:
        wanted = {kind.extension} | ({"jpeg"} if kind is JPEG else set())
        if extension.lower() not in wanted:
            stem, extension = name, kind.extension
    stem = stem.strip(" .") or "file"
    if stem.split(".")[0].upper() in RESERVED:
        stem = "_" + stem
    if not extension:
        return stem[:200]
    return f"{stem[: 200 - len(extension) - 1]}.{extension}"
