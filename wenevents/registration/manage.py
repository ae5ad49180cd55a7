"""The organisers' registrations page: search and filters as one types, decisions on many
rows at once, a registration's details and history, and the list as CSV or XLSX.

Everything works without JavaScript too: the filters are a GET form, the bulk actions a
POST form that comes back to the same filtered page, "select all" a checkbox the server
reads (with htmx it also ticks the rows, by asking the server for the page again).
"""

from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms import (
    BooleanField,
    HiddenField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import Length, Optional, ValidationError

from wenevents.accounts.models import utcnow
from wenevents.accounts.permissions import organiser_required
from wenevents.audit import services as audit
from wenevents.exports import spreadsheets
from wenevents.extensions import db
from wenevents.forms import Form
from wenevents.htmx import is_htmx, render
from wenevents.registration import queries, services
from wenevents.registration.forms import LANGUAGE_LABELS, ROLE_LABELS
from wenevents.registration.models import (
    APPROVED,
    ENDORSED,
    SUBMITTED,
    WAITLISTED,
)
from wenevents.registration.queries import NO_NETWORK, STATUS_LABELS, Filters
from wenevents.uploads.downloads import file_response
from wenevents.web import country_name, format_day

bp = Blueprint(
    "registration_manage", __name__, url_prefix="/manage/<acronym:acronym>/registrations"
)

SORT_LABELS = {
    "created": _l("Date registered"),
    "name": _l("Family name"),
    "organisation": _l("Organisation"),
    "country": _l("Country code"),
    "network": _l("Network"),
    "status": _l("Status"),
}
# What each decision needs the registration to be (the services check again, and say why).
ALLOWED = {
    "approve": (SUBMITTED, ENDORSED),
    "reject": (SUBMITTED, ENDORSED, APPROVED, WAITLISTED),
    "waitlist": (SUBMITTED, ENDORSED, APPROVED),
    "promote": (WAITLISTED,),
}
MAX_SELECTED = 500
NO_REASON = _l("Give the reason for the rejection: the person is told.")


# Forms ---------------------------------------------------------------------------------


class FilterForm(Form):
    """The list's GET parameters; a value that is not one of the choices counts as none."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Find by name, email address or organisation"),
        validators=[Optional()],
        filters=[lambda v: v.strip()[:100] if isinstance(v, str) else v],
    )
    status = SelectField(_l("Status"), default="")
    network = SelectField(_l("Network"), default="")
    country = SelectField(_l("Country"), default="")
    role = SelectField(_l("Participation"), default="")
    sort = SelectField(
        _l("Sort by"),
        choices=[SelectChoice(k, v) for k, v in SORT_LABELS.items()],
        default=Filters.sort,
    )
    dir = SelectField(
        _l("Order"),
        choices=[
            SelectChoice("asc", _l("Ascending (A–Z, oldest first)")),
            SelectChoice("desc", _l("Descending")),
        ],
        default=Filters.dir,
    )

    def setup(self, meeting, countries):
        self.status.choices = _choices(_l("All statuses"), STATUS_LABELS.items())
        self.network.choices = _choices(
            _l("All networks"),
            [
                (NO_NETWORK, _l("None (observer)")),
                *[(str(n.id), n.acronym) for n in meeting.networks],
            ],
        )
        names = sorted(((c, country_name(c)) for c in countries), key=lambda item: item[1])
        self.country.choices = _choices(_l("All countries"), names)
        self.role.choices = _choices(_l("All participations"), ROLE_LABELS.items())
        self.sort.choices = [SelectChoice(c.value, str(c.label)) for c in self.sort.choices]
        self.dir.choices = [SelectChoice(c.value, str(c.label)) for c in self.dir.choices]
        return self

    def filters(self):
        """Validate; what fails (a stale country, a made-up status) falls back to all."""
        self.validate()
        for field in self:
            if field.errors:
                field.data, field.errors = field.default, []
        return Filters(
            **{
                name: self[name].data or self[name].default or ""
                for name in Filters.__dataclass_fields__
            }
        )


def _choices(everything, pairs):
    """Options with their labels translated once (a lazy label translates on each use)."""
    return [
        SelectChoice("", str(everything)),
        *(SelectChoice(v, str(label)) for v, label in pairs),
    ]


class BulkForm(Form):
    """A decision on the selected rows (or, with ``all``, on every row of the page)."""

    action = SelectField(choices=[SelectChoice(a, a) for a in ALLOWED])
    reason = StringField(
        _l("Reason, for a rejection"),
        # No Optional(): it would stop the chain before validate_reason sees a blank.
        validators=[Length(max=1000)],
        description=_l("Required to reject: the person is told."),
    )
    all = BooleanField()
    page_ids = HiddenField()

    def validate_reason(self, field):
        if self.action.data == "reject" and not (field.data or "").strip():
            raise ValidationError(NO_REASON)


def _ids(values):
    """Integers among ``values`` (anything else is ignored), at most MAX_SELECTED."""
    ids = []
    for value in values:
        for part in str(value).split(","):
            if part.strip().isdigit():
                ids.append(int(part))
    return list(dict.fromkeys(ids))[:MAX_SELECTED]


def _page(values):
    try:
        return max(1, min(int(values.get("page", 1)), 10_000))
    except (TypeError, ValueError):
        return 1


# Helpers -------------------------------------------------------------------------------


def _meeting(acronym):
    return queries.meeting_by_acronym(acronym) or abort(404)


def _filter_form(meeting, values):
    return FilterForm(formdata=values).setup(meeting, queries.countries(meeting.id))


def _list(meeting, form, filters, page, bulk=None, selected=(), summary=None, code=200):
    """The page (or, for htmx, its results and the counts out of band)."""
    registrations, total = queries.search(meeting.id, filters, page)
    return render(
        "registration/manage_index.html",
        block="results",
        target="registration-results",
        meeting=meeting,
        form=form,
        filters=filters,
        registrations=registrations,
        total=total,
        page=page,
        per_page=queries.PER_PAGE,
        bulk=bulk or BulkForm(formdata=None),
        selected=set(selected),
        select_all=request.args.get("select") == "all",
        counts=lambda: queries.counts(meeting),
        oob_counts=summary is not None,
        summary=summary,
        # Translated once, not once a row.
        country_names={c.value: str(c.label) for c in form.country.choices if c.value},
        status_labels={k: str(v) for k, v in STATUS_LABELS.items()},
        role_labels={k: str(v) for k, v in ROLE_LABELS.items()},
    ), code


def apply(meeting, action, ids, by, reason=""):
    """Run one decision on each registration; ``(how many done, [(name, why skipped)])``."""
    done, skipped = 0, []
    registrations = queries.on_page(meeting.id, ids)
    if action == "promote":  # in the waiting list's order, so the first in line goes first
        registrations.sort(key=lambda r: (r.waitlisted_at or r.created_at, r.id))
    for registration in registrations:
        name = registration.name
        try:
            if action == "reject":
                services.reject(registration, by, reason)
            else:
                getattr(services, action)(registration, by)
        except services.RegistrationError as error:
            db.session.rollback()
            skipped.append((name, str(error)))
        except StaleDataError:
            db.session.rollback()
            skipped.append((name, _("It changed meanwhile; look again.")))
        else:
            done += 1
    return done, skipped


def _names(names, shown=5):
    if len(names) <= shown:
        return ", ".join(names)
    rest = len(names) - shown
    return ngettext(
        "%(names)s and %(num)d other",
        "%(names)s and %(num)d others",
        rest,
        names=", ".join(names[:shown]),
    )


def summary_of(action, done, skipped):
    """``3 approved; 1 skipped: Ana Silva — The network has not endorsed…``"""
    texts = {
        "approve": ngettext("%(num)d approved", "%(num)d approved", done),
        "reject": ngettext("%(num)d rejected", "%(num)d rejected", done),
        "waitlist": ngettext(
            "%(num)d moved to the waiting list", "%(num)d moved to the waiting list", done
        ),
        "promote": ngettext("%(num)d promoted", "%(num)d promoted", done),
    }
    text = texts[action]
    if skipped:
        why = {}
        for name, reason in skipped:
            why.setdefault(reason, []).append(name)
        details = " ".join(f"{_names(names)} — {reason}" for reason, names in why.items())
        skipped_text = ngettext("%(num)d skipped", "%(num)d skipped", len(skipped))
        text = _(
            "%(done)s; %(skipped)s: %(details)s", done=text, skipped=skipped_text, details=details
        )
    category = "success" if not skipped else ("error" if not done else "info")
    return text, category


# Views ---------------------------------------------------------------------------------


@bp.get("/")
@organiser_required
def index(acronym):
    """The registrations of a meeting, filtered, sorted, fifty a page."""
    meeting = _meeting(acronym)
    form = _filter_form(meeting, request.args)
    return _list(meeting, form, form.filters(), _page(request.args))


@bp.get("/<int:registration_id>")
@organiser_required
def detail(acronym, registration_id):
    """Every field, the answers to the meeting's questions, the history, the decisions."""
    meeting = _meeting(acronym)
    registration = queries.detail(meeting.id, registration_id) or abort(404)
    questions = services.questions_of(meeting.id)
    return render(
        "registration/manage_detail.html",
        meeting=meeting,
        registration=registration,
        answers=[(q, _shown(q, registration)) for q in questions],
        reference=queries.reference(meeting, registration),
        allowed=[a for a, statuses in ALLOWED.items() if registration.status in statuses],
        bulk=BulkForm(formdata=None),
        status_labels=STATUS_LABELS,
        role_labels=ROLE_LABELS,
        language_labels=LANGUAGE_LABELS,
    )


@bp.get("/<int:registration_id>/files/<int:question_id>")
@organiser_required
def answer_file(acronym, registration_id, question_id):
    """A file a registrant attached, as an attachment (never run in the site's origin)."""
    meeting = _meeting(acronym)
    registration = queries.detail(meeting.id, registration_id) or abort(404)
    path, answer = services.answer_file(registration, question_id)
    if path is None:
        abort(404)
    return file_response(path, answer["name"], answer["type"])


def _shown(question, registration):
    value = queries.answer_value(question, (registration.answers or {}).get(str(question.id)))
    return format_day(value) if isinstance(value, date) else value


@bp.post("/bulk")
@organiser_required
def bulk(acronym):
    """Approve, reject, waitlist or promote the selected rows; say what was done and what
    was skipped and why. htmx: the list and the counts again; else back to the list."""
    meeting = _meeting(acronym)
    form = BulkForm()
    filters_form = _filter_form(meeting, request.form)
    filters, page = filters_form.filters(), _page(request.form)
    ids = _ids(request.form.getlist("ids"))
    if form.all.data:
        ids = _ids([*ids, form.page_ids.data or ""])
    one = request.form.get("back") == "detail" and len(ids) == 1
    valid = form.validate_on_submit()
    if valid and not ids:
        form.form_errors.append(_("Select at least one registration."))
        valid = False
    if not valid:
        if one:  # the detail page's buttons: back there, with the message
            flash(next(iter(form.errors.values()))[0], "error")
            return redirect(url_for(".detail", acronym=acronym, registration_id=ids[0]), 303)
        return _list(meeting, filters_form, filters, page, bulk=form, selected=ids, code=422)
    by = current_user._get_current_object()
    done, skipped = apply(meeting, form.action.data, ids, by, form.reason.data or "")
    text, category = summary_of(form.action.data, done, skipped)
    if is_htmx() and not one:
        return _list(meeting, filters_form, filters, page, summary=(text, category))
    flash(text, category)
    if one:
        return redirect(url_for(".detail", acronym=acronym, registration_id=ids[0]), 303)
    page = page if page > 1 else None  # url_for leaves out None
    return redirect(url_for(".index", acronym=acronym, page=page, **filters.args()), 303)


@bp.get("/export.<any(csv, xlsx):fmt>")
@organiser_required
def export(acronym, fmt):
    """Every registration the filter finds (all pages), for organisers only, audited."""
    meeting = _meeting(acronym)
    filters = _filter_form(meeting, request.args).filters()
    headers, rows = queries.export_table(meeting, filters, services.questions_of(meeting.id))
    audit.record(
        "registration.export",
        _(
            "%(meeting)s: %(num)d registrations as %(format)s",
            meeting=meeting.acronym,
            num=len(rows),
            format=fmt.upper(),
        ),
        target=meeting,
        format=fmt,
        filters=filters.args(),
        rows=len(rows),
    )
    filename = f"{meeting.acronym}-registrations-{utcnow():%Y%m%d-%H%M}.{fmt}"
    if fmt == "csv":
        return spreadsheets.csv_response(rows, headers, filename)
    return spreadsheets.xlsx_response(rows, headers, filename, title=_("Registrations"))
