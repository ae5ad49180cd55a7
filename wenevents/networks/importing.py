"""Focal points from and to CSV: an import previewed row by row, then confirmed; the export.

An import adds focal points and updates the ones it recognises by email address. It never
deletes one, never takes a network away from one, and never blanks a field: an empty cell
leaves what is stored. Nothing is written until the organiser confirms; the preview goes to
the confirmation as a signed token (never trusting the browser's copy), and confirming
checks again that nothing it relied on has changed.
"""

import csv
import io

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from wenevents.accounts.services import normalise_email
from wenevents.audit import services as audit
from wenevents.countries import NOT_COUNTRIES
from wenevents.extensions import db
from wenevents.networks.forms import NETWORK_SEPARATORS, PHONE
from wenevents.networks.models import (
    CONTACT_FIELDS,
    NEVER_PUBLIC,
    ORGANISERS,
    PARTICIPANTS,
    VISIBILITIES,
    FocalPoint,
    Network,
)
from wenevents.spreadsheets import safe_cell
from wenevents.text import MAX_EMAIL, clean_line, stacked_marks

MAX_BYTES = 1_000_000
MAX_ROWS = 2000
PREVIEW_MAX_AGE = 3600  # seconds
_SALT = "focal-point-import"
NEW, UPDATE, SAME, ERROR = "new", "update", "same", "error"

# Column headings (as the export writes them) and the field each fills.
COLUMNS = {
    "name": "name",
    "title": "title",
    "agency": "agency",
    "email": "email",
    "phone": "phone",
    "country": "country_code",
    "networks": "networks",
    **{
        f"{'country' if f == 'country_code' else f}_visibility": f"{f}_visibility"
        for f in CONTACT_FIELDS
    },
}
# Other spellings people use for the same headings.
ALIASES = {"e-mail": "email", "email_address": "email", "country_code": "country"}
LIMITS = {"name": 200, "title": 200, "agency": 300, "email": 320, "phone": 50}
TEXT_FIELDS = ("name", "title", "agency", "email", "phone", "country_code")


class ImportProblem(Exception):
    """The file (or the confirmation) as a whole is refused; nothing was written."""

    def __init__(self, message, status=422):
        super().__init__(message)
        self.status = status


# -- Reading the file --------------------------------------------------------------------


def _text(data):
    if len(data) > MAX_BYTES:
        raise ImportProblem(_("The file is larger than 1 MB. Split it into smaller files."))
    try:
        # utf-8-sig: the byte-order mark spreadsheet programs write is not part of a heading.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportProblem(
            _("The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”.")
        ) from None


def _heading(cell):
    name = cell.strip().lower().replace(" ", "_")
    return ALIASES.get(name, name)


def _records(text):
    """The rows of the file; semicolons or commas, whichever the heading row uses."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise ImportProblem(
                    _("The file has more than %(num)d rows. Split it.", num=MAX_ROWS)
                )
    except csv.Error as error:
        raise ImportProblem(
            _("Row %(row)d cannot be read: %(error)s", row=len(rows) + 1, error=str(error))
        ) from None
    return rows


def _columns(header):
    """``({index: field}, [ignored headings])``; refuses a file without name and email."""
    columns, ignored = {}, []
    for index, cell in enumerate(header):
        heading = _heading(cell)
        field = COLUMNS.get(heading)
        if field is None:
            if cell.strip():
                ignored.append(cell.strip())
            continue
        if field in columns.values():
            raise ImportProblem(_("The column “%(name)s” appears twice.", name=cell.strip()))
        columns[index] = field
    missing = [h for h in ("name", "email") if h not in columns.values()]
    if missing:
        raise ImportProblem(
            _(
                "The first row must name the columns, with at least “name” and “email”. "
                "Missing: %(columns)s.",
                columns=", ".join(missing),
            )
        )
    return columns, ignored


def _unescape(value):
    """Undo the export's protection of cells a spreadsheet could run (``'+1 555`` → ``+1 555``)."""
    if value.startswith("'") and safe_cell(value[1:]) != value[1:]:
        return value[1:]
    return value


# -- Checking each row -------------------------------------------------------------------


class _Context:
    """What every row is checked against, loaded once for the whole file."""

    def __init__(self, emails):
        self.networks = {n.acronym.lower(): n for n in db.session.scalars(select(Network)).all()}
        self.existing = {}
        emails = sorted(emails)
        for start in range(0, len(emails), 500):
            chunk = emails[start : start + 500]
            for focal_point in db.session.scalars(
                select(FocalPoint)
                .where(func.lower(FocalPoint.email).in_(chunk))
                .options(selectinload(FocalPoint.networks))
            ):
                self.existing[normalise_email(focal_point.email)] = focal_point
        territories = get_locale().territories
        self.countries = {
            code for code in territories if len(code) == 2 and code.isalpha()
        } - NOT_COUNTRIES
        self.country_names = {
            territories[code].lower(): code for code in self.countries if code in territories
        }


def _country(value, context, errors):
    if not value:
        return ""
    if value.upper() in context.countries:
        return value.upper()
    code = context.country_names.get(value.lower())
    if code:
        return code
    errors.append(
        _("Unknown country “%(value)s”: give its two-letter code, such as PA.", value=value)
    )
    return ""


def _networks(value, context, errors):
    found = []
    names = value
    for separator in NETWORK_SEPARATORS:
        names = names.replace(separator, "\n")
    for acronym in (a.strip() for a in names.split("\n")):
        if not acronym:
            continue
        network = context.networks.get(acronym.lower())
        if network is None:
            errors.append(_("Unknown network “%(acronym)s”.", acronym=acronym))
        elif network.is_archived:
            errors.append(
                _("The network %(acronym)s is archived: it takes no new focal points.",
                  acronym=network.acronym)
            )  # fmt: skip
        elif network not in found:
            found.append(network)
    return found


def _visibility(field, value, errors):
    if not value:
        return ""
    value = value.strip().lower()
    if value not in VISIBILITIES:
        errors.append(
            _("“%(value)s” in %(column)s: use public, participants or organisers.",
              value=value, column=field)
        )  # fmt: skip
        return ""
    if field.removesuffix("_visibility") in NEVER_PUBLIC and value not in (
        PARTICIPANTS,
        ORGANISERS,
    ):
        errors.append(_("Email addresses and phone numbers are never public."))
        return ""
    return value


def _check(cells, columns, context):
    """``(values, networks, errors)`` of one row; values hold only non-empty cells."""
    errors, values = [], {}
    raw = {
        field: _unescape(cells[i].strip()) if i < len(cells) else "" for i, field in columns.items()
    }
    if any("\x00" in v or "\ufffd" in v for v in raw.values()):
        errors.append(_("This row contains characters that are not valid text."))
        return {}, [], errors
    for field in TEXT_FIELDS:
        # The forms' rule for one line of text (see text.clean_line), the email apart.
        value = raw.get(field, "") if field == "email" else clean_line(raw.get(field, ""))
        if stacked_marks(value):
            errors.append(_("%(column)s has too many marks stacked on one letter.", column=field))
            value = ""
        if field in LIMITS and len(value) > LIMITS[field]:
            errors.append(
                _("%(column)s is longer than %(num)d characters.", column=field, num=LIMITS[field])
            )
            value = ""
        if value:
            values[field] = value
    if not values.get("name"):
        errors.append(_("The name is missing."))
    email = normalise_email(values.get("email"))
    if not email:
        errors.append(_("The email address is missing: the import recognises people by it."))
    elif len(email) > MAX_EMAIL:
        errors.append(_("The email address is longer than %(n)d characters.", n=MAX_EMAIL))
    else:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            errors.append(_("“%(value)s” is not a valid email address.", value=email))
        values["email"] = email
    if values.get("phone") and not PHONE.match(values["phone"]):
        errors.append(_("“%(value)s” is not a phone number.", value=values["phone"]))
    if "country_code" in values:
        values["country_code"] = _country(values["country_code"], context, errors)
    for field in (f"{f}_visibility" for f in CONTACT_FIELDS):
        value = _visibility(field, raw.get(field, ""), errors)
        if value:
            values[field] = value
    networks = _networks(raw.get("networks", ""), context, errors)
    return values, networks, errors


def _changes(focal_point, values, networks):
    """What importing the row would change in a stored focal point."""
    changed = [f for f, v in values.items() if v and getattr(focal_point, f) != v]
    have = {n.id for n in focal_point.networks}
    added = [n.acronym for n in networks if n.id not in have]
    return changed + (["networks"] if added else []), added


def preview(data):
    """What importing ``data`` (bytes) would do, row by row; writes nothing.

    Returns ``{"rows": [...], "ignored": [...], "counts": {...}}``; each row has its
    number as a spreadsheet shows it (the heading row is 1), its values, its action (new,
    update, same, error) and its problems.
    """
    records = _records(_text(data))
    if not records:
        raise ImportProblem(_("The file is empty."))
    columns, ignored = _columns(records[0])
    email_index = next(i for i, f in columns.items() if f == "email")
    emails = {normalise_email(r[email_index]) for r in records[1:] if len(r) > email_index} - {""}
    context = _Context(emails)
    seen, rows = {}, []
    for number, cells in enumerate(records[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        values, networks, errors = _check(cells, columns, context)
        email = values.get("email", "")
        if email and email in seen:
            errors.append(_("The same email address as row %(row)d.", row=seen[email]))
        elif email:
            seen[email] = number
        row = {
            "row": number,
            "values": values,
            "networks": [n.acronym for n in networks],
            "network_ids": [n.id for n in networks],
            "errors": errors,
            "focal_point_id": None,
            "changes": [],
        }
        existing = context.existing.get(email) if not errors else None
        if errors:
            row["action"] = ERROR
        elif existing is None:
            row["action"] = NEW
        else:
            row["focal_point_id"] = existing.id
            row["changes"], _added = _changes(existing, values, networks)
            row["action"] = UPDATE if row["changes"] else SAME
        rows.append(row)
    counts = {a: sum(1 for r in rows if r["action"] == a) for a in (NEW, UPDATE, SAME, ERROR)}
    return {"rows": rows, "ignored": ignored, "counts": counts}


def good_rows(plan):
    """The rows a confirmation would import (new ones and updates)."""
    return [r for r in plan["rows"] if r["action"] in (NEW, UPDATE)]


# -- Carrying the preview to the confirmation --------------------------------------------


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def sign(plan, user):
    """The good rows as a tamper-proof token, bound to the organiser who previewed them."""
    rows = [
        {k: r[k] for k in ("row", "values", "network_ids", "focal_point_id")}
        for r in good_rows(plan)
    ]
    return _serializer().dumps({"rows": rows, "user": user.id})


def unsign(token, user):
    """The rows a token carries, if this organiser made it within the hour."""
    expired = ImportProblem(
        _("This preview has expired or is not valid. Upload the file again."), status=400
    )
    try:
        payload = _serializer().loads(token or "", max_age=PREVIEW_MAX_AGE)
    except BadSignature:
        raise expired from None
    if not isinstance(payload, dict) or payload.get("user") != user.id:
        raise expired
    rows = payload.get("rows")
    if not isinstance(rows, list) or not rows:
        raise expired
    return rows


# -- Writing it --------------------------------------------------------------------------


def apply(rows, by):
    """Add and update the previewed rows in one go; ``(added, updated)``. Does not commit.

    Refused (409) if, since the preview, an address it would add has arrived, a focal point
    it would update has gone or changed its address, or a network has gone or been archived.
    """
    changed = ImportProblem(
        _("Focal points or networks have changed since this preview. Upload the file again "
          "to see what an import would do now."),
        status=409,
    )  # fmt: skip
    emails = {r["values"]["email"] for r in rows}
    context = _Context(emails)
    network_ids = {i for r in rows for i in r["network_ids"]}
    networks = {
        n.id: n
        for n in db.session.scalars(select(Network).where(Network.id.in_(network_ids))).all()
    }
    if any(networks.get(i) is None or networks[i].is_archived for i in network_ids):
        raise changed
    added = updated = 0
    for row in rows:
        values = row["values"]
        existing = context.existing.get(values["email"])
        if (existing.id if existing else None) != row["focal_point_id"]:
            raise changed
        if existing is None:
            existing = FocalPoint(**values)
            db.session.add(existing)
            added += 1
        else:
            for field, value in values.items():
                setattr(existing, field, value)
            updated += 1
        for network_id in row["network_ids"]:
            if networks[network_id] not in existing.networks:
                existing.networks.append(networks[network_id])
    db.session.flush()
    audit.record(
        "focal_point.import",
        _("%(added)d added, %(updated)d updated", added=added, updated=updated),
        actor=by,
        added=added,
        updated=updated,
    )
    return added, updated


# -- Export --------------------------------------------------------------------------------

EXPORT_HEADINGS = list(COLUMNS)


def export_rows(focal_points):
    """One row per focal point, in the columns an import reads back."""
    rows = []
    for fp in focal_points:
        rows.append(
            [
                fp.name,
                fp.title,
                fp.agency,
                fp.email,
                fp.phone,
                fp.country_code,
                ", ".join(n.acronym for n in fp.networks),
                *(fp.visibility(f) for f in CONTACT_FIELDS),
            ]
        )
    return rows
