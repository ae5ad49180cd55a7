"""Materials: the page listing them, uploads, stable downloads, versions and ZIPs.

URLs (``<a>`` is a meeting's acronym, loaded once as ``g.meeting``):
  /<a>/materials                         what the viewer may download
  /<a>/materials/upload                  the targets the viewer may upload to (GET)
  /<a>/materials/upload/<ref>            files for one target (POST; slides-12, sheet-5, report…)
  /<a>/materials/<id>/<name>             a slot's current file (a stable URL)
  /<a>/materials/<id>/versions           its versions (uploaders and organisers)
  /<a>/materials/<id>/title              its title in each language (organisers; POST)
  /<a>/materials/<id>/versions/<n>/<name>  one version's file
  /<a>/materials.zip, /<a>/materials/sessions/<n>.zip, /<a>/materials/networks/<slug>.zip
"""

from datetime import UTC
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wenevents import htmx, web
from wenevents.agenda.views import redirect_by_number
from wenevents.clock import utcnow
from wenevents.downloads import file_response
from wenevents.extensions import db
from wenevents.htmx import render
from wenevents.languages import LANGUAGES
from wenevents.permissions import deny
from wenevents.registration.views import not_participant
from wenevents.security import export_limit, upload_limit
from wenevents.uploads import zips
from wenevents.uploads.access import (
    is_public,
    materials_page,
    may_see,
    public_slides_by_uid,
    released_items,
    set_access,
)
from wenevents.uploads.filetypes import PDF
from wenevents.uploads.forms import AccessForm, ActionForm, TitleForm, UploadForm
from wenevents.uploads.models import PARTICIPANTS
from wenevents.uploads.pack import pack_of
from wenevents.uploads.pruning import prune as prune_versions
from wenevents.uploads.pruning import remove_files
from wenevents.uploads.quotas import space
from wenevents.uploads.rules import may_prune, may_upload, viewer_for
from wenevents.uploads.streaming import StorageFull, receives_files
from wenevents.uploads.targets import (
    document_of,
    download_name,
    file_path,
    find_target,
    meeting_with_materials,
    target_of,
)
from wenevents.uploads.titles import set_title
from wenevents.uploads.versions import add_file, entry_for, upload_targets
from wenevents.uploads.versions import restore as restore_version

bp = Blueprint("uploads", __name__)


def _meeting(acronym):
    """The meeting with its materials; unpublished ones for organisers only."""
    organiser = current_user.is_authenticated and current_user.is_organiser
    return meeting_with_materials(acronym, published_only=not organiser)


web.meeting_of_url(bp, _meeting)


def _viewer():
    """The person looking, for ``g.meeting``: read once per request."""
    if "viewer" not in g:
        g.viewer = viewer_for(web.acting_user(), g.meeting)
    return g.viewer


@bp.get("/<acronym:acronym>/materials")
def materials():
    """Meeting documents, information sheets and slides by session: what the viewer may
    download, with ZIPs of them."""
    page = materials_page(g.meeting, _viewer())
    return render("uploads/materials.html", meeting=g.meeting, page=page)


@bp.get("/<acronym:acronym>/pack")
def pack_page():
    """The delegate pack in each language, with its size, to download before travelling."""
    packs = [pack_of(g.meeting.acronym, code) for code in LANGUAGES]
    if packs[0] is None:
        abort(404)
    return render("uploads/pack.html", meeting=g.meeting, packs=packs)


@bp.get("/<acronym:acronym>/pack/<language>.zip")
def pack_download(language):
    """One language's pack, as a stored file: a broken download resumes (Range)."""
    if language not in LANGUAGES:
        abort(404)
    pack = pack_of(g.meeting.acronym, language) or abort(404)
    return file_response(pack.path, pack.filename, "application/zip", public=True)


def _upload_form(**kwargs):
    config = current_app.config
    form = UploadForm(**kwargs)
    return form.setup(config["UPLOAD_MAX_FILES"], web.megabytes(config["UPLOAD_MAX_BYTES"]))


def _upload_page(status=200, **context):
    """The upload page: every target the viewer may upload to, each with its files."""
    meeting, viewer = g.meeting, _viewer()
    context.setdefault("form", _upload_form())
    html = render(
        "uploads/upload.html",
        meeting=meeting,
        viewer=viewer,
        entries=upload_targets(meeting, viewer),
        max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
        space=space(meeting, viewer),
        **context,
    )
    return html, status


@bp.get("/<acronym:acronym>/materials/upload")
@login_required
def upload_page():
    """Every target the person may upload to, each with its files and a drop zone."""
    # What the last upload without JavaScript did, shown in its target's block (where the
    # redirect lands), once.
    notice = session.pop(OUTCOME_KEY, None)
    if not isinstance(notice, dict) or notice.get("acronym") != g.meeting.acronym:
        notice = {}
    return _upload_page(outcomes=notice.get("outcomes", []), outcomes_ref=notice.get("ref"))


OUTCOME_KEY = "upload_outcomes"


def _upload_target(ref):
    """The target of an upload, or 401/403/404: runs before a byte of a file is written."""
    if "upload_target" in g:
        return g.upload_target
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    target = find_target(web.url_meeting(), ref) or abort(404)
    if not may_upload(_viewer(), target):
        deny(f"upload materials {ref} of {g.meeting.acronym}", target=g.meeting)
    g.upload_target = target
    return target


@bp.post("/<acronym:acronym>/materials/upload/<ref>")
@upload_limit
@receives_files(_upload_target)
@login_required
def upload(ref):
    """Store each file sent as the newest version of its slot; say what became of each.

    htmx (and uploads.js): the target's block again; otherwise back to the page (303),
    or the page with the messages (422) when nothing was stored.
    """
    target = _upload_target(ref)
    form = _upload_form()
    outcomes = []
    if form.validate_on_submit():
        for upload in form.files.data:
            if upload.filename and hasattr(upload.stream, "keep"):
                outcomes.append(
                    add_file(target, form.language.data, upload.stream, web.acting_user())
                )
                db.session.commit()  # each file on its own (see versions.add_file)
    status = 200 if any(o.ok for o in outcomes) else 422
    refused = [f"{o.name}: {o.message}" for o in outcomes if not o.ok]
    if refused:
        form.files.errors = [*form.files.errors, *refused]
    if htmx.is_htmx():
        return _target_block(target, form, outcomes), status
    if status == 200 and not refused:
        # Not a flash at the top of the page: the redirect lands on the target's block
        # (its outcome), and the messages are shown there.
        session[OUTCOME_KEY] = {
            "acronym": g.meeting.acronym,
            "ref": target.ref,
            "outcomes": [{"name": o.name, "ok": o.ok, "message": o.message} for o in outcomes],
        }
        return redirect(url_for(".upload_page") + f"#target-{target.ref}-outcome", 303)
    # The meeting again, with what was just stored (the commit expired what was loaded).
    meeting_with_materials(g.meeting.acronym, published_only=False)
    return _upload_page(
        status, failed_form=form, failed_ref=target.ref, outcomes=outcomes, outcomes_ref=target.ref
    )


def _target_block(target, form, outcomes):
    return render(
        "uploads/upload.html",
        block="target",
        target=f"target-{target.ref}",
        entry=entry_for(target),
        form=form,
        outcomes=outcomes,
        meeting=target.meeting,
        max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
    )


def _send(version, public=False):
    path = file_path(version) or abort(404)
    # A PDF may open in the browser (sandboxed); every other kind downloads.
    return file_response(
        path,
        version.original_name,
        version.mimetype,
        inline=version.mimetype == PDF.mimetype,
        public=public,
    )


@bp.get("/<acronym:acronym>/materials/<int:document_id>", defaults={"name": ""})
@bp.get("/<acronym:acronym>/materials/<int:document_id>/<path:name>")
def download(document_id, name):
    """The slot's current file: the stable URL always serves the newest version."""
    document = document_of(g.meeting, document_id) or abort(404)
    released = released_items(g.meeting)
    if not may_see(_viewer(), document, released):
        _refuse_download(document)
    if document.current is None:
        return redirect(document.url, 302) if document.url else abort(404)
    return _send(document.current, public=is_public(document, released))


def _refuse_download(document):
    """Anonymous people are asked to sign in; the signed-in are told no (and logged), and
    those not yet participants when it opens to them."""
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    summary = f"download materials {document.id} of {g.meeting.acronym}"
    if document.access == PARTICIPANTS and not _viewer().participant:
        abort(not_participant("file", _("Materials"), g.meeting, summary, target=document))
    deny(summary, target=document)


def _refusal(what, document_id):
    return f"{what} of materials {document_id} of {g.meeting.acronym}"


def _managed_document(document_id, what):
    """The slot, for those who may upload to it (its uploaders) and organisers; else 403
    (logged as ``what`` of it)."""
    document = document_of(g.meeting, document_id) or abort(404)
    if not may_upload(_viewer(), target_of(document)):
        deny(_refusal(what, document_id), target=document)
    return document


def _organisers_document(document_id, what):
    """The slot, for organisers only; else 403 (logged as ``what`` of it)."""
    document = document_of(g.meeting, document_id) or abort(404)
    if not current_user.is_organiser:
        deny(f"{what} of materials {document_id}", target=document)
    return document


def _version(document, number):
    return next((v for v in document.versions if v.number == number), None) or abort(404)


@bp.get("/<acronym:acronym>/materials/<int:document_id>/versions")
@login_required
def versions(document_id):
    """Every version of a slot, newest first, with who sent it, when and its size."""
    document = _managed_document(document_id, "versions")
    return render("uploads/document.html", **_versions_page(document))


def _versions_page(document, **context):
    viewer = _viewer()
    context.setdefault("access_form", AccessForm(formdata=None, obj=document))
    context.setdefault("title_form", TitleForm(formdata=None, obj=document))
    return dict(
        meeting=g.meeting,
        document=document,
        what=target_of(document),
        action_form=ActionForm(),
        prunable={v.number for v in document.versions if may_prune(viewer, document, v)},
        **context,
    )


@bp.get("/<acronym:acronym>/materials/<int:document_id>/versions/<int:number>/<path:name>")
@login_required
def version_file(document_id, number, name):
    """An earlier version's file, for the slot's uploaders and organisers."""
    document = _managed_document(document_id, f"version {number}")
    return _send(_version(document, number))


def _materials_zip(filename, page=None, **scope):
    """A ZIP of what the person may see (``scope``: see zips.zip_files); 404 if nothing."""
    page = page or materials_page(g.meeting, _viewer())
    return zips.response(zips.zip_files(page, **scope) or abort(404), filename)


@bp.get("/<acronym:acronym>/materials.zip")
@export_limit
def zip_all():
    """Every file of the meeting the person may see, as one ZIP built as it is sent."""
    return _materials_zip(f"{g.meeting.acronym}-materials.zip")


@bp.get("/<acronym:acronym>/materials/sessions/<session_ref:ref>.zip")
@export_limit
def zip_session(ref):
    """The slides of one session the person may see, at the session's stable address."""
    page = materials_page(g.meeting, _viewer())
    session = next((s for s in page.sessions if s.number and s.ref == ref), None) or abort(404)
    filename = f"{g.meeting.acronym}-session-{session.number}.zip"
    return _materials_zip(filename, page, session_ref=ref)


@bp.get("/<acronym:acronym>/materials/sessions/<int:number>.zip")
@export_limit
def zip_session_by_number(number):
    """The old address by number: redirected while unambiguous (agenda/views.py)."""
    return redirect_by_number(g.meeting.acronym, number, "uploads.zip_session")


@bp.get("/<acronym:acronym>/materials/networks/<slug>.zip")
@export_limit
def zip_network(slug):
    """One network's information sheet and slides the person may see."""
    network = next((n for n in g.meeting.networks if n.slug == slug), None) or abort(404)
    return _materials_zip(f"{g.meeting.acronym}-{network.slug}.zip", network=network)


@bp.post("/<acronym:acronym>/materials/<int:document_id>/versions/<int:number>/restore")
@login_required
def restore(document_id, number):
    """Organisers make an earlier version current again (as a new version)."""
    document = _organisers_document(document_id, f"restore version {number}")
    if not ActionForm().validate_on_submit():
        abort(400)
    version = restore_version(document, number, web.acting_user()) or abort(404)
    message = _(
        "Version %(old)d is current again, as version %(new)d.", old=number, new=version.number
    )
    db.session.commit()
    return htmx.finish(message, url_for(".versions", document_id=document_id))


@bp.post("/<acronym:acronym>/materials/<int:document_id>/access")
@login_required
def access(document_id):
    """Organisers set who may download a slot's files, and the slides' embargo."""
    document = _organisers_document(document_id, "access")
    form = AccessForm()
    if not form.validate_on_submit():
        return render("uploads/document.html", **_versions_page(document, access_form=form)), 422
    set_access(document, form.access.data, form.embargoed.data, web.acting_user())
    db.session.commit()
    return htmx.finish(_("Saved."), url_for(".versions", document_id=document_id))


@bp.post("/<acronym:acronym>/materials/<int:document_id>/title")
@login_required
def title(document_id):
    """Organisers name a slot, in English and, if they like, in French and Spanish."""
    document = _organisers_document(document_id, "title")
    form = TitleForm()
    if not form.validate_on_submit():
        return render("uploads/document.html", **_versions_page(document, title_form=form)), 422
    set_title(document, form.data, web.acting_user())
    db.session.commit()
    return htmx.finish(_("Saved."), url_for(".versions", document_id=document_id))


@bp.route(
    "/<acronym:acronym>/materials/<int:document_id>/versions/<int:number>/delete",
    methods=["GET", "POST"],
)
@login_required
def prune(document_id, number):
    """Delete an earlier version and its file (asked first: GET shows what goes).
    Organisers: any earlier version; uploaders: the ones they sent."""
    document = _managed_document(document_id, f"delete version {number}")
    version = _version(document, number)
    if version is document.current:
        abort(409, description=_("The current version is never deleted."))
    if not may_prune(_viewer(), document, version):
        deny(_refusal(f"delete version {number}", document_id), target=document)
    form = ActionForm()
    if not form.validate_on_submit():
        what = target_of(document)
        context = dict(meeting=g.meeting, document=document, version=version, what=what)
        return render("uploads/prune.html", form=form, **context)
    pruned = prune_versions(document, [number], web.acting_user())
    if pruned is None:
        abort(409, description=_("This version is gone already, or is the current one."))
    db.session.commit()
    remove_files(pruned)
    message = _(
        "Version %(n)d is deleted; %(size)s freed.", n=number, size=web.megabytes(pruned.size)
    )
    return htmx.finish(message, url_for(".versions", document_id=document_id))


@bp.app_template_global()
def material_url(document, version=None):
    """The stable URL of a slot's file (or of one version's), with its name for reading."""
    if version is None:
        name = download_name(document)
        return url_for(
            "uploads.download", acronym=document.meeting.acronym, document_id=document.id, name=name
        )
    return url_for(
        "uploads.version_file",
        acronym=document.meeting.acronym,
        document_id=document.id,
        number=version.number,
        name=version.original_name,
    )


@bp.app_template_global()
def public_slides_map():
    """``{item uid: [PublicSlide]}`` of this page's meeting, before embargoes: one query
    per page (cached for the request), whatever the number of items. The schedule asks
    public_slides() only for the items in it."""
    # The acronym of the URL: in its arguments, or taken out of them as g.meeting.
    acronym = (request.view_args or {}).get("acronym") or getattr(g.get("meeting"), "acronym", None)
    if not acronym:
        return {}
    cache = g.setdefault("public_slides", {})
    if acronym not in cache:
        cache[acronym] = public_slides_by_uid(acronym)
    return cache[acronym]


@bp.app_template_global()
def public_slides(item):
    """The slides of a presentation anyone may download, for the schedule's item lines."""
    if getattr(item, "kind", "") != "presentation":
        return []
    shown = []
    for slide in public_slides_map().get(item.uid, []):
        if slide.embargoed:
            starts = item.session.start(ZoneInfo(slide.timezone)).astimezone(UTC)
            if utcnow() < starts.replace(tzinfo=None):
                continue
        shown.append(slide)
    return shown


@bp.app_template_filter("filesize")
def filesize(value):
    return web.megabytes(value)


@bp.errorhandler(413)
def _too_large(error):
    """413 on the upload pages: the limit that matters is the one per file."""
    config = current_app.config
    return web._error_page(
        error,
        limit=web.megabytes(config["UPLOAD_MAX_BYTES"]),
        max_files=config["UPLOAD_MAX_FILES"],
    )


@bp.app_errorhandler(StorageFull)
def _storage_full(error):
    """507 in the site's layout (web.py knows the usual codes only)."""
    return web._error_page(error)
