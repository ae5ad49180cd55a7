"""The organisers' registrations page: search and filters as one types, decisions on many
rows at once, a registration's details and history, and the list as CSV or XLSX.

Everything works without JavaScript too: the filters are a GET form, the bulk actions a
POST form that comes back to the same filtered page, "select all" a checkbox the server
reads (with htmx it also ticks the rows, by asking the server for the page again).
"""

from functools import cache

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm.exc import StaleDataError
from wtforms import (
    BooleanField,
    HiddenField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from wenevents import spreadsheets
from wenevents.audit import services as audit
from wenevents.clock import utcnow
from wenevents.downloads import file_response
from wenevents.extensions import db
from wenevents.forms import Form
from wenevents.htmx import finish, render
from wenevents.i18n import lazy_gettext as _l
from wenevents.permissions import organiser_required
from wenevents.registration import queries, questions, retention, workflow
from wenevents.registration.forms import LANGUAGE_LABELS, ROLE_LABELS
from wenevents.registration.models import (
    APPROVED,
    ENDORSED,
    SUBMITTED,
    WAITLISTED,
)
from wenevents.registration.queries import NO_NETWORK, STATUS_LABELS, Filters
from wenevents.security import export_limit
from wenevents.text import bounded_int, to_id
from wenevents.web import acting_user, country_name, page_arg

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
NO_OVERRIDE_REASON = _l("Give the reason for approving without the network's endorsement.")


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


class OverrideForm(Form):
    """Approve without the network's endorsement: the reason is required, and recorded."""

    reason = TextAreaField(
        _l("Why approve without the network's endorsement?"),
        # DataRequired after the strip: a reason of spaces alone is none.
        validators=[DataRequired(message=NO_OVERRIDE_REASON), Length(max=900)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        description=_l(
            "Recorded with your name in the registration's history, which the delegate "
            "sees too, and in the audit log."
        ),
    )


def _ids(values):
    """Integers among ``values`` (anything else is ignored), at most MAX_SELECTED."""
    ids = [to_id(part) for value in values for part in str(value).split(",")]
    return list(dict.fromkeys(i for i in ids if i))[:MAX_SELECTED]


def _posted_page():
    """The page a bulk form came from (posted, where ``web.page_arg`` reads the query)."""
    return max(1, min(request.form.get("page", 1, type=bounded_int), 10_000))


# Helpers -------------------------------------------------------------------------------


def _filter_form(meeting, values):
    return FilterForm(formdata=values).setup(meeting, queries.countries(meeting.id))


def _list(meeting, form, filters, page, bulk=None, selected=(), summary=None, code=200):
    """The page (or, for htmx, its results and the counts out of band)."""
    registrations, total = queries.search(meeting.id, filters, page)
    counted = cache(lambda: queries.counts(meeting))  # read once, shown twice
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
        counts=counted,
        retention=lambda: retention.status(meeting, counted()),
        oob_counts=summary is not None,
        summary=summary,
        # Translated once, not once a row (the row's name is put in, and escaped, there).
        select_label=_("Select %(name)s"),
        country_names={c.value: str(c.label) for c in form.country.choices if c.value},
        status_labels={k: str(v) for k, v in STATUS_LABELS.items()},
        role_labels={k: str(v) for k, v in ROLE_LABELS.items()},
    ), code


def apply(meeting, action, ids, by, reason=""):
    """Run one decision on each registration; ``(how many done, [(name, why skipped)])``.

    Each decision is committed on its own (and its mail sent), so one refused leaves the
    others done.
    """
    done, skipped = 0, []
    registrations = queries.on_page(meeting.id, ids)
    if action == "promote":  # in the waiting list's order, so the first in line goes first
        registrations.sort(key=lambda r: (r.waitlisted_at or r.created_at, r.id))
    for registration in registrations:
        name = registration.name
        try:
            if action == "reject":
                workflow.reject(registration, by, reason)
            else:
                getattr(workflow, action)(registration, by)
            db.session.commit()
        except workflow.RegistrationError as error:
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
    return _list(meeting, form, form.filters(), page_arg())


def _meeting(acronym):
    """Any meeting, drafts too (organisers prepare them); looked up after the organiser
    check, so that a URL of no meeting says no more than one of a draft."""
    return queries.meeting_by_acronym(acronym) or abort(404)


def _registration(acronym, registration_id):
    """The meeting and its registration of the URL."""
    meeting = _meeting(acronym)
    return meeting, queries.detail(meeting.id, registration_id) or abort(404)


@bp.get("/<int:registration_id>")
@organiser_required
def detail(acronym, registration_id):
    """Every field, the answers to the meeting's questions, the history, the decisions."""
    return _detail(*_registration(acronym, registration_id))


def _detail(meeting, registration, override=None, code=200):
    return render(
        "registration/manage_detail.html",
        meeting=meeting,
        registration=registration,
        answers=queries.shown_answers(questions.questions_of(meeting.id), registration),
        reference=queries.reference(meeting, registration),
        allowed=[a for a, statuses in ALLOWED.items() if registration.status in statuses],
        bulk=BulkForm(formdata=None),
        override=override or OverrideForm(formdata=None),
        needs_override=workflow.needs_override(registration),
        status_labels=STATUS_LABELS,
        role_labels=ROLE_LABELS,
        language_labels=LANGUAGE_LABELS,
    ), code


@bp.post("/<int:registration_id>/approve-without-endorsement")
@organiser_required
def approve_override(acronym, registration_id):
    """Approve a registration whose network's focal point never answered, with a reason
    (in the history and the audit log); without one, the page again with the message."""
    meeting, registration = _registration(acronym, registration_id)
    form = OverrideForm()
    if not form.validate_on_submit():
        return _detail(meeting, registration, override=form, code=422)
    back = url_for(".detail", acronym=acronym, registration_id=registration_id)
    try:
        workflow.approve_override(registration, acting_user(), form.reason.data)
    except workflow.RegistrationError as error:
        return finish(str(error), back, category="error")
    db.session.commit()
    return finish(_("Approved without the network's endorsement; the reason is recorded."), back)


@bp.get("/<int:registration_id>/files/<int:question_id>")
@organiser_required
def answer_file(acronym, registration_id, question_id):
    """A file a registrant attached, as an attachment (never run in the site's origin)."""
    _meeting, registration = _registration(acronym, registration_id)
    path, answer = questions.answer_file(registration, question_id)
    if path is None:
        abort(404)
    return file_response(path, answer["name"], answer["type"])


@bp.post("/bulk")
@organiser_required
def bulk(acronym):
    """Approve, reject, waitlist or promote the selected rows; say what was done and what
    was skipped and why. htmx: the list and the counts again; else back to the list (or to
    the registration, from its detail page's buttons)."""
    meeting = _meeting(acronym)
    form, filters_form = BulkForm(), _filter_form(meeting, request.form)
    filters, page = filters_form.filters(), _posted_page()
    ids = _ids([*request.form.getlist("ids"), form.page_ids.data if form.all.data else ""])
    one = request.form.get("back") == "detail" and len(ids) == 1
    back = url_for(".detail", acronym=acronym, registration_id=ids[0]) if one else None
    if not _valid(form, ids):
        if one:  # the detail page's buttons: back there, with the message
            return finish(next(iter(form.errors.values()))[0], back, category="error")
        return _list(meeting, filters_form, filters, page, bulk=form, selected=ids, code=422)
    done, skipped = apply(meeting, form.action.data, ids, acting_user(), form.reason.data or "")
    text, category = summary_of(form.action.data, done, skipped)
    # url_for leaves out None: the first page has no ?page=
    shown = page if page > 1 else None
    back = back or url_for(".index", acronym=acronym, page=shown, **filters.args())

    def results():
        return _list(meeting, filters_form, filters, page, summary=(text, category))

    return finish(text, back, None if one else results, category)


def _valid(form, ids):
    if not form.validate_on_submit():
        return False
    if not ids:
        form.form_errors.append(_("Select at least one registration."))
        return False
    return True


@bp.get("/export.<any(csv, xlsx):fmt>")
@export_limit
@organiser_required
def export(acronym, fmt):
    """Every registration the filter finds (all pages), for organisers only, audited."""
    meeting = _meeting(acronym)
    filters = _filter_form(meeting, request.args).filters()
    headers, rows = queries.export_table(meeting, filters, questions.questions_of(meeting.id))
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
    db.session.commit()
    filename = f"{meeting.acronym}-registrations-{utcnow():%Y%m%d-%H%M}.{fmt}"
    if fmt == "csv":
        return spreadsheets.csv_response(rows, headers, filename)
    return spreadsheets.xlsx_response(rows, headers, filename, title=_("Registrations"))
